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


# The metadata columns of the instructeur's dossier list (instruction.liste.colonnes.META) and the
# export columns showing the same thing; champs and annotations share their key ("champ:<stable_id>").
CLES_DE_LA_LISTE = {
    "numero": ("numero",),
    "demandeur": ("nom", "prenom", "raison_sociale"),
    "email": ("email",),
    "etat": ("etat",),
    "depose_at": ("depose_le",),
    "updated_at": ("mis_a_jour_le",),
    "en_instruction_at": ("en_instruction_le",),
    "processed_at": ("traite_le",),
    "groupe": ("groupe_instructeur",),
    "suiveurs": ("instructeurs",),
    "labels": ("labels",),
}


def cles_depuis_la_liste(procedure: Procedure, cles_liste: Iterable[str], catalogue_=None) -> list[str]:
    """The export columns showing the given columns of the dossier list, in their order: a modèle
    can start from the columns an instructeur chose for his list. Columns the export does not have
    (a champ only in the draft revision) are left out."""
    known = {c.key for c in (catalogue_ if catalogue_ is not None else catalogue(procedure))}
    keys: list[str] = []
    for key in cles_liste:
        keys.extend(CLES_DE_LA_LISTE.get(key, (key,)))
    return [key for key in dict.fromkeys(keys) if key in known]


def cles_de_ma_liste(instructeur, procedure: Procedure, catalogue_=None) -> list[str]:
    """The export columns of the columns the instructeur's list shows (the number first)."""
    from demarches.instruction.liste import preferences
    from demarches.instruction.liste.colonnes import colonnes_disponibles as colonnes_liste

    choix = preferences.choix(preferences.preference(instructeur, procedure), colonnes_liste(procedure))
    return cles_depuis_la_liste(procedure, [c.key for c in choix.colonnes], catalogue_)
