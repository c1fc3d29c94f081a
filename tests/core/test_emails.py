import pytest
from django.db import transaction
from django.urls import reverse

from demarches.core import tasks
from demarches.core.emails import email_envoyer
from demarches.core.models import OutgoingEmail
from tests import factories


def _send(**kwargs):
    return email_envoyer(
        to="claire@exemple.fr", subject="Objet", template="dossiers/emails/nouveau_dossier",
        context={"dossier": None, "procedure": None}, **kwargs,
    )


@pytest.mark.django_db
def test_an_email_is_delivered_only_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = _send()
        assert mailoutbox == []
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1
    assert mailoutbox[0].to == ["claire@exemple.fr"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_operation_sends_nothing(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send()
        raise RuntimeError("échec de l'opération")
    assert OutgoingEmail.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_delivery_is_idempotent(mailoutbox):
    email = _send()
    tasks.deliver_email(email.pk)
    tasks.deliver_email(email.pk)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_periodic_job_delivers_forgotten_emails(mailoutbox):
    email = _send()
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=email.created_at - __import__("datetime").timedelta(minutes=10))
    tasks.deliver_pending_emails()
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff,expected", [(True, 200), (False, 302)])
def test_sent_emails_page_is_for_super_admins_only(client, is_staff, expected):
    email = _send()
    user = factories.UserFactory(is_staff=is_staff)
    client.force_login(user)
    assert client.get(reverse("sent_emails")).status_code == expected
    response = client.get(reverse("sent_email", args=[email.pk]))
    assert response.status_code == expected
    if is_staff:
        assert "Objet" in response.content.decode()


@pytest.mark.django_db
def test_demo_data_loads_once_and_publishes_the_demo_procedure():
    from demarches.core.demo import DEMO_PATH, charger_demo
    from demarches.procedures.models import Procedure

    assert charger_demo() is True
    assert charger_demo() is False
    procedure = Procedure.objects.get(path=DEMO_PATH)
    assert procedure.state == Procedure.State.PUBLIEE
    assert procedure.default_groupe.instructeurs.count() == 3
