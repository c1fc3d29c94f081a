"""Figures of a démarche's activity for its instructeurs: dossiers by state, acceptance rate, usual processing time,
and month-by-month deposits and decisions. Test dossiers (filed through the test link) are left out."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from demarches.dossiers.models import Dossier

S = Dossier.State
DECISIONS = (S.ACCEPTE, S.REFUSE, S.SANS_SUITE)
MONTHS_SHOWN = 12
PROCESSING_WINDOW = timedelta(days=30)
MOIS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


@dataclass(frozen=True)
class Mois:
    debut: date
    deposes: int
    acceptes: int
    refuses: int
    sans_suite: int

    @property
    def libelle(self) -> str:
        return f"{MOIS[self.debut.month - 1]} {self.debut.year}"

    @property
    def decides(self) -> int:
        return self.acceptes + self.refuses + self.sans_suite


@dataclass(frozen=True)
class Statistiques:
    par_etat: dict[str, int]
    taux_acceptation: int | None  # percent of decided dossiers that were accepted
    temps_traitement_jours: int | None  # 90th percentile over the dossiers decided in the last 30 days
    decides_30_jours: int
    mois: list[Mois] = field(default_factory=list)

    @property
    def deposes(self) -> int:
        return sum(self.par_etat.values())

    @property
    def maximum_mensuel(self) -> int:
        return max([1, *(max(m.deposes, m.decides) for m in self.mois)])


def percentile(values: list[float], rank: float) -> float | None:
    """Nearest-rank percentile: the smallest value such that `rank` percent of the values are at most it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


def _first_months(now: datetime) -> list[date]:
    year, month = now.year, now.month
    months = []
    for _ in range(MONTHS_SHOWN):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def statistiques_procedure(procedure, *, now: datetime | None = None) -> Statistiques:
    now = timezone.localtime(now or timezone.now())
    dossiers = Dossier.objects.filter(procedure=procedure, for_procedure_preview=False).exclude(state=S.BROUILLON)

    par_etat = {state: 0 for state in (S.EN_CONSTRUCTION, S.EN_INSTRUCTION, *DECISIONS)}
    for row in dossiers.values("state").annotate(n=Count("id")).order_by():
        par_etat[row["state"]] = row["n"]
    decides = sum(par_etat[state] for state in DECISIONS)
    taux = round(100 * par_etat[S.ACCEPTE] / decides) if decides else None

    durations = [
        (processed_at - depose_at).total_seconds() / 86400
        for depose_at, processed_at in dossiers.filter(
            state__in=DECISIONS, processed_at__gte=now - PROCESSING_WINDOW, depose_at__isnull=False
        ).values_list("depose_at", "processed_at")
    ]
    p90 = percentile(durations, 90)

    months = _first_months(now)
    since = timezone.make_aware(datetime(months[0].year, months[0].month, 1))
    deposits = {
        row["mois"].date() if isinstance(row["mois"], datetime) else row["mois"]: row["n"]
        for row in dossiers.filter(depose_at__gte=since)
        .annotate(mois=TruncMonth("depose_at"))
        .values("mois")
        .annotate(n=Count("id"))
        .order_by()
    }
    decisions = {
        row["mois"].date() if isinstance(row["mois"], datetime) else row["mois"]: row
        for row in dossiers.filter(state__in=DECISIONS, processed_at__gte=since)
        .annotate(mois=TruncMonth("processed_at"))
        .values("mois")
        .annotate(
            acceptes=Count("id", filter=Q(state=S.ACCEPTE)),
            refuses=Count("id", filter=Q(state=S.REFUSE)),
            sans_suite=Count("id", filter=Q(state=S.SANS_SUITE)),
        )
        .order_by()
    }
    mois = [
        Mois(
            debut=month,
            deposes=deposits.get(month, 0),
            acceptes=decisions.get(month, {}).get("acceptes", 0),
            refuses=decisions.get(month, {}).get("refuses", 0),
            sans_suite=decisions.get(month, {}).get("sans_suite", 0),
        )
        for month in months
    ]
    return Statistiques(
        par_etat={Dossier.State(state).label: n for state, n in par_etat.items()},
        taux_acceptation=taux,
        temps_traitement_jours=None if p90 is None else math.ceil(p90),
        decides_30_jours=len(durations),
        mois=mois,
    )


@dataclass(frozen=True)
class Barre:
    x: float
    y: float
    hauteur: float
    classe: str
    titre: str


SLOT_WIDTH = 30
BAR_WIDTH = 11
CHART_HEIGHT = 100


def graphique_mensuel(stats: Statistiques) -> list[Barre]:
    """Two bars a month (deposits, decisions) scaled to the busiest month, in a 30-unit slot per month."""
    maximum = stats.maximum_mensuel
    barres = []
    for index, mois in enumerate(stats.mois):
        for offset, valeur, classe, quoi in (
            (3, mois.deposes, "stats-deposes", "déposé"),
            (3 + BAR_WIDTH + 2, mois.decides, "stats-decides", "décidé"),
        ):
            hauteur = CHART_HEIGHT * valeur / maximum
            barres.append(
                Barre(
                    x=index * SLOT_WIDTH + offset,
                    y=CHART_HEIGHT - hauteur,
                    hauteur=hauteur,
                    classe=classe,
                    titre=f"{mois.libelle} : {valeur} dossier{'s' if valeur > 1 else ''} {quoi}{'s' if valeur > 1 else ''}",
                )
            )
    return barres
