"""The real HTTP clients of the external services, with their real network layer (urllib), against a
local server replaying the recorded responses (tests/referentiels/reponses): the answers are read,
and a server too slow or in error gives the degraded behaviour — in the usager's form too, never a 500."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from demarches.dossiers.models import Champ
from demarches.referentiels import adapters
from demarches.referentiels.adapters.adresse import AdresseBAN
from demarches.referentiels.adapters.association import AssociationRechercheEntreprises
from demarches.referentiels.adapters.cadastre import CadastreApiCarto
from demarches.referentiels.adapters.entreprise import EntrepriseRechercheEntreprises
from tests import factories
from tests.fields.demarches import demarche_creer

SEGUR = (2.3090, 48.8485, 2.3110, 48.8495)


@pytest.fixture
def services_locaux(settings, serveur):
    settings.REFERENTIELS_ENTREPRISE_URL = serveur.url
    settings.REFERENTIELS_ADRESSE_URL = serveur.url
    settings.REFERENTIELS_CADASTRE_URL = serveur.url
    settings.REFERENTIELS_TIMEOUT = 0.5
    return serveur


def test_entreprise_over_http(services_locaux):
    services_locaux.fichier = "recherche_entreprises_siret.json"
    etab = EntrepriseRechercheEntreprises().etablissement("84512378500030")
    assert (etab.raison_sociale, etab.commune, etab.siege) == ("ATELIER NUMERIQUE DURAND", "NANTES", False)
    url = urlsplit(services_locaux.requetes[0])
    assert url.path == "/search" and parse_qs(url.query)["q"] == ["84512378500030"]


def test_association_over_http(services_locaux):
    services_locaux.fichier = "recherche_entreprises_association.json"
    assert AssociationRechercheEntreprises().association("W451000123").titre == "ASSOCIATION SPORTIVE DES BORDS DE LOIRE"


@pytest.mark.django_db
def test_adresse_over_http(services_locaux):
    services_locaux.fichier = "ban_search_segur.json"
    first = AdresseBAN().rechercher("20 avenue de ségur paris", limit=5)[0]
    assert (first.label, first.code_insee) == ("20 Avenue de Ségur 75007 Paris", "75107")
    assert parse_qs(urlsplit(services_locaux.requetes[0]).query)["q"] == ["20 avenue de ségur paris"]


def test_cadastre_over_http(services_locaux):
    services_locaux.fichier = "apicarto_cadastre_parcelle.json"
    assert [p.idu for p in CadastreApiCarto().parcelles(SEGUR)] == ["75107000AB0012", "75107000AB0013"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "appel",
    [
        lambda: EntrepriseRechercheEntreprises().etablissement("84512378500030"),
        lambda: AssociationRechercheEntreprises().association("W451000123"),
        lambda: AdresseBAN().rechercher("20 avenue de ségur paris"),
        lambda: CadastreApiCarto().parcelles(SEGUR),
    ],
    ids=["entreprise", "association", "adresse", "cadastre"],
)
@pytest.mark.parametrize("panne", ["lent", "erreur", "illisible", "eteint"])
def test_slow_or_failing_services_are_unavailable_quickly(settings, services_locaux, appel, panne):
    services_locaux.fichier = "recherche_entreprises_siret.json"
    if panne == "lent":
        services_locaux.attente = 2.0  # longer than REFERENTIELS_TIMEOUT
    elif panne == "erreur":
        services_locaux.fichier, services_locaux.status = None, 503
    elif panne == "illisible":
        services_locaux.fichier = "README.md"
    else:
        for name in ("REFERENTIELS_ENTREPRISE_URL", "REFERENTIELS_ADRESSE_URL", "REFERENTIELS_CADASTRE_URL"):
            setattr(settings, name, "http://127.0.0.1:9")  # nothing listens there
    debut = time.monotonic()
    with pytest.raises(adapters.ServiceIndisponible):
        appel()
    assert time.monotonic() - debut < 1.8


# In the usager's form: the value is kept, the degraded message shown, never a 500 ----------------


@pytest.mark.django_db
@pytest.mark.parametrize("panne", ["lent", "erreur"])
def test_the_form_degrades_when_the_registry_is_slow_or_down(client, settings, services_locaux, panne):
    settings.REFERENTIELS_ADAPTATEURS = {"entreprise": "api", "association": "api", "adresse": "ban"}
    if panne == "lent":
        services_locaux.fichier, services_locaux.attente = "recherche_entreprises_siret.json", 2.0
    else:
        services_locaux.status = 500
    procedure = demarche_creer([("siret", "SIRET", False, {}), ("rna", "RNA", False, {}), ("address", "Adresse", False, {})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    ids = {t.libelle: t.html_id for t in dossier.revision.types_de_champ.all()}
    client.force_login(usager)
    response = client.post(
        f"/dossiers/{dossier.pk}/brouillon/",
        {ids["SIRET"]: "845 123 785 00030", ids["RNA"]: "W451000123", ids["Adresse"]: "20 avenue de ségur paris"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "INSEE ne répond pas pour le moment" in html
    champs = {c.type_de_champ.libelle: c for c in Champ.objects.filter(dossier=dossier).select_related("type_de_champ")}
    assert champs["SIRET"].value == "84512378500030" and champs["SIRET"].data["etat"] == "indisponible"
    assert champs["RNA"].value == "W451000123" and champs["RNA"].data["etat"] == "indisponible"
    assert champs["Adresse"].value == "20 avenue de ségur paris" and champs["Adresse"].data["etat"] == "indisponible"
    # The page itself shows the champs again with the degraded messages.
    page = client.get(f"/dossiers/{dossier.pk}/brouillon/")
    assert page.status_code == 200 and "INSEE ne répond pas pour le moment" in page.content.decode()
