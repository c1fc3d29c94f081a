"""The custom scalars of the reference schema, serialised the way the reference serialises them."""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NewType

import strawberry
from django.utils import timezone


# The time zone of the request being executed: looking the current one up in Django costs a
# context-local read per value, thousands of times for a page of dossiers.
_REQUEST_TIMEZONE: ContextVar = ContextVar("api_request_timezone", default=None)


@contextmanager
def request_timezone():
    """Serialise the dates and times of the enclosed execution in the time zone current now."""
    token = _REQUEST_TIMEZONE.set(timezone.get_current_timezone())
    try:
        yield
    finally:
        _REQUEST_TIMEZONE.reset(token)


def _serialize_datetime(value: datetime.datetime) -> str:
    tz = _REQUEST_TIMEZONE.get() or timezone.get_current_timezone()
    if value.utcoffset() is None:
        value = timezone.make_aware(value, tz)
    return value.astimezone(tz).isoformat(timespec="seconds")


def _parse_datetime(value) -> datetime.datetime:
    if not isinstance(value, str):
        raise ValueError("ISO8601DateTime attend une chaîne au format ISO 8601.")
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = datetime.datetime.combine(datetime.date.fromisoformat(value.strip()), datetime.time())
        except ValueError:
            raise ValueError(f"Date et heure invalides : « {value} » (format ISO 8601 attendu).") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _parse_date(value) -> datetime.date:
    if not isinstance(value, str):
        raise ValueError("ISO8601Date attend une chaîne au format AAAA-MM-JJ.")
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"Date invalide : « {value} » (format AAAA-MM-JJ attendu).") from None


def _parse_bigint(value) -> int:
    if isinstance(value, bool):
        raise ValueError("BigInt attend un nombre entier.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"Nombre entier invalide : « {value} ».")


ISO8601DateTime = NewType("ISO8601DateTime", datetime.datetime)
ISO8601Date = NewType("ISO8601Date", datetime.date)
BigInt = NewType("BigInt", int)
URL = NewType("URL", str)
Coordinates = NewType("Coordinates", object)

# Given to the schema's StrawberryConfig.
SCALAR_MAP = {
    ISO8601DateTime: strawberry.scalar(
        name="ISO8601DateTime",
        description="Une date et une heure au format ISO 8601.",
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
    ),
    ISO8601Date: strawberry.scalar(
        name="ISO8601Date",
        description="Une date au format ISO 8601.",
        serialize=lambda value: value.isoformat(),
        parse_value=_parse_date,
    ),
    BigInt: strawberry.scalar(
        name="BigInt",
        description="Un nombre entier, transmis sous forme de chaîne car il peut dépasser 32 bits.",
        serialize=lambda value: str(int(value)),
        parse_value=_parse_bigint,
    ),
    URL: strawberry.scalar(
        name="URL", description="Une adresse web, transmise sous forme de chaîne.", serialize=str, parse_value=str
    ),
    Coordinates: strawberry.scalar(
        name="Coordinates",
        description="Les coordonnées d'une géométrie GeoJSON.",
        serialize=lambda value: value,
        parse_value=lambda value: value,
    ),
}
