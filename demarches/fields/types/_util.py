"""Small helpers shared by the type modules."""

from django.utils import timezone

# Longest text any single-line champ keeps: beyond, the input is refused rather than truncated.
MAX_LINE_LENGTH = 1000
TEXT_OPERATORS = ("eq", "not_eq", "include", "empty", "not_empty")
ORDER_OPERATORS = ("eq", "not_eq", "lt", "lte", "gt", "gte", "empty", "not_empty")
GEO_OPERATORS = ("eq", "not_eq", "in_departement", "in_region", "empty", "not_empty")

# A champ whose external service was down is asked again after this delay (on the next save).
RETRY_AFTER_SECONDS = 5 * 60


def clean(text) -> str:
    """No NUL characters (PostgreSQL refuses them in text) and no surrounding spaces."""
    return str(text or "").replace("\x00", "").strip()


def first(raw) -> str:
    return clean(raw[0] if raw else "")


def now_iso() -> str:
    return timezone.now().isoformat(timespec="seconds")


def retry_due(data) -> bool:
    """True when a degraded champ (external service down) should be looked up again."""
    if not isinstance(data, dict) or data.get("etat") != "indisponible":
        return False
    try:
        tried = timezone.datetime.fromisoformat(data.get("tente_le", ""))
    except (TypeError, ValueError):
        return True
    return (timezone.now() - tried).total_seconds() >= RETRY_AFTER_SECONDS


def group_digits(text: str, size: int) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def address_line(data: dict) -> str:
    """« 12 Rue de la République, 69002 Lyon » from a dict with adresse, code_postal and commune."""
    town = f"{data.get('code_postal', '')} {data.get('commune', '')}".strip()
    return ", ".join(part for part in (data.get("adresse"), town) if part)
