"""The richer field types (blocs répétables, liens, SIRET…) as the API shows them.

Rows are written in the format each field type documents for its stored value.
"""

import pytest

from demarches.api.graphql.ids import global_id
from demarches.dossiers.models import Champ, Dossier
from demarches.fields import registry
from demarches.procedures import services as procedure_services
from demarches.procedures.models import TypeDeChamp
from tests import factories

from .conftest import creer_demarche

QUERY = """query($n: Int!) { dossier(number: $n) { champs {
  id label stringValue __typename
  ... on DossierLinkChamp { dossier { number } }
  ... on LinkedDropDownListChamp { primaryValue secondaryValue }
  ... on RepetitionChamp { rows { champs { id label ... on TextChamp { value } ... on IntegerNumberChamp { value } } } }
  ... on SiretChamp { etablissement { siret naf libelleNaf siegeSocial address { label postalCode cityName }
                      entreprise { siren raisonSociale dateCreation etatAdministratif } association { rna } } }
  ... on CheckboxChamp { checked: value }
  ... on TextChamp { text: value }
} } }"""

ETABLISSEMENT = {
    "siret": "11000001500019", "siren": "110000015", "raison_sociale": "Atelier de l'Exemple", "adresse": "1 rue de la Paix",
    "code_postal": "75002", "commune": "Paris", "code_insee": "75102", "enseigne": "", "naf": "62.01Z",
    "libelle_naf": "Programmation informatique", "forme_juridique": "5710", "libelle_forme_juridique": "SAS", "siege": True,
    "actif": True, "date_creation": "2010-05-01",
}


def _add(procedure, administrateur, type_champ, libelle, options=None):
    return procedure_services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle, options=options or {}
    )


@pytest.fixture
def demarche_riche(administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=[], publier=False)
    _add(procedure, administrateur, "dossier_link", "Dossier précédent")
    _add(procedure, administrateur, "linked_drop_down_list", "Lieu", {"choices": ["--Ain--", "Bourg-en-Bresse", "--Aisne--", "Laon"]})
    bloc = _add(procedure, administrateur, "repetition", "Membres du bureau")
    for position, (type_champ, libelle) in enumerate([("text", "Nom du membre"), ("integer_number", "Âge")], start=1):
        TypeDeChamp.objects.create(
            revision=bloc.revision, stable_id=procedure_services.next_stable_id(), type_champ=type_champ, libelle=libelle,
            parent=bloc, position=position,
        )
    _add(procedure, administrateur, "siret", "SIRET du prestataire")
    _add(procedure, administrateur, "engagement", "Je m'engage")
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=f"riche-{procedure.pk}")


def _row(dossier, tdc, value="", data=None, row_id=""):
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, row_id=row_id, value=value, data=data)


@pytest.fixture
def dossier_riche(demarche_riche, administrateur, instructeur):
    tdcs = {tdc.type_champ: tdc for tdc in demarche_riche.active_revision.types_de_champ.filter(parent__isnull=True)}
    children = list(tdcs["repetition"].children.order_by("position"))
    precedent = factories.dossier_creer(procedure=demarche_riche, state=Dossier.State.ACCEPTE)
    dossier = factories.dossier_creer(procedure=demarche_riche, state=Dossier.State.EN_CONSTRUCTION)
    _row(dossier, tdcs["dossier_link"], str(precedent.pk), {"dossier_id": precedent.pk})
    _row(dossier, tdcs["linked_drop_down_list"], "Aisne / Laon", {"primary": "Aisne", "secondary": "Laon", "has_secondaries": True})
    _row(dossier, tdcs["repetition"], "Ligne 1 : …", {"rows": ["a1", "b2"]})
    for row_id, (nom, age) in (("a1", ("Dupont", "41")), ("b2", ("Durand", "35"))):
        _row(dossier, children[0], nom, row_id=row_id)
        _row(dossier, children[1], age, row_id=row_id)
    _row(dossier, tdcs["siret"], ETABLISSEMENT["siret"], {"etat": "ok", "etablissement": ETABLISSEMENT})
    _row(dossier, tdcs["engagement"], "true")
    return dossier, precedent, tdcs, children


