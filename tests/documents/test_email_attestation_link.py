import pytest

from demarches.core.models import OutgoingEmail
from demarches.documents.models import AttestationTemplate
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize("activated", [True, False])
def test_the_acceptance_email_links_the_attestation_only_when_the_demarche_delivers_one(
    procedure, instructeur, activated, django_capture_on_commit_callbacks
):
    AttestationTemplate.objects.create(procedure=procedure, kind="acceptation", activated=activated)
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    body = OutgoingEmail.objects.get(dossier_id=dossier.pk, kind="acceptation").body
    assert ("Votre attestation : " in body) is activated
    if activated:
        assert f"/dossiers/{dossier.pk}/" in body.split("Votre attestation : ")[1].splitlines()[0]
