"""Titre d'identité: images only (20 Mo), one file, kept out of exports, deleted after the decision."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from demarches.dossiers import transitions
from demarches.dossiers.models import Champ, Dossier, PieceJointe
from demarches.fields import registry
from demarches.fields.registry import StoredValue
from demarches.fields.types import titre_identite
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.fields.test_properties import is_french_message

TITRE = registry.get("titre_identite")
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
JPG = b"\xff\xd8\xff\xe0" + b"0" * 100


def refusal(uploaded) -> str:
    with pytest.raises(ValidationError) as exc:
        TITRE.check_file(uploaded)
    message = exc.value.messages[0]
    assert is_french_message(message), message
    return message


def test_png_and_jpeg_are_accepted():
    TITRE.check_file(SimpleUploadedFile("carte.png", PNG, content_type="image/png"))
    TITRE.check_file(SimpleUploadedFile("passeport.JPG", JPG, content_type="image/jpeg"))
    TITRE.check_file(SimpleUploadedFile("passeport.jpeg", JPG, content_type="image/jpeg"))


def test_other_formats_are_refused():
    assert "JPG ou PNG" in refusal(SimpleUploadedFile("carte.pdf", b"%PDF-1.4", content_type="application/pdf"))
    assert "JPG ou PNG" in refusal(SimpleUploadedFile("carte", PNG))


def test_the_content_must_match_the_extension():
    assert "ne correspond pas" in refusal(SimpleUploadedFile("carte.png", b"%PDF-1.4 faux", content_type="image/png"))


def test_files_over_20_mo_are_refused():
    big = SimpleUploadedFile("carte.png", PNG, content_type="image/png")
    big.size = 20 * 1024 * 1024 + 1
    assert "trop volumineux" in refusal(big)


def test_one_file_and_never_in_exports():
    assert TITRE.accepts_files and TITRE.max_files == 1
    assert TITRE.files_in_exports is False and registry.get("piece_justificative").files_in_exports is True
    stored = StoredValue(data=["Claire MARTIN passeport.png"])
    assert TITRE.export_value(stored) == "Oui"  # never the file's name
    assert TITRE.display(stored) == "Titre d'identité joint"
    assert not TITRE.is_empty(stored) and TITRE.is_empty(StoredValue())
    assert not TITRE.prefillable


def _dossier_avec_titre(state, instructeur=None):
    instructeurs = [instructeur] if instructeur else None
    procedure = demarche_creer([("titre_identite", "Pièce d'identité", True, {})], instructeurs=instructeurs)
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    tdc = dossier.revision.types_de_champ.get()
    champ = Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, data=["passeport.png"])
    piece = PieceJointe(champ=champ, filename="passeport.png", content_type="image/png", size=len(PNG))
    piece.file.save("passeport.png", ContentFile(PNG), save=False)
    piece.save()
    return dossier, champ, piece


@pytest.mark.django_db(transaction=True)
def test_the_file_is_purged_once_the_dossier_is_termine():
    dossier, champ, piece = _dossier_avec_titre(Dossier.State.ACCEPTE)
    storage, name = piece.file.storage, piece.file.name
    assert storage.exists(name)
    titre_identite.dossier_etat_change(dossier.pk, "accepter")
    assert not PieceJointe.objects.filter(pk=piece.pk).exists()
    assert not storage.exists(name)
    champ.refresh_from_db()
    assert "purge_le" in champ.data
    assert TITRE.display(champ.stored).startswith("Titre d'identité supprimé le ")
    assert TITRE.display(champ.stored).endswith("après la décision sur le dossier.")
    # Idempotent.
    assert titre_identite.titres_identite_purger(dossier_id=dossier.pk) == 0


@pytest.mark.django_db
def test_nothing_is_purged_before_the_decision():
    dossier, champ, piece = _dossier_avec_titre(Dossier.State.EN_INSTRUCTION)
    titre_identite.dossier_etat_change(dossier.pk, "passer_en_instruction")
    assert titre_identite.titres_identite_purger(dossier_id=dossier.pk) == 0
    assert PieceJointe.objects.filter(pk=piece.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_decision_purges_through_the_state_change_handlers(settings):
    settings.DOSSIER_STATE_CHANGE_HANDLERS = [
        *settings.DOSSIER_STATE_CHANGE_HANDLERS, "demarches.fields.types.titre_identite.dossier_etat_change",
    ]
    instructeur = factories.InstructeurFactory()
    dossier, champ, piece = _dossier_avec_titre(Dossier.State.EN_INSTRUCTION, instructeur)
    transitions.accepter(dossier=Dossier.objects.get(pk=dossier.pk), instructeur=instructeur, notify=False)
    assert not PieceJointe.objects.filter(pk=piece.pk).exists()


@pytest.mark.django_db
def test_the_instructeur_sees_the_file_before_the_decision(client):
    instructeur = factories.InstructeurFactory()
    dossier, champ, piece = _dossier_avec_titre(Dossier.State.EN_CONSTRUCTION, instructeur)
    client.force_login(instructeur.user)
    html = client.get(f"/procedures/{dossier.procedure_id}/dossiers/{dossier.pk}/").content.decode()
    assert "passeport.png" in html


@pytest.mark.django_db
def test_the_widget_asks_for_one_image(client):
    procedure = demarche_creer([("titre_identite", "Pièce d'identité", True, {})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    client.force_login(usager)
    html = client.get(f"/dossiers/{dossier.pk}/brouillon/").content.decode()
    assert 'accept=".png,.jpg,.jpeg,image/png,image/jpeg"' in html
    assert "Taille maximale : 20,0\xa0Mio" in html
    assert "supprimé une fois la décision prise" in html
    tdc = dossier.revision.types_de_champ.get()
    widget = html.split(f'id="{tdc.html_id}-pj"')[1].split("</div>")[0]
    assert " multiple" not in widget
