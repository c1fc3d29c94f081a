"""The tab counters of a démarche's list, remembered between two pages and counted again only
where something changed.

Counting the dossiers of a large démarche tab by tab costs more than the rest of the list page
(100 000 dossiers: about 75 ms of PostgreSQL on two cores), while an instructeur who changes tab,
page or sort, or comes back to the list, asks for the same numbers again, and between two pages
only a few dossiers change. The counters are therefore kept by slice of dossier numbers
(TRANCHE numbers each) in one cache entry per instructeur, label and filters (the SQL of the
condition), for DUREE, and each page counts again only the slices where something changed since
the previous one, as the database tells it (so that every process sees the changes of every other,
whatever their caches):

- a dossier deposited or changed: its last update, read from the (procedure, updated_at) index;
- a follow, a label, a deletion for the administration, a dossier deleted or reindexed, a groupe's
  members: the journal of the démarche (CompteurChangement), written by `invalider` in the change's
  transaction;
- the clock: a dossier whose expiry came within the « expirant bientôt » notice, or whose deletion
  left the « supprimés récemment » delay, since the previous page.

A change is read again for MARGE after its time: a transaction that commits later than its rows'
dates is still seen; each page remembers which of those it already counted.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from demarches.dossiers.models import Dossier

from . import selectors
from .models import SUPPRESSION_RESTAURABLE_DELAI, CompteurChangement, SuppressionAdministration

DUREE = timedelta(seconds=getattr(settings, "COMPTEURS_CACHE_SECONDS", 6 * 3600))
TRANCHE = getattr(settings, "COMPTEURS_TRANCHE", 4096)
MARGE = timedelta(minutes=2)
# Beyond this many changes read at once, everything is counted again (and they are not remembered).
CHANGEMENTS_MAX = 5000


def invalider(procedure_id: int, dossier_ids=None) -> None:
    """The démarche's counters must be counted again: the slices of `dossier_ids` when given,
    everything otherwise (a groupe's members changed). Written in the current transaction, so that
    readers see it with the change itself."""
    if dossier_ids is None:
        tranches = [None]
    else:
        tranches = sorted({pk // TRANCHE for pk in dossier_ids})
    CompteurChangement.objects.bulk_create(
        [CompteurChangement(procedure_id=procedure_id, tranche=tranche) for tranche in tranches]
    )


def journal_purger() -> int:
    """Journal entries older than any remembered counters (periodic job)."""
    deleted, _ = CompteurChangement.objects.filter(cree_le__lt=timezone.now() - DUREE - MARGE).delete()
    return deleted


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


class _Lecture:
    """What changed in a démarche since a time, as the database tells it now."""

    def __init__(self, procedure, depuis, maintenant):
        self.procedure = procedure
        self.depuis = depuis
        self.maintenant = maintenant

    def journal(self) -> dict[int, int | None]:
        """The journal's entries of the margin before `depuis` and after: id → slice."""
        entrees = CompteurChangement.objects.filter(procedure=self.procedure, cree_le__gt=self.depuis - MARGE)
        return dict(entrees.values_list("pk", "tranche")[: CHANGEMENTS_MAX + 1])

    def mises_a_jour(self) -> dict[int, float]:
        """The deposited dossiers updated in the margin before `depuis` and after: id → update."""
        # Brouillons are never counted: a usager filling one in does not make the counters counted again.
        recents = (
            Dossier.objects.filter(procedure=self.procedure, updated_at__gt=self.depuis - MARGE)
            .exclude(state=Dossier.State.BROUILLON)
            .values_list("pk", "updated_at")
        )
        return {pk: updated_at.timestamp() for pk, updated_at in recents[: CHANGEMENTS_MAX + 1]}

    def horloge(self) -> set[int]:
        """The dossiers that entered « expirant bientôt » or left « supprimés récemment » since `depuis`."""
        notice = selectors.EXPIRATION_NOTICE
        expirant = Dossier.objects.filter(
            procedure=self.procedure, expire_at__gt=self.depuis + notice, expire_at__lte=self.maintenant + notice
        ).values_list("pk", flat=True)
        supprimes = SuppressionAdministration.objects.filter(
            dossier__procedure=self.procedure,
            created_at__gt=self.depuis - SUPPRESSION_RESTAURABLE_DELAI,
            created_at__lte=self.maintenant - SUPPRESSION_RESTAURABLE_DELAI,
        ).values_list("dossier_id", flat=True)
        return set(expirant) | set(supprimes)


def _lu(lecture: _Lecture) -> dict:
    """The changes read, remembered so that the next page counts only those it has not seen.
    More than CHANGEMENTS_MAX: `trop` (everything is counted again; they are not remembered)."""
    journal, mises_a_jour = lecture.journal(), lecture.mises_a_jour()
    trop = len(journal) > CHANGEMENTS_MAX or len(mises_a_jour) > CHANGEMENTS_MAX
    if trop:
        journal, mises_a_jour = {}, {}
    return {"lu_le": lecture.maintenant, "journal": journal, "mises_a_jour": mises_a_jour, "trop": trop}


def _changements_comptes(etat: dict, lecture: _Lecture, compter) -> dict | None:
    """The remembered counters with the slices changed since their last page counted again; None
    when counting everything costs less (a groupe's members changed, too many changes)."""
    lu = _lu(lecture)
    nouvelles = {tranche for pk, tranche in lu["journal"].items() if pk not in etat["journal"]}
    modifies = [pk for pk, quand in lu["mises_a_jour"].items() if etat["mises_a_jour"].get(pk) != quand]
    modifies.extend(lecture.horloge())
    changees = {pk // TRANCHE for pk in modifies} | nouvelles
    if lu["trop"] or None in changees or len(changees) > max(1, len(etat["tranches"]) // 2):
        return None
    if changees:
        recomptees = compter(sorted(changees))
        for tranche in changees:
            etat["tranches"].pop(tranche, None)
        etat["tranches"].update(recomptees)
    return {**etat, **lu}


def compteurs(instructeur, procedure, *, label_id: int | None = None, condition: Q | None = None) -> dict[str, int]:
    """selectors.compteurs, counting again only the slices of dossiers that changed since the last page."""
    if DUREE <= timedelta(0):
        return selectors.compteurs(instructeur, procedure, label_id=label_id, condition=condition)
    empreinte = hashlib.sha1(repr(_condition_sql(condition)).encode(), usedforsecurity=False).hexdigest()
    key = f"compteurs:{procedure.pk}:{instructeur.pk}:{label_id or '-'}:{empreinte}"
    maintenant = timezone.now()

    def compter(tranches=None):
        return selectors.compteurs_par_tranche(
            instructeur, procedure, TRANCHE, tranches=tranches, label_id=label_id, condition=condition
        )

    etat = cache.get(key)
    if etat is not None and maintenant - etat["compte_le"] <= DUREE:
        etat = _changements_comptes(etat, _Lecture(procedure, etat["lu_le"], maintenant), compter)
    else:
        etat = None
    if etat is None:
        # What changed before the count is in it: read first, so that it is not counted again next time.
        etat = {"compte_le": maintenant, **_lu(_Lecture(procedure, maintenant, maintenant))}
        etat["tranches"] = compter()
    restant = DUREE - (maintenant - etat["compte_le"])
    cache.set(key, etat, timeout=max(1, round(restant.total_seconds())))
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
