"""The public verification page: facts of the document, never personal data."""

from html import unescape

import pytest
from django.urls import reverse

from demarches.documents import services
from demarches.documents.models import AttestationKind
from demarches.dossiers import transitions

from .conftest import deposer, instruire
from .test_attestations import activer

pytestmark = pytest.mark.django_db

MOTIVATION = "Avis favorable de la commission du 4 mars."


@pytest.fixture
def accepte(procedure, instructeur, administrateur, django_capture_on_commit_callbacks):
    activer(procedure, administrateur)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(procedure)
    instruire(dossier, instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation=MOTIVATION)
    dossier.refresh_from_db()
    return dossier


def personal_data(dossier) -> list[str]:
    return [dossier.user.email, "Lefèvre", "Hélène", "Les petits pas", "crèche de 24 places", "plan-des-locaux", MOTIVATION]


def test_an_attestation_is_confirmed_with_its_key_facts_and_no_personal_data(client, accepte):
    attestation = accepte.attestations.get()

    response = client.get(reverse("documents:verifier", args=[attestation.code]))

    assert response.status_code == 200
    html = unescape(response.content.decode())
    for fact in ("Document authentique", attestation.code, "Attestation d'acceptation", f">{accepte.pk}</dd>",
                 "Ouverture d'une crèche", "Service des autorisations", "Dossier accepté le",
                 attestation.content_digest, attestation.file_digest):
        assert fact in html, fact
    for secret in personal_data(accepte):
        assert secret not in html, secret
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_receipt_is_confirmed_with_its_deposit_time_and_digest(client, accepte):
    accuse = services.accuse_depot_a_telecharger(accepte)

    response = client.get(reverse("documents:verifier", args=[accuse.code]))

    html = unescape(response.content.decode())
    assert response.status_code == 200
    for fact in ("Document authentique", "Accusé de dépôt", "Dossier déposé le", "(heure de Paris)",
                 accuse.content_digest, accuse.file_digest):
        assert fact in html, fact
    for secret in personal_data(accepte):
        assert secret not in html, secret


def test_a_revoked_attestation_is_said_to_be_no_longer_valid(client, accepte, instructeur, django_capture_on_commit_callbacks):
    attestation = accepte.attestations.get()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.repasser_en_instruction(dossier=accepte, instructeur=instructeur)

    html = unescape(client.get(reverse("documents:verifier", args=[attestation.code])).content.decode())

    assert "il n'est plus valable" in html
    assert "Document authentique" not in html


def test_an_unknown_code_gets_a_clear_404_page(client, db):
    response = client.get(reverse("documents:verifier", args=["ZZZZ-ZZZZ-ZZZZ-ZZZZ"]))

    assert response.status_code == 404
    html = unescape(response.content.decode())
    assert "Aucun document ne correspond à ce code" in html
    assert "ZZZZ-ZZZZ-ZZZZ-ZZZZ" in html
    assert client.get(reverse("documents:verifier", args=["n-importe-quoi"])).status_code == 404


def test_a_code_typed_in_lower_case_or_without_dashes_leads_to_the_document(client, accepte):
    code = accepte.attestations.get().code

    response = client.get(reverse("documents:verifier", args=[code.replace("-", "").lower()]))
    assert response.status_code == 302 and response["Location"] == reverse("documents:verifier", args=[code])

    response = client.get(reverse("documents:verifier_formulaire"), {"code": f" {code.lower()} "})
    assert response.status_code == 302 and response["Location"] == reverse("documents:verifier", args=[code])


def test_the_form_explains_a_malformed_code(client, db):
    response = client.get(reverse("documents:verifier_formulaire"), {"code": "1234"})

    assert response.status_code == 200
    assert "Ce code n'a pas le bon format" in unescape(response.content.decode())
    assert 'aria-invalid="true"' in unescape(response.content.decode())


def test_a_refusal_attestation_states_the_refusal(client, procedure, instructeur, administrateur, django_capture_on_commit_callbacks):
    activer(procedure, administrateur, AttestationKind.REFUS)
    dossier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.refuser(dossier=dossier, instructeur=instructeur, motivation="Hors délai.")

    html = unescape(client.get(reverse("documents:verifier", args=[dossier.attestations.get().code])).content.decode())

    assert "Attestation de refus" in html and "Dossier refusé le" in html and "Hors délai." not in html


def test_documents_of_a_test_dossier_say_they_have_no_value(client, administrateur, instructeur, django_capture_on_commit_callbacks):
    from tests import factories

    from .conftest import CHAMPS, pdf_text

    en_test = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, publier=False)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(en_test)
    assert dossier.for_procedure_preview
    accuse = services.accuse_depot_a_telecharger(dossier)

    assert "Dossier de test, déposé sur une démarche en test : ce document n'a aucune valeur." in pdf_text(accuse.file.read())
    html = unescape(client.get(reverse("documents:verifier", args=[accuse.code])).content.decode())
    assert "Dossier de test déposé sur une démarche en test : ce document n'a aucune valeur." in html
