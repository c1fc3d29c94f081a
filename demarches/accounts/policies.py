"""Rules on accounts: when an account is locked, which profile a person may use."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def max_failed_logins() -> int:
    return settings.ACCOUNT_MAX_FAILED_LOGINS


def lock_duration() -> timedelta:
    return timedelta(minutes=settings.ACCOUNT_LOCK_DURATION_MINUTES)


def lock_expires_at(user) -> datetime | None:
    if user.locked_at is None:
        return None
    return user.locked_at + lock_duration()


def is_locked(user, *, now: datetime | None = None) -> bool:
    """Locked from `locked_at` for ACCOUNT_LOCK_DURATION_MINUTES; an expired lock no longer counts."""
    expires_at = lock_expires_at(user)
    return expires_at is not None and (now or timezone.now()) < expires_at


def has_expired_lock(user, *, now: datetime | None = None) -> bool:
    return user.locked_at is not None and not is_locked(user, now=now)


def invitation_is_open(invitation) -> bool:
    return invitation.accepted_at is None


def invitation_is_for(invitation, user) -> bool:
    return bool(user and user.is_authenticated and user.email.lower() == invitation.email.strip().lower())
