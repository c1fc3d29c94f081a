"""The tab counters of a démarche's list, remembered between two pages and counted again only
where something changed.

Counting the dossiers of a large démarche tab by tab costs more than the rest of the list page
(100 000 dossiers: about 75 ms of PostgreSQL on two cores), while an instructeur who changes tab,
page or sort, or comes back to the list, asks for the same numbers again, and between two pages
only a few dossiers change. The counters are therefore kept by slice of dossier numbers
(TRANCHE numbers each) in one cache entry per instructeur, label and filters (the SQL of the
condition), and a page counts again only the slices where something changed:

- a dossier deposited or changed since the last count (read from the (procedure, updated_at) index,
  so that a change made by another process, or without the services, is seen);
- a follow, a label, a deletion for the administration, a dossier deleted or reindexed: the services
  write its slice in the démarche's journal (`invalider(procedure_id, [dossier_id])`), a list of
  changes numbered atomically in the cache that each page reads from where it last stopped.

A groupe's members changing makes everything counted again (`invalider(procedure_id)`), and so does
an entry older than COMPTEURS_CACHE_SECONDS: the « expirant » and « supprimés récemment » tabs follow
the clock, and a generation increased in another process's local cache is not seen here.
Deployments with several processes should share a cache (CACHE_URL=redis://…).
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Q

from demarches.dossiers.models import Dossier

from . import selectors

DUREE = getattr(settings, "COMPTEURS_CACHE_SECONDS", 30)
TRANCHE = getattr(settings, "COMPTEURS_TRANCHE", 4096)


def _generation_key(procedure_id: int) -> str:
    return f"compteurs:generation:{procedure_id}"


def _journal_key(procedure_id: int) -> str:
    return f"compteurs:journal:{procedure_id}"


def _generation(procedure_id: int) -> int:
    return cache.get_or_set(_generation_key(procedure_id), 0, timeout=None)


def _increase(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not in the cache (evicted, or another process's local cache)
        cache.set(key, 1, timeout=None)


def _noter(procedure_id: int, tranches: list[int]) -> None:
    """Append the changed slices to the démarche's journal: entry n of the journal holds the slices
    of the n-th change (the numbering is atomic in the cache)."""
    key = _journal_key(procedure_id)
    cache.add(key, 0, timeout=None)
    try:
        numero = cache.incr(key)
    except ValueError:  # evicted meanwhile: everything is counted again
        _increase(_generation_key(procedure_id))
        return
    cache.set(f"{key}:{numero}", tranches, timeout=DUREE + 60)


def invalider(procedure_id: int, dossier_ids=None) -> None:
    """The démarche's counters must be counted again (only the slices of `dossier_ids` when given):
    now (this process, this transaction) and once the transaction commits (readers that counted
    the old rows meanwhile)."""
    if dossier_ids is None:
        _increase(_generation_key(procedure_id))
        transaction.on_commit(lambda: _increase(_generation_key(procedure_id)))
        return
    tranches = sorted({pk // TRANCHE for pk in dossier_ids})
    if tranches:
        _noter(procedure_id, tranches)
        transaction.on_commit(lambda: _noter(procedure_id, tranches))


# Beyond this many changes since the last page, everything is counted again.
JOURNAL_MAX = 100
RECENTS_MAX = 2000


def _tranches_notees(procedure_id: int, depuis: int) -> tuple[int, set[int] | None]:
    """The journal's last number, and the slices changed after entry `depuis` (None: unknown, count
    everything again)."""
    dernier = cache.get(_journal_key(procedure_id)) or 0
    if dernier == depuis:
        return dernier, set()
    if dernier < depuis or dernier - depuis > JOURNAL_MAX:
        return dernier, None
    keys = [f"{_journal_key(procedure_id)}:{numero}" for numero in range(depuis + 1, dernier + 1)]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        return dernier, None
    return dernier, {tranche for tranches in found.values() for tranche in tranches}


def _condition_sql(condition: Q | None) -> tuple:
    if not condition:
        return ()
    return Dossier.objects.filter(condition).values("pk").query.sql_with_params()


def _somme(tranches: dict[int, dict[str, int]]) -> dict[str, int]:
    counts = dict.fromkeys(selectors.TAB_KEYS, 0)
    for par_onglet in tranches.values():
        for key, count in par_onglet.items():
            counts[key] += count
    return counts


def compteurs(instructeur, procedure, *, label_id: int | None = None, condition: Q | None = None) -> dict[str, int]:
    """selectors.compteurs, counting again only the slices of dossiers that changed since the last page."""
    if DUREE <= 0:
        return selectors.compteurs(instructeur, procedure, label_id=label_id, condition=condition)
    # Brouillons are never counted: a usager filling one in does not make the counters counted again.
    deposes = Dossier.objects.filter(procedure=procedure).exclude(state=Dossier.State.BROUILLON)
    derniere_maj = deposes.aggregate(m=Max("updated_at"))["m"]
    empreinte = hashlib.sha1(repr(_condition_sql(condition)).encode(), usedforsecurity=False).hexdigest()
    key = f"compteurs:{procedure.pk}:{_generation(procedure.pk)}:{instructeur.pk}:{label_id or '-'}:{empreinte}"

    def compter(tranches=None):
        return selectors.compteurs_par_tranche(
            instructeur, procedure, TRANCHE, tranches=tranches, label_id=label_id, condition=condition
        )

    etat = cache.get(key)
    changees = None
    if etat is not None and time.time() - etat["compte_le"] <= DUREE:
        journal, changees = _tranches_notees(procedure.pk, etat["journal"])
        if changees is not None and derniere_maj != etat["maj"]:
            recents = deposes.filter(updated_at__gt=etat["maj"]) if etat["maj"] else deposes
            ids = list(recents.values_list("pk", flat=True)[: RECENTS_MAX + 1])
            changees = None if len(ids) > RECENTS_MAX else changees | {pk // TRANCHE for pk in ids}
        if changees == set() and journal == etat["journal"] and derniere_maj == etat["maj"]:
            return _somme(etat["tranches"])  # nothing changed since the last page
    if changees is None:
        journal = cache.get(_journal_key(procedure.pk)) or 0
        etat = {"compte_le": time.time(), "tranches": compter()}
    elif changees:
        recomptees = compter(sorted(changees))
        for tranche in changees:
            etat["tranches"].pop(tranche, None)
        etat["tranches"].update(recomptees)
    etat["journal"] = journal
    etat["maj"] = derniere_maj
    cache.set(key, etat, timeout=max(1, round(DUREE - (time.time() - etat["compte_le"]))))
    return _somme(etat["tranches"])


def _dossier_supprime(sender, instance, **kwargs) -> None:
    invalider(instance.procedure_id, [instance.pk])


def _membres_changes(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A groupe's instructeurs changed: what they see, hence their counters, changed."""
    from demarches.procedures.models import GroupeInstructeur

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        invalider(instance.procedure_id)
        return
    groupes = GroupeInstructeur.objects.filter(pk__in=pk_set or ()).values_list("procedure_id", flat=True)
    for procedure_id in set(groupes):
        invalider(procedure_id)


def connecter() -> None:
    """Dossiers deleted and groupes' members changed, whatever the code path (apps.ready)."""
    from django.db.models.signals import m2m_changed, post_delete

    from demarches.procedures.models import GroupeInstructeur

    post_delete.connect(_dossier_supprime, sender=Dossier, dispatch_uid="compteurs_dossier_supprime")
    m2m_changed.connect(
        _membres_changes, sender=GroupeInstructeur.instructeurs.through, dispatch_uid="compteurs_membres_changes"
    )
