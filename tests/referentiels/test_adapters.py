"""Adapters of the external services: the offline twins, and the real HTTP clients replayed
against recorded responses, with the degraded behaviour on errors and timeouts."""

import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from demarches.referentiels import adapters
from demarches.referentiels.adapters.adresse import AdresseBAN, AdresseHorsLigne
from demarches.referentiels.adapters.association import AssociationHorsLigne, AssociationRechercheEntreprises
from demarches.referentiels.adapters.base import JsonHttpClient
from demarches.referentiels.adapters.entreprise import EntrepriseHorsLigne, EntrepriseRechercheEntreprises

RESPONSES = Path(__file__).resolve().parent / "reponses"


class Replay:
    """The network layer of the HTTP clients, answering with a recorded response."""

    def __init__(self, filename=None, *, status=200, body=None, error=None):
        self.body = body if body is not None else (RESPONSES / filename).read_bytes() if filename else b""
        self.status, self.error, self.calls = status, error, []

    def __call__(self, url, *, timeout, headers):
        self.calls.append({"url": url, "timeout": timeout, "headers": headers})
        if self.error:
            raise self.error
        return self.status, self.body


FAILURES = [
    Replay(error=TimeoutError("timed out")),
    Replay(error=socket.timeout("timed out")),
    Replay(error=ConnectionRefusedError("refused")),
    Replay(error=OSError("Name or service not known")),
    Replay(status=500, body=b"Internal Server Error"),
    Replay(status=429, body=b'{"erreur": "trop de requetes"}'),
    Replay(status=200, body=b"<html>maintenance</html>"),
]


# Registry -------------------------------------------------------------------------------------


def test_offline_twins_are_the_default(settings):
    settings.REFERENTIELS_ADAPTATEURS = {}
    assert isinstance(adapters.get("entreprise"), EntrepriseHorsLigne)
    assert isinstance(adapters.get("association"), AssociationHorsLigne)
    assert isinstance(adapters.get("adresse"), AdresseHorsLigne)


def test_real_clients_are_chosen_by_settings(settings):
    settings.REFERENTIELS_ADAPTATEURS = {"entreprise": "api", "association": "api", "adresse": "ban"}
    assert isinstance(adapters.get("entreprise"), EntrepriseRechercheEntreprises)
    assert isinstance(adapters.get("association"), AssociationRechercheEntreprises)
    assert isinstance(adapters.get("adresse"), AdresseBAN)
    assert adapters.implementations("adresse") == ["ban", "hors_ligne"]
    settings.REFERENTIELS_ADAPTATEURS = {"adresse": "inconnu"}
    with pytest.raises(ValueError, match="Adaptateur inconnu pour « adresse » : inconnu"):
        adapters.get("adresse")


def test_remplacer_is_scoped():
    twin = EntrepriseHorsLigne()
    with adapters.remplacer("entreprise", twin):
        assert adapters.get("entreprise") is twin
    assert adapters.get("entreprise") is not twin


# Company registry -------------------------------------------------------------------------------


def test_entreprise_offline_twin():
    etab = EntrepriseHorsLigne().etablissement("84512378500030")
    assert (etab.raison_sociale, etab.commune, etab.siege, etab.actif) == ("ATELIER NUMERIQUE DURAND", "Nantes", False, True)
    assert etab.libelle_naf == "Programmation informatique"
    assert etab.adresse_complete == "15 Quai de la Fosse, 44000 Nantes"
    assert EntrepriseHorsLigne().etablissement("73282932000074") is None


def test_offline_twin_has_twenty_valid_etablissements():
    from stdnum.fr import siret

    from demarches.referentiels.adapters.entreprise import _offline_data

    rows = _offline_data()
    assert len(rows) >= 20
    assert all(siret.is_valid(number) for number in rows)
    assert all(row["raison_sociale"] and row["naf"] and row["forme_juridique"] and row["code_postal"] for row in rows.values())


def test_entreprise_real_client_reads_the_recorded_response(settings):
    settings.REFERENTIELS_TIMEOUT = 2.5
    replay = Replay("recherche_entreprises_siret.json")
    etab = EntrepriseRechercheEntreprises(transport=replay).etablissement("84512378500030")
    assert etab.siret == "84512378500030" and etab.siren == "845123785"
    assert (etab.raison_sociale, etab.enseigne) == ("ATELIER NUMERIQUE DURAND", "DURAND NANTES")
    assert (etab.adresse, etab.code_postal, etab.commune, etab.code_insee) == ("15 QUAI DE LA FOSSE", "44000", "NANTES", "44109")
    assert (etab.naf, etab.libelle_naf) == ("62.01Z", "Programmation informatique")
    assert (etab.forme_juridique, etab.libelle_forme_juridique) == ("5710", "Société par actions simplifiée (SAS)")
    assert etab.siege is False and etab.actif is True
    call = replay.calls[0]
    assert call["url"].startswith("https://recherche-entreprises.api.gouv.fr/search?")
    assert parse_qs(urlsplit(call["url"]).query)["q"] == ["84512378500030"]
    assert call["timeout"] == 2.5


