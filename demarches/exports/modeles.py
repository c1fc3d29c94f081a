"""Modèles d'export: the columns a démarche's spreadsheets may hold, and a modèle's choice of them.

The column catalogue is the selectors' (selectors.colonnes_disponibles): a column is named by a
stable key, the metadata by a short name ("numero", "email"…), a champ or an annotation privée by
"champ:<stable_id>", so that a modèle survives new revisions of the démarche (a column whose champ
disappeared is simply left out when exporting).
"""

from collections.abc import Iterable

from demarches.procedures.models import Procedure

from . import selectors

NUMERO = "numero"


def catalogue(procedure: Procedure, schema_=None) -> list:
    """Every column a spreadsheet of the démarche may hold, in the default order (key, libelle, groupe)."""
    return selectors.colonnes_disponibles(procedure, schema_)


def cles_valides(procedure: Procedure, keys: Iterable[str]) -> list[str]:
    """The keys that name a column of the démarche, in the given order, without duplicates."""
    known = {c.key for c in catalogue(procedure)}
    return list(dict.fromkeys(key for key in keys if key in known))


def colonnes_a_exporter(keys: Iterable[str]) -> list[str]:
    """A modèle's columns as exported: the dossier number is always kept (first if the modèle left it
    out), since the other sheets refer to it."""
    keys = list(keys)
    return keys if NUMERO in keys else [NUMERO, *keys]
