"""Browser journey of an administrateur with one champ of every type of the registry: build the form
through the editor, preview it, file a test dossier through the test link, publish with a custom
path, change the form after publication and publish the revision, close. axe-core on every admin page.
The administrateur, also instructeur, processes the test dossier up to acceptance and previews an e-mail with it.

The types come from demarches/fields/registry.py: a type added to the registry is added here too,
and the journey fails if the editor does not offer it.
"""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from demarches.dossiers.models import Dossier
from demarches.fields import registry
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
# Types that need options to be created, with the options typed in the editor (one per line).
OPTIONS = {
    "drop_down_list": "Mécanique\nÉlectrique",
    "multiple_drop_down_list": "Vélo\nTrottinette",
    "linked_drop_down_list": "--Bretagne--\nRennes\nBrest\n--Normandie--\nCaen",
}


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def _idle(page):
    page.wait_for_function(HTMX_IDLE)


def _libelle(field_type) -> str:
    return f"Question « {field_type.label} »"


def _ajouter(page, field_type):
    libelle = _libelle(field_type)
    # The add form was just swapped in: let htmx bind it before its type select is changed.
    _idle(page)
    page.locator("#id_nouveau-type_champ").select_option(field_type.key)
    _idle(page)
    if field_type.key in OPTIONS:
        page.locator("#nouveau-options-zone").get_by_text(f"Options du type « {field_type.label} »").wait_for()
        page.get_by_label("Options (une par ligne)").fill(OPTIONS[field_type.key])
    page.locator("#id_nouveau-libelle").fill(libelle)
    page.get_by_role("button", name="Ajouter un champ", exact=True).click()
    page.get_by_text(f"Le champ « {libelle} » a été ajouté.", exact=True).first.wait_for()


def _etat(page, dossier, state):
    for _ in range(100):
        dossier.refresh_from_db()
        if dossier.state == state:
            return
        page.wait_for_timeout(100)
    assert dossier.state == state


def test_every_type_journey(page, live_url, check_page, tmp_path):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        # the administrateur is also an instructeur of his démarche: he rehearses the instruction on test dossiers
        administrateur=administrateur, instructeurs=[instructeur, factories.InstructeurFactory(user=administrateur.user)],
        publier=False, champs=[],
        libelle="Aide à la mobilité",
    )
    types = registry.all_types()
    assert len(types) >= 30 and len({t.key for t in types}) == len(types)
    _login(page, live_url, administrateur.user)

    # --- the form: one champ of each type, through the editor ---
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/champs/")
    check_page("tous-types-editeur-vide")
    offerts = page.locator("#id_nouveau-type_champ option").evaluate_all("options => options.map(o => o.value)")
    assert {t.key for t in types} <= set(offerts), "the editor must offer every type of the registry"
    for field_type in types:
        _ajouter(page, field_type)
    _idle(page)
    check_page("tous-types-editeur")
    draft = Procedure.objects.get(pk=procedure.pk).draft_revision
    assert sorted(draft.types_de_champ.values_list("type_champ", flat=True)) == sorted(t.key for t in types)
    assert set(draft.types_de_champ.values_list("libelle", flat=True)) == {_libelle(t) for t in types}

    # --- preview: every libellé is shown ---
    page.get_by_role("link", name="Prévisualiser le formulaire").click()
    check_page("tous-types-apercu")
    for field_type in types:
        expect(page.get_by_text(_libelle(field_type), exact=False).first).to_be_visible()

    # --- a test dossier through the test link ---
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/")
    check_page("tous-types-demarche-en-test")
    href = page.locator("main a[href*='/commencer/test/']").first.get_attribute("href")
    assert href.endswith(f"/commencer/test/{procedure.test_token}")
    page.goto(live_url + "/commencer/test/" + str(procedure.test_token))
    page.get_by_role("button", name="Commencer la démarche").click()
    page.get_by_role("radio", name="Mme").check(force=True)
    page.get_by_label("Nom *", exact=True).fill("Durand")
    page.get_by_label("Prénom *").fill("Alice")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label(_libelle(registry.get("text"))).fill("Mon vélo")
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"enregistré"))
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    dossier = Dossier.objects.get(procedure=procedure)
    assert dossier.state == Dossier.State.EN_CONSTRUCTION and dossier.for_procedure_preview

    # --- the administrateur, as instructeur, processes the test dossier up to a decision ---
    page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Passer en instruction").click()
    _etat(page, dossier, Dossier.State.EN_INSTRUCTION)
    page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Accepter").click()
    acceptation = page.locator("#modale-accepter")
    acceptation.wait_for(state="visible")
    acceptation.get_by_label("Motivation", exact=False).fill("Essai de la démarche.")
    acceptation.get_by_role("button", name="Valider la décision").click()
    _etat(page, dossier, Dossier.State.ACCEPTE)

    # --- the acceptance e-mail previewed with this test dossier ---
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/emails/acceptation/")
    page.get_by_label("Numéro du dossier pour l'aperçu (facultatif)").fill(str(dossier.pk))
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_role("heading", name=f"Aperçu avec le dossier n° {dossier.pk}").wait_for()
    check_page("tous-types-email-apercu-dossier-test")
    expect(page.get_by_text(f"Objet : Votre dossier n° {dossier.pk} a été accepté (Aide à la mobilité)")).to_be_visible()

    # --- publish with a custom path ---
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/publier/")
    check_page("tous-types-publier")
    page.get_by_label("Adresse de la démarche").fill("aide-mobilite-tous-types")
    page.get_by_label("Où les usagers trouveront-ils le lien de la démarche ?").fill("https://exemple.gouv.fr/mobilite")
    page.get_by_role("button", name="Publier").click()
    check_page("tous-types-publiee")
    assert page.get_by_role("link", name=f"{live_url}/commencer/aide-mobilite-tous-types").first.is_visible()
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.PUBLIEE and procedure.path == "aide-mobilite-tous-types"
    assert procedure.lien_site == "https://exemple.gouv.fr/mobilite"
    assert not Dossier.objects.filter(procedure=procedure).exists()  # test dossiers go at publication

    # --- change the form after publication, publish the revision ---
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/champs/")
    _idle(page)
    page.locator("#id_nouveau-type_champ").select_option("text")
    _idle(page)
    page.locator("#id_nouveau-libelle").fill("Commune de résidence")
    page.get_by_role("button", name="Ajouter un champ", exact=True).click()
    page.get_by_text("Le champ « Commune de résidence » a été ajouté.", exact=True).first.wait_for()
    check_page("tous-types-editeur-apres-publication")
    page.goto(f"{live_url}/admin/procedures/{procedure.pk}/")
    page.get_by_role("link", name="Publier les modifications").click()
    check_page("tous-types-publier-modifications")
    assert page.get_by_text("du champ « Commune de résidence »", exact=False).is_visible()
    page.get_by_role("button", name="Publier les modifications").click()
    page.get_by_text("La démarche est publiée.", exact=False).wait_for()
    check_page("tous-types-revision-publiee")
    procedure.refresh_from_db()
    publies = set(procedure.published_revision.types_de_champ.values_list("type_champ", flat=True))
    assert publies == {t.key for t in types}
    assert procedure.published_revision.types_de_champ.filter(libelle="Commune de résidence").exists()

    # --- close ---
    page.get_by_role("link", name="Clore").click()
    check_page("tous-types-clore")
    page.get_by_role("button", name="Clore la démarche").click()
    check_page("tous-types-close")
    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.CLOSE
