"""Reads on the reference data. Every function loads the data on first use (see services)."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from .models import CodePostal, Commune, Departement, Epci, Pays, Region
from .normalisation import normaliser
from .services import referentiels_assurer_charges

MAX_RESULTATS = 20
_CODE_POSTAL = re.compile(r"^\d{2,5}$")
_NOM_ET_CODE_POSTAL = re.compile(r"^(?P<nom>.+?)\s*\((?P<cp>\d{5})\)\s*$")


@dataclass(frozen=True)
class CommuneTrouvee:
    """A commune with the postal code the usager chose (a commune may have several)."""

    code_insee: str
    nom: str
    code_postal: str
    departement: str
    region: str

    @property
    def label(self) -> str:
        return f"{self.nom} ({self.code_postal})" if self.code_postal else self.nom

    def as_data(self) -> dict:
        return {
            "code_insee": self.code_insee, "nom": self.nom, "code_postal": self.code_postal,
            "departement": self.departement, "region": self.region,
        }


def _commence_par(field: str, prefix: str) -> Q:
    """A prefix filter that an index serves. Normalised names and postal codes hold only ASCII
    letters, digits and spaces, so on SQLite (binary comparison) a range is exactly the prefix and
    uses the plain index; PostgreSQL uses LIKE with the varchar_pattern_ops index."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\x7f"})
    return Q(**{f"{field}__startswith": prefix})


def _trouvee(commune: Commune, code_postal: str) -> CommuneTrouvee:
    return CommuneTrouvee(
        code_insee=commune.code_insee, nom=commune.nom, code_postal=code_postal,
        departement=commune.departement_code, region=commune.region_code,
    )


def communes_rechercher(query: str, *, limit: int = MAX_RESULTATS) -> list[CommuneTrouvee]:
    """Communes whose name starts with the query, or whose postal code starts with it (2 to 5
    digits), biggest first; one result per (commune, postal code) when searching by postal code."""
    referentiels_assurer_charges()
    query = (query or "").strip()
    limit = max(1, min(limit, MAX_RESULTATS))
    if _CODE_POSTAL.match(query):
        rows = (
            CodePostal.objects.filter(_commence_par("code_postal", query))
            .select_related("commune")
            .order_by("code_postal", "-commune__population", "commune__nom")[:limit]
        )
        return [_trouvee(row.commune, row.code_postal) for row in rows]
    match = _NOM_ET_CODE_POSTAL.match(query)
    if match:
        found = commune_par_nom_et_code_postal(match["nom"], match["cp"])
        return [found] if found else []
    normalised = normaliser(query)
    if len(normalised) < 2:
        return []
    communes = Commune.objects.filter(_commence_par("nom_normalise", normalised)).order_by(
        "-population", "nom", "code_insee"
    )[: limit * 2]
    exact, others = [], []
    for commune in communes:
        codes = commune.codes_postaux or [""]
        if commune.nom_normalise == normalised:
            # The commune typed in full: every postal code, so « Paris » offers « Paris (75015) ».
            exact.extend(_trouvee(commune, code) for code in codes)
        else:
            # Still typing: one line per commune when it has many postal codes.
            others.extend(_trouvee(commune, code) for code in (codes[:1] if len(codes) > 3 else codes))
    return (exact + others)[:limit]


def commune_par_nom_et_code_postal(nom: str, code_postal: str) -> CommuneTrouvee | None:
    referentiels_assurer_charges()
    normalised = normaliser(nom)
    rows = CodePostal.objects.filter(code_postal=code_postal).select_related("commune")
    for row in rows:
        if row.commune.nom_normalise == normalised:
            return _trouvee(row.commune, code_postal)
    return None


def communes_du_code_postal(code_postal: str) -> list[CommuneTrouvee]:
    referentiels_assurer_charges()
    rows = CodePostal.objects.filter(code_postal=code_postal).select_related("commune").order_by("commune__nom")
    return [_trouvee(row.commune, code_postal) for row in rows]


def communes_du_nom(nom: str) -> list[Commune]:
    referentiels_assurer_charges()
    return list(Commune.objects.filter(nom_normalise=normaliser(nom)).order_by("-population", "code_insee"))


def commune_par_code(code_insee: str) -> Commune | None:
    referentiels_assurer_charges()
    return Commune.objects.filter(code_insee=code_insee).first()


def departements() -> list[Departement]:
    referentiels_assurer_charges()
    return list(Departement.objects.order_by("code"))


def departement_par_code(code: str) -> Departement | None:
    referentiels_assurer_charges()
    return Departement.objects.filter(code=code).first()


# Régions proper: the 13 of metropolitan France and the 5 overseas ones (not the other collectivités).
ZONES_REGIONS = ("metro", "drom")


def regions() -> list[Region]:
    referentiels_assurer_charges()
    return list(Region.objects.filter(zone__in=ZONES_REGIONS).order_by("nom"))


def region_par_code(code: str) -> Region | None:
    referentiels_assurer_charges()
    return Region.objects.filter(code=code, zone__in=ZONES_REGIONS).first()


def pays() -> list[Pays]:
    referentiels_assurer_charges()
    return list(Pays.objects.order_by("nom_normalise"))


def pays_par_code(code: str) -> Pays | None:
    referentiels_assurer_charges()
    return Pays.objects.filter(code=code).first()


def pays_par_nom(nom: str) -> Pays | None:
    referentiels_assurer_charges()
    return Pays.objects.filter(nom_normalise=normaliser(nom)).first()


def epci_du_departement(departement_code: str) -> list[Epci]:
    referentiels_assurer_charges()
    return list(Epci.objects.filter(departements__departement_code=departement_code).order_by("nom").distinct())


def epci_par_code(code: str) -> Epci | None:
    referentiels_assurer_charges()
    return Epci.objects.filter(code=code).first()


def epci_rechercher(query: str, *, limit: int = MAX_RESULTATS) -> list[Epci]:
    referentiels_assurer_charges()
    normalised = normaliser(query)
    if len(normalised) < 2:
        return []
    return list(
        Epci.objects.filter(_commence_par("nom_normalise", normalised) | Q(nom_normalise__contains=f" {normalised}"))
        .order_by("-population", "nom")[: max(1, min(limit, MAX_RESULTATS))]
    )
