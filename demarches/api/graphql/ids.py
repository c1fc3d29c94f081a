"""Global ids in the reference platform's format: base64 of "<Type>-<key>" (e.g. "Dossier-1032882").

Clients store these ids and send them back (dossierId, instructeurId…): they must round-trip
exactly as the reference encodes them.
"""

import base64
import binascii
from functools import lru_cache


@lru_cache(maxsize=65536)
def global_id(type_name: str, key) -> str:
    return base64.b64encode(f"{type_name}-{key}".encode()).decode()


def decode_global_id(value: str) -> tuple[str, str] | None:
    """(type name, key) of a global id, or None if it is not one. Accepts padded or unpadded, standard or url-safe."""
    text = (value or "").strip()
    if not text:
        return None
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, key = raw.partition("-")
    if not sep or not type_name or not key:
        return None
    return type_name, key


def decode_pk(value: str, *type_names: str) -> int | None:
    """The integer key of a global id of one of the given types (a bare number is accepted too)."""
    text = (value or "").strip()
    if text.isdigit():
        return int(text)
    decoded = decode_global_id(text)
    if decoded is None or decoded[0] not in type_names or not decoded[1].isdigit():
        return None
    return int(decoded[1])
