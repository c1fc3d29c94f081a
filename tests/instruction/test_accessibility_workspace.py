"""The pages added for annotations, archives, labels, corrections and personnes impliquées, in
Chromium with axe-core (serious/critical fail), plus the annotation autosave through htmx."""

import pytest
from django.urls import reverse

from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier, Follow
from demarches.instruction import services
from demarches.procedures import services as procedure_services
from tests import factories
from tests.instruction.test_accessibility import AXE, CHROMIUM, _axe_violations, _session_cookie

S = Dossier.State

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (CHROMIUM and AXE.exists()), reason="Chromium et axe-core sont nécessaires (make install)"),
]


@pytest.fixture
def scene(transactional_db):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    collegue = factories.InstructeurFactory()
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur, collegue], publier=False)
    for type_champ, libelle in (("textarea", "Avis du service"), ("integer_number", "Montant accordé"), ("yes_no", "Visite faite")):
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle, private=True
        )
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="a11y-annotations")
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    urgent = services.labels_de_la_procedure(procedure)[-1]
    services.dossier_labels_definir(dossier=dossier, instructeur=instructeur, label_ids=[urgent.pk])
    archive = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    services.dossier_archiver(dossier=archive, instructeur=instructeur)
    corrige = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    transitions.repasser_en_construction_avec_correction(dossier=corrige, instructeur=instructeur, message="Le devis manque.")
    return {
        "administrateur": administrateur, "instructeur": instructeur, "procedure": procedure, "dossier": dossier,
        "archive": archive, "corrige": corrige,
    }


def test_new_pages_have_no_serious_axe_violation_and_autosave_works(scene, live_server, playwright):
    procedure, dossier = scene["procedure"], scene["dossier"]
    args = [procedure.pk, dossier.pk]
    pages = {
        "instructeur": [
            reverse("instruction:procedures"),
            reverse("instruction:procedure", args=[procedure.pk]) + "?statut=archives",
            reverse("instruction:procedure", args=[procedure.pk]) + "?statut=tous",
            reverse("instruction:annotations", args=args),
            reverse("instruction:personnes", args=args),
            reverse("instruction:demander_correction", args=args),
            reverse("instruction:dossier", args=[procedure.pk, scene["archive"].pk]),
            reverse("instruction:messagerie", args=[procedure.pk, scene["archive"].pk]),
        ],
        "administrateur": [reverse("procedures:annotations", args=[procedure.pk])],
        "usager": [reverse("dossiers:show", args=[scene["corrige"].pk])],
    }
    users = {
        "instructeur": scene["instructeur"].user, "administrateur": scene["administrateur"].user, "usager": scene["corrige"].user,
    }
    failures = {}
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
    try:
        for role, paths in pages.items():
            context = browser.new_context()
            context.add_cookies([_session_cookie(users[role], live_server)])
            page = context.new_page()
            for path in paths:
                response = page.goto(live_server.url + path)
                assert response.status == 200, path
                assert page.locator("h1").count() == 1, path
                violations = _axe_violations(page)
                if violations:
                    failures[path] = violations
            if role == "instructeur":
                # autosave: typing in an annotation saves it without pressing « Sauvegarder »
                page.goto(live_server.url + reverse("instruction:annotations", args=args))
                page.get_by_label("Avis du service").fill("Projet solide")
                page.locator("#autosave-status").filter(has_text="Annotations sauvegardées").wait_for()
                # an invalid value, saved with the button, shows its error next to the field
                page.get_by_label("Montant accordé").fill("12.5")
                page.get_by_role("button", name="Sauvegarder").click()
                page.wait_for_load_state()
                assert page.locator(".fr-error-text").count() == 1
                violations = _axe_violations(page)
                if violations:
                    failures["annotation invalide"] = violations
            context.close()
    finally:
        browser.close()
    assert failures == {}
    champ = dossier.champs.get(type_de_champ__libelle="Avis du service")
    assert champ.value == "Projet solide"
