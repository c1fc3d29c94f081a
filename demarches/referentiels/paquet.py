"""Refreshing the geography from the published dataset package (npm's @etalab/decoupage-administratif
tarball): downloaded (or read from a local .tgz), only its four data files extracted into a temporary
folder, then loaded by services.referentiels_charger. Used by `manage.py referentiels_charger --paquet`.
"""

import io
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from . import services

# The version the application was checked against; settings.REFERENTIELS_PAQUET_URL may name another.
PAQUET_URL = "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz"
FICHIERS = ("communes.json", "departements.json", "regions.json", "epci.json")
TAILLE_MAX = 200 * 1024 * 1024  # the whole package is ~60 MB unpacked
TIMEOUT = 60


class PaquetInvalide(Exception):
    """The package could not be downloaded or is not the dataset package (message in French)."""


def paquet_url_par_defaut() -> str:
    return getattr(settings, "REFERENTIELS_PAQUET_URL", "") or PAQUET_URL


def _telecharger(url: str, timeout: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise PaquetInvalide(f"Adresse du paquet non reconnue : {url} (http ou https attendu, ou un fichier .tgz).")
    request = urllib.request.Request(url, headers={"User-Agent": "demarches (plateforme de démarches en ligne)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked above)
            body = response.read(TAILLE_MAX + 1)
    except urllib.error.HTTPError as exc:
        raise PaquetInvalide(f"Le téléchargement du paquet a échoué : HTTP {exc.code} ({url}).") from exc
    except (OSError, TimeoutError, ValueError) as exc:
        raise PaquetInvalide(f"Le téléchargement du paquet a échoué : {exc} ({url}).") from exc
    if len(body) > TAILLE_MAX:
        raise PaquetInvalide("Le paquet téléchargé est trop volumineux.")
    return body


def _extraire(contenu: bytes, dossier: Path) -> None:
    """Write the four data files of the tarball into `dossier` (nothing else, whatever the archive holds)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(contenu), mode="r:*") as archive:
            membres = {Path(m.name).name: m for m in archive.getmembers() if m.isfile() and Path(m.name).parent.name == "data"}
            manquants = [name for name in FICHIERS if name not in membres]
            if manquants:
                raise PaquetInvalide(
                    "Ce paquet ne contient pas les données attendues (fichiers manquants : " + ", ".join(manquants) + ")."
                )
            for name in FICHIERS:
                if membres[name].size > TAILLE_MAX:
                    raise PaquetInvalide(f"Le fichier {name} du paquet est trop volumineux.")
                source = archive.extractfile(membres[name])
                (dossier / name).write_bytes(source.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise PaquetInvalide(f"Le paquet est illisible : ce n'est pas une archive .tgz valide ({exc}).") from exc


def referentiels_charger_paquet(source: str | None = None, *, timeout: float = TIMEOUT) -> dict[str, int]:
    """Load the geography from the package at `source` (URL or local .tgz; the published one by default)."""
    source = source or paquet_url_par_defaut()
    chemin = Path(source)
    if "://" not in source and chemin.is_file():
        contenu = chemin.read_bytes()
    elif "://" not in source:
        raise PaquetInvalide(f"Fichier de paquet introuvable : {source}.")
    else:
        contenu = _telecharger(source, timeout)
    with tempfile.TemporaryDirectory(prefix="referentiels-") as temporaire:
        dossier = Path(temporaire)
        _extraire(contenu, dossier)
        return services.referentiels_charger(source=dossier)
