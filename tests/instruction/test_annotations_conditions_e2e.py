"""Browser journey: the administrateur makes an annotation privée conditional in the editor, then an
instructeur fills the annotations: the conditional one appears and disappears as he answers, and a
hidden annotation is emptied when saved. axe-core on every screen."""

import pytest

from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.procedures import services as procedure_services
from tests import factories
from tests.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def test_conditional_annotation_from_editor_to_instruction(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False, champs=[("text", "Nom du projet", True)],
    )
    for type_champ, libelle in (("yes_no", "Dossier complet ?"), ("textarea", "Pièces manquantes")):
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle, private=True,
        )
    pieces = procedure.draft_revision.types_de_champ.get(libelle="Pièces manquantes")
    complet = procedure.draft_revision.types_de_champ.get(libelle="Dossier complet ?")

    # the administrateur: « Pièces manquantes » only when the dossier is not complete
    login(page, live_url, administrateur.user)
    page.goto(live_url + f"/admin/procedures/{procedure.pk}/annotations/")
    page.get_by_role("link", name="Condition d'affichage du champ « Pièces manquantes »").click()
    editeur = page.locator(f"#champ-{pieces.stable_id}-editeur")
    editeur.wait_for()
    page.wait_for_function(HTMX_IDLE)
    editeur.get_by_label("Champ de la condition 1").select_option(label="Dossier complet ?")
    page.locator(f"select#champ-{pieces.stable_id}-0-value option", has_text="Non").wait_for(state="attached")
    page.wait_for_function(HTMX_IDLE)
    page.locator(f"#champ-{pieces.stable_id}-editeur").get_by_label("Valeur de la condition 1").select_option(label="Non")
    check_page("condition-annotation")
    page.locator(f"#champ-{pieces.stable_id}-editeur").get_by_role("button", name="Enregistrer la condition").click()
    page.get_by_text("La condition du champ « Pièces manquantes » a été enregistrée.", exact=True).first.wait_for()
    page.get_by_text("« Dossier complet ? » est égal à « Non »").wait_for()
    check_page("annotations-editeur")

    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="complet")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)

    # the instructeur: the annotation shows once « Non » is answered (after the autosave)
    login(page, live_url, instructeur.user)
    page.goto(live_url + f"/procedures/{procedure.pk}/dossiers/{dossier.pk}/annotations/")
    champ_pieces = page.get_by_label("Pièces manquantes")
    assert champ_pieces.is_hidden()
    check_page("annotations-masquee")
    page.locator(f"label[for=champ-{complet.stable_id}-non]").click()  # DSFR: the label covers the radio
    champ_pieces.wait_for(state="visible")
    page.wait_for_function(HTMX_IDLE)
    champ_pieces.fill("Le relevé d'identité bancaire")
    page.get_by_text("Annotations sauvegardées").wait_for()
    page.wait_for_function(HTMX_IDLE)
    check_page("annotations-affichee")

    # « Oui »: hidden again; saved, its value is emptied
    page.locator(f"label[for=champ-{complet.stable_id}-oui]").click()
    champ_pieces.wait_for(state="hidden")
    page.get_by_role("button", name="Sauvegarder").click()
    page.get_by_text("Les annotations privées ont été sauvegardées.").wait_for()
    assert page.get_by_label("Pièces manquantes").is_hidden()
    champ = Champ.objects.get(dossier=dossier, stable_id=pieces.stable_id)
    assert champ.value == ""
    check_page("annotations-sauvegardees")
