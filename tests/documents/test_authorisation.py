"""Who may download which document: role × document × ownership. Anybody else gets a 404."""

import pytest
from django.urls import reverse

from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from demarches.instruction import services as instruction_services
from tests import factories

from .conftest import deposer, instruire, response_bytes
from .test_attestations import activer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(procedure, instructeur, administrateur, django_capture_on_commit_callbacks):
    activer(procedure, administrateur)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(procedure)
    instruire(dossier, instructeur)
    expert_user = factories.UserFactory()
    avis = instruction_services.avis_demander(
        dossier=dossier, instructeur=instructeur, expert_email=expert_user.email, introduction="Votre avis ?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    autre_expert_user = factories.UserFactory()
    autre_procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    autre_dossier = factories.dossier_creer(procedure=autre_procedure, state=Dossier.State.EN_INSTRUCTION)
    instruction_services.avis_demander(
        dossier=autre_dossier, instructeur=autre_procedure.default_groupe.instructeurs.get(),
        expert_email=autre_expert_user.email, introduction="?",
    )
    return {
        "dossier": dossier,
        "avis": avis,
        "users": {
            "proprietaire": dossier.user,
            "autre_usager": factories.UserFactory(),
            "instructeur": instructeur.user,
            "instructeur_autre_demarche": autre_procedure.default_groupe.instructeurs.get().user,
            "expert": expert_user,
            "autre_expert": autre_expert_user,
            "administrateur": administrateur.user,
            "autre_administrateur": factories.AdministrateurFactory().user,
        },
    }


def _urls(world):
    dossier, avis = world["dossier"], world["avis"]
    p = dossier.procedure_id
    return {
        "dossier_pdf": (reverse("documents:dossier_pdf", args=[dossier.pk]), {"proprietaire"}),
        "accuse_depot": (reverse("documents:accuse_depot", args=[dossier.pk]), {"proprietaire"}),
        "attestation": (reverse("documents:attestation", args=[dossier.pk]), {"proprietaire"}),
        "dossier_pdf_instructeur": (reverse("documents:dossier_pdf_instructeur", args=[p, dossier.pk]), {"instructeur"}),
        "dossier_pdf_instructeur_complet": (
            reverse("documents:dossier_pdf_instructeur", args=[p, dossier.pk]) + "?annotations=1&avis=1", {"instructeur"}
        ),
        "attestation_instructeur": (reverse("documents:attestation_instructeur", args=[p, dossier.pk]), {"instructeur"}),
        "dossier_pdf_expert": (reverse("documents:dossier_pdf_expert", args=[avis.pk]), {"expert"}),
        "attestation_modele": (reverse("documents:attestation_modele", args=[p]), {"administrateur"}),
        "attestation_modele_refus": (reverse("documents:attestation_modele_refus", args=[p]), {"administrateur"}),
        "attestation_apercu": (reverse("documents:attestation_apercu", args=[p]), {"administrateur"}),
        "attestation_apercu_refus": (reverse("documents:attestation_apercu_refus", args=[p]), {"administrateur"}),
    }


ROLES = ["proprietaire", "autre_usager", "instructeur", "instructeur_autre_demarche", "expert", "autre_expert",
         "administrateur", "autre_administrateur"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_documents(client, world, role):
    client.force_login(world["users"][role])
    for name, (url, allowed) in _urls(world).items():
        response = client.get(url)
        expected = 200 if role in allowed else 404
        assert response.status_code == expected, f"{role} → {name}: {response.status_code}"
        if expected == 200 and "modele" not in name:
            assert response_bytes(response).startswith(b"%PDF"), name
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "private, no-store"


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for name, (url, _allowed) in _urls(world).items():
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], name


def test_an_instructeur_url_with_another_demarche_number_is_404(client, world, instructeur):
    dossier = world["dossier"]
    client.force_login(instructeur.user)
    other = factories.procedure_creer(instructeurs=[instructeur])  # he instructs it too
    assert client.get(reverse("documents:dossier_pdf_instructeur", args=[other.pk, dossier.pk])).status_code == 404


def test_nothing_is_downloadable_from_a_brouillon(client, procedure):
    brouillon = factories.dossier_creer(procedure=procedure)
    client.force_login(brouillon.user)
    for name in ("dossier_pdf", "accuse_depot", "attestation"):
        assert client.get(reverse(f"documents:{name}", args=[brouillon.pk])).status_code == 404, name


def test_no_attestation_is_served_when_none_is_due(client, procedure, instructeur):
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)
    client.force_login(dossier.user)
    assert client.get(reverse("documents:attestation", args=[dossier.pk])).status_code == 404


def test_an_attestation_due_but_not_yet_delivered_is_made_on_demand(client, procedure, instructeur, administrateur):
    """The job has not run yet (or its worker died): the download delivers it."""
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)  # no after-commit callbacks here
    activer(procedure, administrateur)
    client.force_login(dossier.user)

    response = client.get(reverse("documents:attestation", args=[dossier.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="attestation-acceptation-dossier-{dossier.pk}.pdf"'
    assert dossier.attestations.count() == 1
