"""Browser journey: an instructeur attaches a file to a pièce justificative annotation (htmx upload,
as on the usager's form), a wrong format is refused next to the champ, he removes the file, and adds
a row to a repetition annotation. axe-core on every screen."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Champ, Dossier, Follow, PieceJointe
from tests import factories
from tests.browser import login, televerser
from tests.instruction.test_annotations_pieces_blocs import demarche_pieces_et_bloc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def test_an_instructeur_uploads_a_file_to_an_annotation(page, live_url, check_page, tmp_path):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    procedure = demarche_pieces_et_bloc(administrateur, [instructeur], "annotations-pj-e2e")
    bloc = procedure.active_revision.types_de_champ.get(libelle="Visites")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    rapport = tmp_path / "rapport.pdf"
    rapport.write_bytes(b"%PDF-1.4 rapport " + b"x" * 300)
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 50)

    login(page, live_url, instructeur.user)
    page.goto(live_url + reverse("instruction:annotations", args=[procedure.pk, dossier.pk]))
    check_page("annotations-pj")

    upload = page.get_by_label("Rapport de visite")
    televerser(upload, str(rapport))
    page.get_by_role("link", name="rapport.pdf").wait_for()
    page.wait_for_function(HTMX_IDLE)
    # the file's upload does not also start the form's autosave, whose answer would replace its status
    page.locator("#autosave-status").filter(has_text="Fichier ajouté").wait_for()
    assert PieceJointe.objects.filter(champ__dossier=dossier, filename="rapport.pdf").exists()
    check_page("annotation-fichier-ajoute")

    # a format the champ does not accept is refused before sending, next to the champ
    envois = []
    page.on("request", lambda request: envois.append(request.url) if request.method == "POST" else None)
    televerser(page.get_by_label("Rapport de visite"), str(photo))
    page.get_by_role("alert").filter(has_text="« photo.png » : format non accepté (.png)").wait_for()
    page.wait_for_timeout(500)
    assert envois == []
    assert page.get_by_role("link", name="rapport.pdf").count() == 1
    check_page("annotation-format-refuse")

    lieu = procedure.active_revision.types_de_champ.get(libelle="Lieu")
    page.locator(f'button[name="repetition-ajouter"][value="{bloc.stable_id}"]').click()
    page.locator(f'input[name^="{lieu.html_id}-"]').nth(1).wait_for()
    page.wait_for_function(HTMX_IDLE)
    check_page("annotation-ligne-ajoutee")

    page.get_by_role("button", name="Supprimer le fichier rapport.pdf").click()
    page.locator("#autosave-status").filter(has_text="Fichier supprimé : « rapport.pdf ».").wait_for()
    page.wait_for_function(HTMX_IDLE)
    assert page.get_by_role("link", name="rapport.pdf").count() == 0

    assert not PieceJointe.objects.filter(champ__dossier=dossier).exists()
    rows = Champ.objects.get(dossier=dossier, stable_id=bloc.stable_id, row_id="").data["rows"]
    assert len(rows) == 2