def test_rich_champs(gql, jeton, dossier_riche):
    dossier, precedent, tdcs, children = dossier_riche
    _, body, _ = gql(jeton[1], QUERY, {"n": dossier.pk})
    assert "errors" not in body, body.get("errors")
    champs = {champ["label"]: champ for champ in body["data"]["dossier"]["champs"]}
    assert champs["Dossier précédent"]["__typename"] == "DossierLinkChamp"
    assert champs["Dossier précédent"]["dossier"] == {"number": precedent.pk}
    assert champs["Lieu"]["primaryValue"] == "Aisne" and champs["Lieu"]["secondaryValue"] == "Laon"
    bloc = champs["Membres du bureau"]
    assert bloc["__typename"] == "RepetitionChamp"
    assert bloc["rows"] == [
        {"champs": [
            {"id": global_id("Champ", f"{children[0].stable_id}|a1"), "label": "Nom du membre", "value": "Dupont"},
            {"id": global_id("Champ", f"{children[1].stable_id}|a1"), "label": "Âge", "value": "41"},
        ]},
        {"champs": [
            {"id": global_id("Champ", f"{children[0].stable_id}|b2"), "label": "Nom du membre", "value": "Durand"},
            {"id": global_id("Champ", f"{children[1].stable_id}|b2"), "label": "Âge", "value": "35"},
        ]},
    ]
    etablissement = champs["SIRET du prestataire"]["etablissement"]
    assert etablissement == {
        "siret": "11000001500019", "naf": "62.01Z", "libelleNaf": "Programmation informatique", "siegeSocial": True,
        "address": {"label": "1 rue de la Paix, 75002 Paris", "postalCode": "75002", "cityName": "Paris"},
        "entreprise": {"siren": "110000015", "raisonSociale": "Atelier de l'Exemple", "dateCreation": "2010-05-01", "etatAdministratif": "Actif"},
        "association": None,
    }
    assert champs["Je m'engage"]["__typename"] == "CheckboxChamp" and champs["Je m'engage"]["checked"] is True
    for label, tdc in (("Dossier précédent", tdcs["dossier_link"]), ("Lieu", tdcs["linked_drop_down_list"])):
        stored = Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id).stored
        assert champs[label]["stringValue"] == registry.get(tdc.type_champ).display(stored)


def test_repetition_descriptors_list_their_children(gql, jeton, demarche_riche):
    _, body, _ = gql(jeton[1], "query($n: Int!) { demarche(number: $n) { activeRevision { champDescriptors { label type champDescriptors { label type } } } } }", {"n": demarche_riche.pk})
    descriptors = {d["label"]: d for d in body["data"]["demarche"]["activeRevision"]["champDescriptors"]}
    assert descriptors["Membres du bureau"]["type"] == "repetition"
    assert descriptors["Membres du bureau"]["champDescriptors"] == [{"label": "Nom du membre", "type": "text"}, {"label": "Âge", "type": "integer_number"}]
    assert descriptors["Lieu"]["champDescriptors"] is None


def test_linked_dossier_outside_the_token_scope_reads_as_null(gql, jeton, dossier_riche, instructeur):
    dossier, precedent, tdcs, _ = dossier_riche
    other = creer_demarche(factories.AdministrateurFactory(), instructeurs=[instructeur], libelle="Ailleurs")
    foreign = factories.dossier_creer(procedure=other, state=Dossier.State.ACCEPTE)
    Champ.objects.filter(dossier=dossier, stable_id=tdcs["dossier_link"].stable_id).update(value=str(foreign.pk), data={"dossier_id": foreign.pk})
    _, body, _ = gql(jeton[1], QUERY, {"n": dossier.pk})
    champs = {champ["label"]: champ for champ in body["data"]["dossier"]["champs"]}
    assert champs["Dossier précédent"]["dossier"] is None


