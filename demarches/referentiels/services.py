"""Loading the reference data: the official geography (npm package @etalab/decoupage-administratif)
and the bundled list of countries. A load replaces everything in one transaction, so a refresh
never leaves half a dataset behind; champs keep working because they store codes, not row ids.
"""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import CodePostal, Commune, Departement, Epci, EpciDepartement, Pays, Region
from .normalisation import normaliser

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
ECHANTILLON = "echantillon"
ECHANTILLON_DIR = DATA_DIR / ECHANTILLON
PAYS_FILE = DATA_DIR / "pays.json"
# Where `npm ci` puts the official dataset.
PACKAGE_DIR = Path(settings.BASE_DIR) / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
BATCH = 2000


def source_par_defaut() -> Path:
    """settings.REFERENTIELS_SOURCE: « echantillon » (bundled subset, for tests) or a folder of the
    dataset's JSON files; by default the installed npm package, or the subset when it is absent."""
    configured = getattr(settings, "REFERENTIELS_SOURCE", "")
    if configured == ECHANTILLON:
        return ECHANTILLON_DIR
    if configured:
        return Path(configured)
    return PACKAGE_DIR if (PACKAGE_DIR / "communes.json").exists() else ECHANTILLON_DIR


def _read(folder: Path, name: str):
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(
            f"Fichier de référence introuvable : {path}. Installez les données avec « npm ci » "
            "ou indiquez un dossier avec --source."
        )
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _departement_of(code_insee: str) -> str:
    return code_insee[:3] if code_insee.startswith(("97", "98")) else code_insee[:2]


@transaction.atomic
def referentiels_charger(*, source: Path | None = None) -> dict[str, int]:
    """Replace the reference tables with the content of `source` (and the bundled countries)."""
    folder = Path(source) if source else source_par_defaut()
    regions = _read(folder, "regions.json")
    departements = _read(folder, "departements.json")
    communes = [c for c in _read(folder, "communes.json") if c.get("type", "commune-actuelle") == "commune-actuelle"]
    epcis = _read(folder, "epci.json")
    with PAYS_FILE.open(encoding="utf-8") as handle:
        pays = json.load(handle)

    for model in (CodePostal, EpciDepartement, Commune, Epci, Departement, Region, Pays):
        model.objects.all().delete()

    Region.objects.bulk_create(
        [Region(code=r["code"], nom=r["nom"], zone=r.get("zone", "")) for r in regions], batch_size=BATCH
    )
    Departement.objects.bulk_create(
        [
            Departement(code=d["code"], nom=d["nom"], region_code=d.get("region", ""), zone=d.get("zone", ""))
            for d in departements
        ],
        batch_size=BATCH,
    )
    commune_rows, code_postal_rows, departement_by_commune = [], [], {}
    for c in communes:
        codes_postaux = sorted(set(c.get("codesPostaux") or []))
        commune = Commune(
            code_insee=c["code"], nom=c["nom"], nom_normalise=normaliser(c["nom"])[:100],
            departement_code=c.get("departement", ""), region_code=c.get("region", ""),
            codes_postaux=codes_postaux, population=c.get("population"),
        )
        commune_rows.append(commune)
        departement_by_commune[c["code"]] = commune.departement_code
        code_postal_rows.extend(CodePostal(code_postal=cp, commune=commune) for cp in codes_postaux)
    Commune.objects.bulk_create(commune_rows, batch_size=BATCH)
    CodePostal.objects.bulk_create(code_postal_rows, batch_size=BATCH)

    epci_rows, epci_departement_rows = [], []
    for e in epcis:
        epci = Epci(
            code=e["code"], nom=e["nom"], nom_normalise=normaliser(e["nom"])[:200], type=e.get("type", ""),
            population=e.get("populationTotale"),
        )
        epci_rows.append(epci)
        codes = {departement_by_commune.get(m["code"]) or _departement_of(m["code"]) for m in e.get("membres", [])}
        epci_departement_rows.extend(EpciDepartement(epci=epci, departement_code=code) for code in sorted(codes))
    Epci.objects.bulk_create(epci_rows, batch_size=BATCH)
    EpciDepartement.objects.bulk_create(epci_departement_rows, batch_size=BATCH)

    Pays.objects.bulk_create(
        [Pays(code=p["code"], nom=p["nom"], nom_normalise=normaliser(p["nom"])) for p in pays], batch_size=BATCH
    )
    counts = {
        "régions": len(regions), "départements": len(departements), "communes": len(commune_rows),
        "codes postaux": len(code_postal_rows), "EPCI": len(epci_rows), "pays": len(pays),
    }
    logger.info("Référentiels chargés depuis %s : %s", folder, counts)
    return counts


def referentiels_assurer_charges() -> None:
    """Load the reference data on first use (an empty database), so that a fresh installation or a
    test database works without running the command first."""
    if Region.objects.exists():
        return
    try:
        with transaction.atomic():
            referentiels_charger()
    except IntegrityError:
        # Another process loaded them at the same moment: theirs are as good as ours.
        logger.info("Référentiels chargés en parallèle par un autre processus.")
