"""Identifiers checked against an external registry (SIRET, RNA), with a degraded mode.

Stored: value = the normalised number; data = {"etat": "ok", <data_key>: {...}} once found, or
{"etat": "indisponible", "tente_le": ...} when the registry did not answer (the number is kept and
looked up again on a later save).
"""

from django.core.exceptions import ValidationError

from demarches.referentiels import adapters

from ..registry import FieldType, StoredValue
from ._util import clean, now_iso, retry_due


class RegistryLookupType(FieldType):
    """Subclasses give number() (format check), lookup(number) and not_found_message(number)."""

    data_key = ""
    condition_operators = ("eq", "not_eq", "empty", "not_empty")

    def lookup(self, number: str):
        raise NotImplementedError  # abstract: each identifier has its own registry

    def not_found_message(self, number: str) -> str:
        raise NotImplementedError  # abstract

    def parse(self, raw, *, options):
        return self.parse_champ(raw, options=options)

    def parse_champ(self, raw, *, options, previous=None):
        text = clean(raw[0] if raw else "")
        if not text:
            return StoredValue()
        number = self.number(text[:100])
        if previous is not None and previous.value == number and isinstance(previous.data, dict):
            if previous.data.get("etat") == "ok" or not retry_due(previous.data):
                return previous
        try:
            found = self.lookup(number)
        except adapters.ServiceIndisponible:
            return StoredValue(value=number, data={"etat": "indisponible", "tente_le": now_iso()})
        if found is None:
            raise ValidationError(self.not_found_message(number))
        return StoredValue(value=number, data={"etat": "ok", self.data_key: found.as_data()})

    def check(self, stored, *, options):
        self.number(stored.value)
        if not isinstance(stored.data, dict):
            # Never found (the lookup said « unknown »): ask again.
            self.parse_champ([stored.value], options=options)