@pytest.mark.skipif("carte" not in {t.key for t in registry.all_types()}, reason="type de champ carte absent du registre")
def test_carte_and_titre_identite(gql, jeton, administrateur, instructeur):
    # Given a dossier with a map champ holding a drawn polygon and a cadastre parcel, and an identity document
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=[], publier=False)
    carte = _add(procedure, administrateur, "carte", "Emprise du projet")
    titre = _add(procedure, administrateur, "titre_identite", "Pièce d'identité")
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=f"carte-{procedure.pk}")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    polygone = {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.81, 45.7], [4.81, 45.71], [4.8, 45.7]]]}
    _row(dossier, carte, "2 éléments", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": polygone, "properties": {"id": "f1", "source": "selection_utilisateur", "description": "Parking"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.8, 45.7]}, "properties": {"id": "f2", "source": "cadastre"}},
    ]})
    _row(dossier, titre, "cni.jpg", {"secret": "ne doit pas sortir"})
    document = """query($n: Int!) { dossier(number: $n) { champs { label stringValue __typename
      ... on CarteChamp { geoAreas { id source description geometry { type coordinates } } }
      ... on TextChamp { value } } } }"""
    # When the API reads it
    _, body, _ = gql(jeton[1], document, {"n": dossier.pk})
    assert "errors" not in body, body.get("errors")
    champs = {champ["label"]: champ for champ in body["data"]["dossier"]["champs"]}
    # Then the map's areas come with their GeoJSON geometry, and the identity document only says it was given
    areas = champs["Emprise du projet"]["geoAreas"]
    assert champs["Emprise du projet"]["__typename"] == "CarteChamp"
    assert areas[0] == {"id": global_id("GeoArea", "f1"), "source": "selection_utilisateur", "description": "Parking", "geometry": polygone}
    assert areas[1]["source"] == "cadastre" and areas[1]["geometry"]["type"] == "Point"
    identite = champs["Pièce d'identité"]
    assert identite["__typename"] == "TextChamp" and identite["value"] is None and "ne doit pas sortir" not in str(body)


# Types without a dedicated type in the reference schema (docs/api/differences.md): one stored row each,
# in the format the field type writes, with the text the API gives as `value` and as `stringValue`.
TEXT_CHAMPS = [
    # (type, label, value, data, expected value, expected stringValue)
    ("email", "Courriel", "contact@exemple.fr", None, "contact@exemple.fr", "contact@exemple.fr"),
    ("phone", "Téléphone", "01 23 45 67 89", None, "01 23 45 67 89", "01 23 45 67 89"),
    ("iban", "IBAN", "FR7630006000011234567890189", None, "FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189"),
    ("pays", "Pays de naissance", "FR", {"code": "FR", "nom": "France"}, "France", "France"),
    ("regions", "Région", "84", {"code": "84", "nom": "Auvergne-Rhône-Alpes"}, "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes"),
    ("departements", "Département", "01", {"code": "01", "nom": "Ain"}, "01 – Ain", "01 – Ain"),
    ("epci", "EPCI", "200071751", {"code": "200071751", "nom": "CA du Bassin de Bourg-en-Bresse", "departement": "01"},
     "CA du Bassin de Bourg-en-Bresse", "CA du Bassin de Bourg-en-Bresse"),
    ("address", "Adresse du projet", "12 rue Inconnue 01000 Nulle-Part", {"etat": "non_trouvee"},
     "12 rue Inconnue 01000 Nulle-Part (adresse saisie librement, non trouvée dans la Base Adresse Nationale)",
     "12 rue Inconnue 01000 Nulle-Part (adresse saisie librement, non trouvée dans la Base Adresse Nationale)"),
]


def test_text_champs_of_the_other_types(gql, jeton, administrateur, instructeur):
    # Given a dossier with one filled champ of each type the reference has no dedicated type for
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=[], publier=False)
    tdcs = [_add(procedure, administrateur, type_champ, label) for type_champ, label, *_ in TEXT_CHAMPS]
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=f"textes-{procedure.pk}")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    for tdc, (_type, _label, value, data, *_expected) in zip(tdcs, TEXT_CHAMPS):
        _row(dossier, tdc, value, data)
    # When a client reads them as the reference's clients do
    _, body, _ = gql(jeton[1], """query($n: Int!) { dossier(number: $n) { champs {
        __typename label stringValue ... on TextChamp { value } ... on IntegerNumberChamp { value } } } }""", {"n": dossier.pk})
    assert "errors" not in body, body.get("errors")
    # Then each is a TextChamp with its value as the platform shows it
    got = [(c["__typename"], c["label"], c["value"], c["stringValue"]) for c in body["data"]["dossier"]["champs"]]
    assert got == [("TextChamp", label, value, string_value) for _t, label, _v, _d, value, string_value in TEXT_CHAMPS]