def test_entreprise_real_client_finds_the_siege_too():
    etab = EntrepriseRechercheEntreprises(transport=Replay("recherche_entreprises_siret.json")).etablissement("84512378500022")
    assert etab.siege is True and etab.commune == "RENNES"


def test_entreprise_real_client_unknown_number():
    assert EntrepriseRechercheEntreprises(transport=Replay("recherche_entreprises_vide.json")).etablissement("73282932000074") is None
    assert EntrepriseRechercheEntreprises(transport=Replay(status=404, body=b"")).etablissement("73282932000074") is None
    # A result that is another company (the search is fuzzy) is not the établissement asked for.
    assert EntrepriseRechercheEntreprises(transport=Replay("recherche_entreprises_siret.json")).etablissement("81234567600017") is None


@pytest.mark.parametrize("replay", FAILURES, ids=lambda r: str(r.error or r.status))
def test_entreprise_real_client_failures_are_service_indisponible(replay):
    with pytest.raises(adapters.ServiceIndisponible):
        EntrepriseRechercheEntreprises(transport=replay).etablissement("84512378500030")


# Associations ---------------------------------------------------------------------------------


def test_association_offline_twin():
    association = AssociationHorsLigne().association("W141000456")
    assert association.titre == "LES AMIS DE LA BIBLIOTHÈQUE DE CAEN"
    assert association.adresse_complete == "Place Louis Guillouard, 14000 Caen"
    assert AssociationHorsLigne().association("W000000000") is None


def test_association_real_client_reads_the_recorded_response():
    association = AssociationRechercheEntreprises(transport=Replay("recherche_entreprises_association.json")).association("W451000123")
    assert association.titre == "ASSOCIATION SPORTIVE DES BORDS DE LOIRE"
    assert (association.adresse, association.code_postal, association.commune) == ("QUAI DU CHATELET", "45000", "ORLEANS")
    assert association.siret == "77889900500012"
    assert AssociationRechercheEntreprises(transport=Replay("recherche_entreprises_association.json")).association("W999999999") is None


@pytest.mark.parametrize("replay", FAILURES, ids=lambda r: str(r.error or r.status))
def test_association_real_client_failures(replay):
    with pytest.raises(adapters.ServiceIndisponible):
        AssociationRechercheEntreprises(transport=replay).association("W451000123")


# Address search -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adresse_offline_twin_finds_streets_numbers_and_communes():
    twin = AdresseHorsLigne()
    [adresse] = twin.rechercher("41 route de vienne lyon")
    assert (adresse.label, adresse.type, adresse.numero) == ("41 Route de Vienne 69008 Lyon", "housenumber", "41")
    assert (adresse.departement, adresse.region, adresse.region_nom) == ("69", "84", "Auvergne-Rhône-Alpes")
    street = twin.rechercher("route de vie")[0]
    assert street.type == "street" and street.numero == ""
    communes = [a for a in twin.rechercher("ajaccio") if a.type == "municipality"]
    assert [a.label for a in communes] == ["Ajaccio 20000", "Ajaccio 20090", "Ajaccio 20167"]
    assert communes[0].departement == "2A" and communes[0].region_nom == "Corse"
    assert twin.rechercher("zz") == []
    assert len(twin.rechercher("saint", limit=3)) <= 3


@pytest.mark.django_db
def test_adresse_real_client_reads_the_recorded_response():
    replay = Replay("ban_search_segur.json")
    results = AdresseBAN(transport=replay).rechercher("20 avenue de ségur paris", limit=5)
    first, second = results
    assert (first.label, first.type, first.numero, first.voie) == ("20 Avenue de Ségur 75007 Paris", "housenumber", "20", "Avenue de Ségur")
    assert (first.code_postal, first.commune, first.code_insee) == ("75007", "Paris", "75107")
    assert (first.departement, first.departement_nom, first.region, first.region_nom) == ("75", "Paris", "11", "Île-de-France")
    assert (first.latitude, first.longitude) == (48.850699, 2.308628)
    assert first.id == "75107_8909_00020"
    assert (second.type, second.voie, second.numero) == ("street", "Avenue de Ségur", "")
    url = replay.calls[0]["url"]
    assert url.startswith("https://api-adresse.data.gouv.fr/search/?")
    assert parse_qs(urlsplit(url).query) == {"q": ["20 avenue de ségur paris"], "limit": ["5"]}


@pytest.mark.django_db
def test_adresse_real_client_empty_and_short_queries():
    assert AdresseBAN(transport=Replay("ban_search_vide.json")).rechercher("zzzz qqqq") == []
    replay = Replay("ban_search_vide.json")
    assert AdresseBAN(transport=replay).rechercher("ab") == [] and replay.calls == []


@pytest.mark.django_db
@pytest.mark.parametrize("replay", FAILURES, ids=lambda r: str(r.error or r.status))
def test_adresse_real_client_failures(replay):
    with pytest.raises(adapters.ServiceIndisponible):
        AdresseBAN(transport=replay).rechercher("20 avenue de ségur")


def test_json_client_url_building():
    client = JsonHttpClient("https://exemple.fr/api/", timeout=1)
    assert client.url("/search/", {"q": "a b", "limit": 2}) == "https://exemple.fr/api/search/?q=a+b&limit=2"
    assert client.timeout == 1
