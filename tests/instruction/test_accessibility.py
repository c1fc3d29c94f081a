"""Every page of the instruction workspace, in Chromium, checked with axe-core (serious/critical fail)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import Dossier, Follow
from demarches.instruction import services
from tests import factories

# Playwright's sync API runs an event loop in the test thread (shared with tests/e2e through the
# session "playwright" fixture); the ORM calls of the test itself stay synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

S = Dossier.State
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (CHROMIUM and AXE.exists()), reason="Chromium et axe-core sont nécessaires (make install)"),
]


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def scene(transactional_db):
    administrateur = factories.AdministrateurFactory()
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur,
        instructeurs=[instructeur],
        champs=[("header_section", "Le projet", False), ("text", "Nom du projet", True), ("piece_justificative", "Budget", False)],
    )
    en_instruction = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=en_instruction)
    factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    factories.dossier_creer(procedure=procedure, state=S.REFUSE, motivation="Hors périmètre")
    dossier_services.message_envoyer(dossier=en_instruction, user=en_instruction.user, body="Une question sur mon dossier")
    expert_user = factories.UserFactory()
    avis = services.avis_demander(
        dossier=en_instruction, instructeur=instructeur, expert_email=expert_user.email, introduction="Votre avis ?",
        question_label="Le lieu convient-il ?",
    )
    # Another expert already answered and shares his avis: the expert page shows it.
    autre = services.avis_demander(
        dossier=en_instruction, instructeur=instructeur, expert_email="autre-expert@exemple.fr", introduction="Et vous ?"
    )
    services.avis_donner(avis=autre, expert=autre.expert, answer="Favorable.")
    return {"instructeur": instructeur, "procedure": procedure, "dossier": en_instruction, "avis": avis}


def test_instruction_pages_have_no_serious_axe_violation(scene, live_server, playwright):
    procedure, dossier, avis = scene["procedure"], scene["dossier"], scene["avis"]
    args = [procedure.pk, dossier.pk]
    instructeur_pages = [
        reverse("instruction:procedures"),
        reverse("instruction:procedure", args=[procedure.pk]) + "?statut=tous",
        reverse("instruction:dossier", args=args),
        reverse("instruction:messagerie", args=args),
        reverse("instruction:decision", args=[*args, "refuser"]),
    ]
    expert_pages = [reverse("instruction:avis"), reverse("instruction:avis_detail", args=[avis.pk])]
    cookies = {
        "instructeur": _session_cookie(scene["instructeur"].user, live_server),
        "expert": _session_cookie(avis.expert.user, live_server),
    }

    failures, console_errors = {}, []
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
    try:
        for role, pages in (("instructeur", instructeur_pages), ("expert", expert_pages)):
            context = browser.new_context()
            context.add_cookies([cookies[role]])
            page = context.new_page()
            page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
            for path in pages:
                response = page.goto(live_server.url + path)
                assert response.status == 200, path
                assert page.locator("h1").count() == 1, path
                violations = _axe_violations(page)
                if violations:
                    failures[path] = violations
            if role == "instructeur":
                # the decision dialog opens, and a refusal without motivation shows the error next to the field
                page.goto(live_server.url + reverse("instruction:dossier", args=args))
                page.get_by_role("button", name="Refuser").click()
                dialog = page.locator("#modale-refuser")
                dialog.wait_for(state="visible")
                dialog.get_by_role("button", name="Valider la décision").click()
                page.wait_for_load_state()
                error = page.locator("#id_refuser-motivation-messages")
                assert "La motivation est obligatoire" in error.inner_text()
                violations = _axe_violations(page)
                if violations:
                    failures["refus sans motivation"] = violations
            context.close()
    finally:
        browser.close()
    assert failures == {}
    assert console_errors == []
