"""`referentiels_charger --paquet`: refreshing the geography from the published dataset package,
offline — a small .tgz laid out like npm's @etalab/decoupage-administratif, built from the bundled
sample, read from disk or served by a local HTTP server."""

import io
import json
import tarfile

import pytest
from django.core.management import CommandError, call_command

from demarches.referentiels import paquet, selectors
from demarches.referentiels.models import Commune, Departement, Epci, Region
from demarches.referentiels.services import ECHANTILLON_DIR

FICHIERS = ("communes.json", "departements.json", "regions.json", "epci.json")


def tgz(fichiers: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in fichiers.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def paquet_echantillon(**remplacer) -> bytes:
    """The sample as an npm tarball (package/…), with one commune renamed to tell it from the sample."""
    communes = json.loads((ECHANTILLON_DIR / "communes.json").read_text(encoding="utf-8"))
    communes[0] = {**communes[0], "nom": "Commune Rafraîchie"}
    fichiers = {f"package/data/{name}": (ECHANTILLON_DIR / name).read_bytes() for name in FICHIERS}
    fichiers["package/data/communes.json"] = json.dumps(communes).encode()
    fichiers["package/package.json"] = b'{"name": "@etalab/decoupage-administratif", "version": "6.0.0"}'
    fichiers.update(remplacer)
    return tgz({k: v for k, v in fichiers.items() if v is not None})


@pytest.fixture
def nombre_communes():
    return sum(1 for c in json.loads((ECHANTILLON_DIR / "communes.json").read_text(encoding="utf-8")) if c.get("type", "commune-actuelle") == "commune-actuelle")


@pytest.mark.django_db
def test_refresh_from_a_local_package(tmp_path, capsys, nombre_communes):
    fichier = tmp_path / "decoupage-administratif-6.0.0.tgz"
    fichier.write_bytes(paquet_echantillon())
    call_command("referentiels_charger", "--paquet", str(fichier))
    assert "Référentiels rafraîchis depuis le paquet" in capsys.readouterr().out
    assert Commune.objects.count() == nombre_communes
    assert Commune.objects.filter(nom="Commune Rafraîchie").exists()
    assert Region.objects.exists() and Departement.objects.exists() and Epci.objects.exists()


@pytest.mark.django_db
def test_refresh_downloads_the_published_package(settings, serveur, nombre_communes):
    serveur.corps = paquet_echantillon()
    settings.REFERENTIELS_PAQUET_URL = f"{serveur.url}/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz"
    call_command("referentiels_charger", "--paquet")
    assert serveur.requetes == ["/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz"]
    assert Commune.objects.count() == nombre_communes and Commune.objects.filter(nom="Commune Rafraîchie").exists()


def test_the_default_package_is_the_published_one(settings):
    settings.REFERENTIELS_PAQUET_URL = ""
    assert paquet.paquet_url_par_defaut().startswith("https://registry.npmjs.org/@etalab/decoupage-administratif/-/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "corps,status,message",
    [
        (None, 404, "HTTP 404"),
        (b"pas une archive", 200, "illisible"),
        (paquet_echantillon(**{"package/data/epci.json": None}), 200, "fichiers manquants : epci.json"),
        (paquet_echantillon(**{"package/data/regions.json": b"{pas du json"}), 200, "Chargement impossible"),
    ],
    ids=["introuvable", "illisible", "incomplet", "json-invalide"],
)
def test_a_bad_package_fails_clearly_and_keeps_the_current_data(settings, serveur, corps, status, message):
    selectors.communes_rechercher("paris")  # the sample is loaded
    avant = Commune.objects.count()
    serveur.corps, serveur.status = corps, status
    with pytest.raises(CommandError, match=message):
        call_command("referentiels_charger", "--paquet", f"{serveur.url}/paquet.tgz")
    assert Commune.objects.count() == avant and avant > 0


@pytest.mark.django_db
def test_only_the_data_files_are_extracted(tmp_path):
    """An archive cannot write outside the temporary folder (« ../ » names are ignored, not followed)."""
    cible = tmp_path / "ailleurs.json"
    contenu = paquet_echantillon(**{f"package/data/../../../{tmp_path.name}/ailleurs.json": b"[]"})
    dossier = tmp_path / "extraction"
    dossier.mkdir()
    paquet._extraire(contenu, dossier)
    assert sorted(p.name for p in dossier.iterdir()) == sorted(FICHIERS)
    assert not cible.exists()


def test_a_missing_local_file_or_an_unknown_scheme(tmp_path):
    with pytest.raises(paquet.PaquetInvalide, match="introuvable"):
        paquet.referentiels_charger_paquet(str(tmp_path / "absent.tgz"))
    with pytest.raises(paquet.PaquetInvalide, match="non reconnue"):
        paquet.referentiels_charger_paquet("ftp://exemple.fr/paquet.tgz")
