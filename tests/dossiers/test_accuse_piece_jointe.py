"""The accusé de réception e-mail carries the deposit receipt PDF."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from demarches.core.emails import pieces_jointes
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services
from demarches.dossiers.models import Dossier
from tests import factories


@pytest.fixture
def depose(db, administrateur, instructeur, run_on_commit):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", False)])
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    assert services.dossier_deposer(dossier=dossier, user=owner) == []
    return Dossier.objects.get(pk=dossier.pk)


def test_the_accuse_de_reception_email_has_the_receipt_pdf(depose):
    email = OutgoingEmail.objects.get(kind="accuse_de_reception", dossier_id=depose.pk)
    assert "L'accusé de dépôt est joint à ce message" in email.body
    attachments = pieces_jointes(email)
    assert len(attachments) == 1
    filename, content, mimetype = attachments[0]
    assert filename == f"accuse-de-depot-dossier-{depose.pk}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    # the same document at each (re)delivery
    assert pieces_jointes(email)[0][1] == content
    # and it can be attached to the outgoing message
    message = EmailMessage(email.subject, email.body, "noreply@exemple.fr", [email.to])
    for attachment in attachments:
        message.attach(*attachment)
    message.send()
    assert mail.outbox[-1].attachments[0][0] == filename


def test_other_emails_carry_nothing(depose):
    email = OutgoingEmail.objects.filter(dossier_id=depose.pk).exclude(kind="accuse_de_reception").first()
    assert email is not None and pieces_jointes(email) == []
