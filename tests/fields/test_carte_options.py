"""The carte champ's editor options: the « Cadastres » layer (saved through the form editor, honoured
by the usager's widget) and the maximum number of geometries."""

import pytest
from django.urls import reverse

from demarches.fields import options as champ_options
from demarches.fields import registry
from demarches.fields.types import carte
from tests import factories
from tests.fields.demarches import demarche_creer

pytestmark = pytest.mark.django_db

CARTE = registry.get("carte")


def test_the_carte_declares_only_the_layers_we_implement():
    keys = [option.key for option in champ_options.options_de(CARTE)]
    assert keys == ["cadastre", "max_features"]
    assert "natura" not in " ".join(keys) and "znieff" not in " ".join(keys)
    cleaned, errors = champ_options.verifier(CARTE, {"cadastre": False, "max_features": "20"})
    assert errors == {} and cleaned == {"cadastre": False, "max_features": 20}
    _, errors = champ_options.verifier(CARTE, {"cadastre": True, "max_features": "0"})
    assert errors == {"max_features": "Indiquez un nombre supérieur ou égal à 1."}


def test_cadastre_layer_is_on_unless_turned_off():
    assert carte.cadastre_propose({}) is True
    assert carte.cadastre_propose({"cadastre": True}) is True
    assert carte.cadastre_propose({"cadastre": False}) is False


@pytest.fixture
def demarche_carte(administrateur):
    return factories.procedure_creer(
        administrateur=administrateur, publier=False, champs=[("carte", "Emprise du projet", False)]
    )


def _post(tdc, **fields):
    prefix = f"champ-{tdc.stable_id}"
    data = {f"{prefix}-type_champ": "carte", f"{prefix}-libelle": tdc.libelle, f"{prefix}-description": ""}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def test_editor_shows_and_saves_the_cadastre_option(client, administrateur, demarche_carte):
    client.force_login(administrateur.user)
    tdc = demarche_carte.draft_revision.types_de_champ.get()
    url = reverse("procedures:champ_modifier", args=[demarche_carte.pk, tdc.stable_id])
    content = client.get(url).content.decode()
    assert "Couche « Cadastres »" in content
    assert f'name="champ-{tdc.stable_id}-cadastre"' in content and "checked" in content.split("Couche « Cadastres »")[0][-600:]

    # Unticked: the layer is no longer offered.
    assert client.post(url, _post(tdc, max_features="")).status_code == 302
    tdc.refresh_from_db()
    assert tdc.options["cadastre"] is False and tdc.options["max_features"] is None

    # Ticked again, with a maximum.
    assert client.post(url, _post(tdc, cadastre="on", max_features="12")).status_code == 302
    tdc.refresh_from_db()
    assert tdc.options["cadastre"] is True and tdc.options["max_features"] == 12
    editor = client.get(reverse("procedures:champs", args=[demarche_carte.pk])).content.decode()
    assert "Couche « Cadastres »" in editor and "Nombre maximal de géométries : 12" in editor


def test_another_administrateur_cannot_change_the_option(client, demarche_carte):
    other = factories.AdministrateurFactory()
    client.force_login(other.user)
    tdc = demarche_carte.draft_revision.types_de_champ.get()
    url = reverse("procedures:champ_modifier", args=[demarche_carte.pk, tdc.stable_id])
    assert client.post(url, _post(tdc, max_features="3")).status_code == 404
    tdc.refresh_from_db()
    assert "cadastre" not in tdc.options


@pytest.mark.parametrize("options, offered", [({}, True), ({"cadastre": True}, True), ({"cadastre": False}, False)])
def test_the_widget_offers_the_cadastre_toggle_only_when_on(client, options, offered):
    procedure = demarche_creer([("carte", "Emprise", False, {**options, "max_features": 7})])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    client.force_login(usager)
    html = client.get(f"/dossiers/{dossier.pk}/brouillon/").content.decode()
    assert ("Afficher les parcelles cadastrales" in html) is offered
    assert ("data-carte-cadastre" in html) is offered
    assert ("data-carte-parcelles" in html) is offered
    assert ('data-cadastre-url="/cadastre/parcelles"' in html) is offered
    assert "7 géométries au maximum" in html


def test_without_the_cadastre_layer_a_parcel_is_kept_as_a_drawn_shape():
    square = [[5.0, 47.0], [5.001, 47.0], [5.001, 47.001], [5.0, 47.001], [5.0, 47.0]]
    payload = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
        "properties": {"source": "cadastre", "cid": "21231000BX0002", "section": "BX", "numero": "0002"},
    }]}
    with_layer = carte.collection_clean(payload, options={})
    assert with_layer["features"][0]["properties"]["source"] == "cadastre"
    without = carte.collection_clean(payload, options={"cadastre": False})
    assert without["features"][0]["properties"] == {"source": "selection_utilisateur"}
