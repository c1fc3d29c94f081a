"""The acceptance e-mail carries the attestation PDF when the démarche delivers one."""

import pytest

from demarches.core.emails import pieces_jointes
from demarches.core.models import OutgoingEmail
from demarches.documents.models import Attestation, AttestationTemplate
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from tests import factories

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


def _accepter(procedure, instructeur, capture):
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    with capture(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    return OutgoingEmail.objects.get(dossier_id=dossier.pk, kind="acceptation")


def test_the_acceptance_email_has_the_attestation_pdf(procedure, instructeur, django_capture_on_commit_callbacks):
    AttestationTemplate.objects.create(
        procedure=procedure, kind="acceptation", activated=True, title="Attestation d'acceptation",
        body="Le dossier n° --numéro du dossier-- est accepté.",
    )
    email = _accepter(procedure, instructeur, django_capture_on_commit_callbacks)
    attachments = pieces_jointes(email)
    assert len(attachments) == 1
    filename, content, mimetype = attachments[0]
    assert filename == f"attestation-acceptation-dossier-{email.dossier_id}.pdf" and mimetype == "application/pdf"
    assert f"Le dossier n° {email.dossier_id} est accepté." in pdf_text(content)
    # the very attestation the usager downloads, the same at each (re)delivery
    attestation = Attestation.objects.get(dossier_id=email.dossier_id)
    with attestation.file.open("rb") as handle:
        assert handle.read() == content
    assert pieces_jointes(email)[0][1] == content


def test_no_attachment_without_an_activated_attestation(procedure, instructeur, django_capture_on_commit_callbacks):
    AttestationTemplate.objects.create(procedure=procedure, kind="acceptation", activated=False, title="A", body="B")
    email = _accepter(procedure, instructeur, django_capture_on_commit_callbacks)
    assert pieces_jointes(email) == []
