"""The normalised copy of a dossier's values that the list filters, sorts and searches.

Two tables, rebuilt together for a dossier from its champs and identity:
- ValeurIndexee: one row per top-level champ / annotation (texte, nombre, date);
- DossierTexte: the whole searchable text of the dossier.

A copy remembers the dossier's updated_at; `procedure_index_actualiser` (called before a list
that filters, sorts or searches on values) rebuilds the copies of the dossiers changed since the
last indexation, found through the (procedure, updated_at) index, so the list is never stale even
when a write path forgets to call `dossiers_indexer` after commit.
"""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from demarches.dossiers.models import Champ, Dossier

from .. import compteurs
from ..models import DossierTexte, ValeurIndexee
from .colonnes import type_de_liste

TEXTE_MAX = 200
# Writes committed late with an older updated_at are caught by looking this far back.
MARGE = datetime.timedelta(seconds=30)
BATCH = 500


def normaliser(text: str) -> str:
    """Lower-case, without accents, single spaces: what the list compares."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _nombre(value: str) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 24:
        return None
    return number.quantize(Decimal("0.000001"))


def _date(value: str) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def valeur_indexee(dossier_id: int, champ: Champ) -> ValeurIndexee:
    field_type = champ.type_de_champ.field_type
    stored = champ.stored
    empty = field_type.is_empty(stored)
    display = "" if empty else field_type.display(stored)
    kind = type_de_liste(field_type)
    return ValeurIndexee(
        dossier_id=dossier_id,
        stable_id=champ.stable_id,
        texte=normaliser(display)[:TEXTE_MAX],
        nombre=_nombre(stored.value) if kind == "nombre" and not empty else None,
        date=_date(stored.value) if kind == "date" and not empty else None,
    )


def _texte(dossier: Dossier, displays: list[str]) -> str:
    parts = [str(dossier.pk), dossier.prenom, dossier.nom, dossier.user.email, *displays]
    return normaliser(" ".join(p for p in parts if p))


def lignes_d_index(dossier: Dossier, champs, colonnes=()) -> tuple[list[ValeurIndexee], DossierTexte]:
    """The copies of one dossier from its champs (each with type_de_champ loaded), in form order.

    `colonnes`: the stable_ids of every champ column of the démarche; a dossier gets an empty row
    for those it has no value for, so that a sort on a champ is an inner join that PostgreSQL can
    serve from the (stable_id, value) index and stop after one page.
    """
    valeurs, displays = [], []
    for champ in champs:
        field_type = champ.type_de_champ.field_type
        if not field_type.fillable or field_type.accepts_files or field_type.has_children:
            continue
        if not field_type.is_empty(champ.stored):
            displays.append(field_type.display(champ.stored))
        if champ.row_id == "":
            valeurs.append(valeur_indexee(dossier.pk, champ))
    present = {valeur.stable_id for valeur in valeurs}
    valeurs.extend(ValeurIndexee(dossier_id=dossier.pk, stable_id=sid) for sid in colonnes if sid not in present)
    texte = DossierTexte(
        dossier_id=dossier.pk,
        procedure_id=dossier.procedure_id,
        texte=_texte(dossier, displays),
        source_updated_at=dossier.updated_at,
    )
    return valeurs, texte


def colonnes_de_champs(procedure_id: int) -> list[int]:
    """The stable_ids of the champ columns of a démarche (every revision), see colonnes.py."""
    from demarches.procedures.models import Procedure

    from .colonnes import _colonnes_de_champs

    return [c.stable_id for c in _colonnes_de_champs(Procedure(pk=procedure_id))]


def _contenu(valeur: ValeurIndexee) -> tuple:
    return valeur.texte, valeur.nombre, valeur.date


def enregistrer(ids, valeurs: list[ValeurIndexee], textes: list[DossierTexte]) -> set[int]:
    """Make these the copies of the dossiers `ids`, writing only the rows that differ: a dossier
    changed by its usager or an instructeur has one or two champs changed, and each row written
    costs the writes of its eight indexes. Returns the dossiers whose copies changed."""
    with transaction.atomic():
        # Two lists opened at once after a change index the same dossiers: the second waits for the
        # first and finds its copies current, instead of inserting them a second time.
        list(Dossier.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        anciennes = {(v.dossier_id, v.stable_id): v for v in ValeurIndexee.objects.filter(dossier_id__in=ids)}
        nouvelles = {(v.dossier_id, v.stable_id): v for v in valeurs}
        perimees = [v for cle, v in anciennes.items() if cle not in nouvelles or _contenu(nouvelles[cle]) != _contenu(v)]
        a_creer = [v for cle, v in nouvelles.items() if cle not in anciennes or _contenu(anciennes[cle]) != _contenu(v)]
        for start in range(0, len(perimees), 900):  # SQLite's limit of parameters per query
            ValeurIndexee.objects.filter(pk__in=[v.pk for v in perimees[start : start + 900]]).delete()
        ValeurIndexee.objects.bulk_create(a_creer, batch_size=5000)

        anciens_textes = dict(DossierTexte.objects.filter(dossier_id__in=ids).values_list("dossier_id", "texte"))
        changes = [t for t in textes if anciens_textes.get(t.dossier_id) != t.texte]
        # Only the date of the copy moves when its text is the same.
        DossierTexte.objects.bulk_update(
            [t for t in textes if anciens_textes.get(t.dossier_id) == t.texte], ["source_updated_at"], batch_size=500
        )
        sans_copie = set(anciens_textes) - {t.dossier_id for t in textes} | {t.dossier_id for t in changes}
        DossierTexte.objects.filter(dossier_id__in=sans_copie).delete()
        DossierTexte.objects.bulk_create(changes, batch_size=5000)
    return {v.dossier_id for v in perimees + a_creer} | sans_copie


def dossiers_indexer(dossier_ids, *, colonnes: dict[int, list[int]] | None = None) -> int:
    """Rebuild the copies of these dossiers (brouillons are skipped: instructeurs never list them).
    colonnes: the champ columns of démarches the caller already knows (procedure id → stable_ids)."""
    ids = list(dossier_ids)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        dossiers = list(
            Dossier.objects.filter(pk__in=chunk)
            .exclude(state=Dossier.State.BROUILLON)
            .select_related("user")
            .only("pk", "procedure_id", "prenom", "nom", "updated_at", "user__email")
        )
        champs_par_dossier = {d.pk: [] for d in dossiers}
        champs = (
            Champ.objects.filter(dossier_id__in=list(champs_par_dossier))
            .select_related("type_de_champ")
            .order_by("dossier_id", "type_de_champ__private", "type_de_champ__position", "row_id", "id")
        )
        for champ in champs:
            champs_par_dossier[champ.dossier_id].append(champ)
        valeurs, textes = [], []
        colonnes_par_procedure = {
            pid: colonnes[pid] if colonnes and pid in colonnes else colonnes_de_champs(pid)
            for pid in {d.procedure_id for d in dossiers}
        }
        for dossier in dossiers:
            lignes, texte = lignes_d_index(
                dossier, champs_par_dossier[dossier.pk], colonnes_par_procedure[dossier.procedure_id]
            )
            valeurs.extend(lignes)
            textes.append(texte)
        modifies = enregistrer(chunk, valeurs, textes)
        for procedure_id in colonnes_par_procedure:  # the filters and the search read these copies
            changes = [d.pk for d in dossiers if d.procedure_id == procedure_id and d.pk in modifies]
            if changes:
                compteurs.invalider(procedure_id, changes)
        done += len(dossiers)
    return done


def dossiers_a_indexer(procedure, *, complet: bool = False) -> list[int]:
    """The dossiers of the démarche whose copy is missing or older than the dossier.

    Only the dossiers changed since the newest copy (minus MARGE) are looked at, through the
    (procedure, updated_at) index; `complet` looks at all of them (periodic reconciliation).
    """
    candidates = Dossier.objects.filter(procedure=procedure).exclude(state=Dossier.State.BROUILLON)
    # A copy is fresh when it was made from the dossier as it is now (same updated_at).
    copies = DossierTexte.objects.filter(dossier_id=OuterRef("pk"), source_updated_at=OuterRef("updated_at"))
    if not complet:
        last = DossierTexte.objects.filter(procedure=procedure).aggregate(m=Max("source_updated_at"))["m"]
        if last is not None:
            since = last - MARGE
            candidates = candidates.filter(updated_at__gte=since)
            # A fresh copy of such a dossier was made from an updated_at ≥ since too: both sides are
            # read from their (procedure, updated_at) index, and PostgreSQL anti-joins them in memory
            # instead of reading every copy of the démarche.
            copies = copies.filter(procedure=procedure, source_updated_at__gte=since)
    return list(candidates.filter(~Exists(copies)).values_list("pk", flat=True))


# Beyond this many stale dossiers (a démarche never indexed, e.g. right after deployment), the list
# indexes the most recent ones at once and leaves the others to background jobs.
SYNC_MAX = 2000


def procedure_index_actualiser(procedure, *, complet: bool = False, colonnes: list[int] | None = None) -> int:
    """Bring the copies of one démarche up to date; returns how many dossiers were reindexed now.
    colonnes: the stable_ids of its champ columns, when the caller already read them."""
    ids = sorted(dossiers_a_indexer(procedure, complet=complet), reverse=True)
    if len(ids) > SYNC_MAX:
        from .tasks import dossiers_indexer as job

        reste = ids[SYNC_MAX:]
        for start in range(0, len(reste), 5000):
            chunk = reste[start : start + 5000]
            transaction.on_commit(lambda chunk=chunk: job.delay(chunk))
        ids = ids[:SYNC_MAX]
    return dossiers_indexer(ids, colonnes=None if colonnes is None else {procedure.pk: colonnes})


def procedure_index_reconstruire(procedure) -> int:
    """Rebuild the copies of every dossier of the démarche (after a new revision adds columns)."""
    ids = (
        Dossier.objects.filter(procedure=procedure).exclude(state=Dossier.State.BROUILLON).values_list("pk", flat=True)
    )
    return dossiers_indexer(ids)


def index_reconcilier() -> int:
    """Periodic (nightly): rebuild every copy, which catches writes committed late and the columns
    a newly published revision added."""
    from demarches.procedures.models import Procedure

    return sum(procedure_index_reconstruire(p) for p in Procedure.objects.filter(hidden_at__isnull=True))
