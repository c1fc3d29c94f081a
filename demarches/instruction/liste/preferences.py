"""The list choices of an instructeur on one démarche (columns, filters, sort), remembered in
ListePreference. Reads give defaults when nothing was chosen; writes are small named services."""

from dataclasses import dataclass

from django.db import transaction

from ..models import ListePreference
from .colonnes import COLONNE_FIXE, DEFAULT_COLONNES, DEFAULT_TRI, Colonne
from .filtres import SENS

MAX_COLONNES = 20
MAX_FILTRES = 10


@dataclass
class Choix:
    """The preference as the page uses it: only columns and filters that still exist."""

    colonnes: list[Colonne]
    filtres: list[dict]
    tri_colonne: Colonne
    tri_sens: str


def preference(instructeur, procedure) -> ListePreference:
    found = ListePreference.objects.filter(instructeur=instructeur, procedure=procedure).first()
    return found or ListePreference(
        instructeur=instructeur,
        procedure=procedure,
        colonnes=list(DEFAULT_COLONNES),
        filtres=[],
        tri_colonne=DEFAULT_TRI[0],
        tri_sens=DEFAULT_TRI[1],
    )


def choix(pref: ListePreference, disponibles: dict[str, Colonne]) -> Choix:
    keys = [COLONNE_FIXE] + [k for k in pref.colonnes if k != COLONNE_FIXE and k in disponibles]
    colonnes = [disponibles[k] for k in dict.fromkeys(keys)]
    filtres = [f for f in pref.filtres if isinstance(f, dict) and f.get("colonne") in disponibles]
    tri_colonne = disponibles.get(pref.tri_colonne) or disponibles[DEFAULT_TRI[0]]
    sens = pref.tri_sens if pref.tri_sens in SENS else DEFAULT_TRI[1]
    return Choix(colonnes=colonnes, filtres=filtres, tri_colonne=tri_colonne, tri_sens=sens)


def _save(pref: ListePreference) -> ListePreference:
    with transaction.atomic():
        ListePreference.objects.update_or_create(
            instructeur=pref.instructeur,
            procedure=pref.procedure,
            defaults={
                "colonnes": pref.colonnes,
                "filtres": pref.filtres,
                "tri_colonne": pref.tri_colonne,
                "tri_sens": pref.tri_sens,
            },
        )
    return pref


def colonnes_definir(*, instructeur, procedure, keys: list[str], disponibles: dict[str, Colonne]) -> ListePreference:
    """« Personnaliser »: the columns shown, in the given order (unknown keys are dropped)."""
    pref = preference(instructeur, procedure)
    kept = [k for k in dict.fromkeys(keys) if k in disponibles and k != COLONNE_FIXE][:MAX_COLONNES]
    pref.colonnes = kept
    return _save(pref)


def colonne_deplacer(*, instructeur, procedure, key: str, direction: str) -> ListePreference:
    """Move a shown column one place left ("monter") or right ("descendre")."""
    pref = preference(instructeur, procedure)
    colonnes = [k for k in pref.colonnes if k != COLONNE_FIXE]
    if key in colonnes:
        i = colonnes.index(key)
        j = i - 1 if direction == "monter" else i + 1
        if 0 <= j < len(colonnes):
            colonnes[i], colonnes[j] = colonnes[j], colonnes[i]
    pref.colonnes = colonnes
    return _save(pref)


def filtre_ajouter(*, instructeur, procedure, filtre: dict) -> ListePreference:
    pref = preference(instructeur, procedure)
    if filtre not in pref.filtres:
        pref.filtres = [*pref.filtres, filtre][-MAX_FILTRES:]
    return _save(pref)


def filtre_retirer(*, instructeur, procedure, index: int) -> ListePreference:
    pref = preference(instructeur, procedure)
    if 0 <= index < len(pref.filtres):
        pref.filtres = pref.filtres[:index] + pref.filtres[index + 1 :]
    return _save(pref)


def filtres_vider(*, instructeur, procedure) -> ListePreference:
    pref = preference(instructeur, procedure)
    pref.filtres = []
    return _save(pref)


def tri_definir(*, instructeur, procedure, key: str, sens: str, disponibles: dict[str, Colonne]) -> ListePreference:
    pref = preference(instructeur, procedure)
    if key in disponibles:
        pref.tri_colonne = key
        pref.tri_sens = sens if sens in SENS else "asc"
    return _save(pref)
