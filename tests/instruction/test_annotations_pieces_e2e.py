"""Browser journey: an instructeur attaches a file to a pièce justificative annotation (htmx upload,
as on the usager's form), a wrong format is refused next to the champ, he removes the file, and adds
a row to a repetition annotation. axe-core on every screen."""

import pytest
from django.test import Client
from django.urls import reverse

from demarches.dossiers.models import Champ, Dossier, Follow, PieceJointe
from demarches.procedures import editeur
from demarches.procedures import services as procedure_services
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def _login(page, live_url, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def test_an_instructeur_uploads_a_file_to_an_annotation(page, live_url, check_page, tmp_path):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], publier=False)
    editeur.champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="piece_justificative", libelle="Rapport de visite",
        private=True, options={"formats": ["pdf"]},
    )
    bloc = editeur.champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="repetition", libelle="Visites", private=True
    )
    editeur.champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Lieu", parent_stable_id=bloc.stable_id
    )
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="annotations-pj-e2e")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    rapport = tmp_path / "rapport.pdf"
    rapport.write_bytes(b"%PDF-1.4 rapport " + b"x" * 300)
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 50)

    _login(page, live_url, instructeur.user)
    page.goto(live_url + reverse("instruction:annotations", args=[procedure.pk, dossier.pk]))
    check_page("annotations-pj")

    upload = page.get_by_label("Rapport de visite")
    upload.set_input_files(str(rapport))
    # The file's link is what tells the upload is done (the form's autosave may answer after it and
    # write its own status).
    page.get_by_role("link", name="rapport.pdf").wait_for()
    page.wait_for_function(HTMX_IDLE)
    assert PieceJointe.objects.filter(champ__dossier=dossier, filename="rapport.pdf").exists()
    check_page("annotation-fichier-ajoute")

    page.get_by_label("Rapport de visite").set_input_files(str(photo))
    page.locator(".fr-error-text").filter(has_text="Le format du fichier « photo.png » n'est pas accepté pour ce champ.").wait_for()
    page.wait_for_function(HTMX_IDLE)
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
