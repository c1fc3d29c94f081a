"""The tab counters of a démarche's list, remembered between two pages.

Counting the dossiers of a large démarche tab by tab costs more than the rest of the list page
(100 000 dossiers: about 100 ms of PostgreSQL on two cores), while an instructeur who changes tab,
page or sort, or comes back to the list, asks for the same numbers again. They are kept in the
cache under a key made of what they depend on:

- the instructeur, the label and the list's filters and search (the SQL of the condition);
- the démarche's generation, a number the services increase when a follow, a label, a deletion
  for the administration, a groupe's members or the search index change (`invalider`);
- the last update of the démarche's deposited dossiers (read backwards from the (procedure,
  updated_at) index), so that a change made by another process is seen even with a cache of its own.

Entries live COMPTEURS_CACHE_SECONDS at most: the « expirant » and « supprimés récemment » tabs
follow the clock, and a generation increased in another process's local cache is not seen here.
Deployments with several processes should share a cache (CACHE_URL=redis://…).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Q

from demarches.dossiers.models import Dossier

from . import selectors

DUREE = getattr(settings, "COMPTEURS_CACHE_SECONDS", 30)


def _generation_key(procedure_id: int) -> str:
    return f"compteurs:generation:{procedure_id}"


def _generation(procedure_id: int) -> int:
    return cache.get_or_set(_generation_key(procedure_id), 0, timeout=None)


def _increase(procedure_id: int) -> None:
    key = _generation_key(procedure_id)
    try:
        cache.incr(key)
    except ValueError:  # not in the cache (evicted, or another process's local cache)
        cache.set(key, 1, timeout=None)


def invalider(procedure_id: int) -> None:
    """The démarche's counters must be counted again: now (this process, this transaction) and once
    the transaction commits (readers that counted the old rows meanwhile)."""
    _increase(procedure_id)
    transaction.on_commit(lambda: _increase(procedure_id))


def _condition_sql(condition: Q | None) -> str:
    if not condition:
        return ""
    sql, params = Dossier.objects.filter(condition).values("pk").query.sql_with_params()
    return f"{sql}|{params!r}"


def compteurs(instructeur, procedure, *, label_id: int | None = None, condition: Q | None = None) -> dict[str, int]:
    """selectors.compteurs, answered from the cache while nothing they count has changed."""
    if DUREE <= 0:
        return selectors.compteurs(instructeur, procedure, label_id=label_id, condition=condition)
    # Brouillons are never counted: a usager filling one in does not make the counters counted again.
    derniere_maj = (
        Dossier.objects.filter(procedure=procedure).exclude(state=Dossier.State.BROUILLON).aggregate(m=Max("updated_at"))["m"]
    )
    empreinte = hashlib.sha1(_condition_sql(condition).encode(), usedforsecurity=False).hexdigest()
    key = (
        f"compteurs:{procedure.pk}:{_generation(procedure.pk)}:{derniere_maj.isoformat() if derniere_maj else '-'}"
        f":{instructeur.pk}:{label_id or '-'}:{empreinte}"
    )
    counts = cache.get(key)
    if counts is None:
        counts = selectors.compteurs(instructeur, procedure, label_id=label_id, condition=condition)
        cache.set(key, counts, timeout=DUREE)
    return counts


def _dossier_supprime(sender, instance, **kwargs) -> None:
    invalider(instance.procedure_id)


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
