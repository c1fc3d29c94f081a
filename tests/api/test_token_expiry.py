"""E-mail notices before an API token expires: 7 days and 1 day before, once each."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from demarches.api import services, tasks
from demarches.api.models import APIToken
from demarches.core.models import OutgoingEmail

DAY = datetime.timedelta(days=1)


def _notices():
    return list(OutgoingEmail.objects.filter(kind="api_jeton_expiration").order_by("pk"))


@pytest.fixture
def jeton_30_jours(administrateur, demarche):
    token, _secret = services.api_token_creer(
        administrateur=administrateur, name="Synchronisation SI", write_access=False, procedures=[demarche], duree_jours=30,
    )
    return token


def test_one_notice_seven_days_then_one_the_day_before(jeton_30_jours, administrateur, demarche):
    token = jeton_30_jours
    start = token.expires_at
    # Nothing while the token has more than 7 days left
    assert services.api_tokens_expiration_prevenir(now=start - 10 * DAY) == 0
    # 6 days and a half before: the 7-day notice, to the administrateur
    assert services.api_tokens_expiration_prevenir(now=start - 6.5 * DAY) == 1
    [notice] = _notices()
    assert notice.to == administrateur.user.email
    assert "« Synchronisation SI »" in notice.subject and "expire dans" in notice.subject
    assert "/admin/tokens/" in notice.body and f"n° {demarche.pk}" in notice.body and "lecture seule" in notice.body
    assert "jamais été utilisé" in notice.body
    # Run again (the job runs every hour): no second 7-day notice
    assert services.api_tokens_expiration_prevenir(now=start - 6 * DAY) == 0
    assert services.api_tokens_expiration_prevenir(now=start - 2 * DAY) == 0
    # 12 hours before: the 1-day notice, once
    assert services.api_tokens_expiration_prevenir(now=start - 0.5 * DAY) == 1
    assert services.api_tokens_expiration_prevenir(now=start - 0.25 * DAY) == 0
    assert len(_notices()) == 2
    token.refresh_from_db()
    assert token.expiry_notices_sent == [1, 7]
    # Once expired: nothing more
    assert services.api_tokens_expiration_prevenir(now=start + DAY) == 0


def test_short_token_gets_only_the_most_urgent_notice(administrateur):
    # Given a token created for one day only (within both thresholds at once)
    token, _ = services.api_token_creer(administrateur=administrateur, name="Essai", write_access=True, duree_jours=1)
    # Then a single notice is sent, and neither threshold sends another
    assert services.api_tokens_expiration_prevenir() == 1
    assert services.api_tokens_expiration_prevenir() == 0
    [notice] = _notices()
    assert "demain" in notice.subject and "lecture et écriture" in notice.body and "toutes vos démarches" in notice.body
    token.refresh_from_db()
    assert token.expiry_notices_sent == [1, 7]


def test_revoked_tokens_get_no_notice(jeton_30_jours, administrateur):
    services.api_token_revoquer(token=jeton_30_jours, administrateur=administrateur)
    assert services.api_tokens_expiration_prevenir(now=jeton_30_jours.expires_at - 3 * DAY) == 0
    assert _notices() == []


def test_notice_mentions_last_use(jeton_30_jours):
    APIToken.objects.filter(pk=jeton_30_jours.pk).update(last_used_at=timezone.now())
    services.api_tokens_expiration_prevenir(now=jeton_30_jours.expires_at - 3 * DAY)
    assert "Dernière utilisation" in _notices()[0].body


def test_periodic_task_sends_the_notices(administrateur, django_capture_on_commit_callbacks):
    services.api_token_creer(administrateur=administrateur, name="Court", write_access=False, duree_jours=7)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.api_tokens_expiration_prevenir.delay()
    assert result.get() == 1 and len(_notices()) == 1


def test_registered_as_a_periodic_task():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "demarches.api.tasks.api_tokens_expiration_prevenir" in tasks_scheduled
