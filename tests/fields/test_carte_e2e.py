"""Browser journeys of issue 6's carte champ and prefill: a usager centres the map on an address,
draws a polygon, imports a GPX track, picks a cadastre parcel and deposits; another follows a
prefilled link. Every page is axe-core clean (screenshots in var/screenshots)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demarches.dossiers.models import Champ, Dossier
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.browser import login
from tests.fields.test_e2e_champs import saved

FICHIERS = Path(__file__).resolve().parent / "fichiers"
GPX, KML = FICHIERS / "sentier_dijon.gpx", FICHIERS / "zone_dijon.kml"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db(transaction=True)
def test_usager_draws_imports_and_picks_a_parcel(page, live_url, check_page):
    procedure = demarche_creer([
        ("text", "Nom de l'événement", True, {}),
        ("carte", "Emprise de l'événement", True, {}),
        ("titre_identite", "Pièce d'identité de l'organisateur", True, {}),
    ])
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    tdc = dossier.revision.types_de_champ.get(type_champ="carte")
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    carte = page.locator(f"#{tdc.html_id}-carte")
    expect(carte.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(f"textarea#{tdc.html_id}")).to_be_hidden()
    page.get_by_label(re.compile("^Nom de l'événement")).fill("Course du centre-ville")
    check_page("carte-vide")

    # Centre the map on an address (offline address search).
    carte.get_by_label("Rechercher une adresse sur la carte").fill("Rue des Godrans 21000 Dijon")
    carte.get_by_role("button", name="Centrer la carte").click()
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Carte centrée sur")

    # Draw a polygon with Geoman: three clicks, then the first vertex again.
    carte.locator(".leaflet-pm-icon-polygon").click()
    box = carte.locator(".carte__map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-120, -80), (-20, -80), (-20, 10)):
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)
    page.mouse.click(cx - 120, cy - 80)
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Géométrie ajoutée. 1 géométrie sur la carte.")
    expect(page.locator(f"#{tdc.html_id}-details")).to_contain_text("Polygone :")

    # Import a GPX track.
    carte.get_by_label(re.compile("^Importer un fichier GPX ou KML")).set_input_files(str(GPX))
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Fichier « sentier_dijon.gpx » importé : 1 géométrie ajoutée.")
    expect(page.locator(f"#{tdc.html_id}-details")).to_contain_text("Ligne « Parcours de la course » :")
    carte.get_by_label(re.compile("^Importer un fichier GPX ou KML")).set_input_files(str(KML))
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Fichier « zone_dijon.kml » importé")
    expect(page.locator(f"#{tdc.html_id}-details")).to_contain_text("Polygone « Zone de stationnement » :")

    # Show the cadastre parcels and pick one.
    carte.get_by_text("Afficher les parcelles cadastrales").click()
    premiere = carte.locator("[data-carte-parcelles] button").first
    expect(premiere).to_be_visible()
    nom = premiere.inner_text()
    # The list may be redrawn while the map settles: pick the parcel by its name.
    parcelle = carte.locator("[data-carte-parcelles]").get_by_role("button", name=nom, exact=True)
    parcelle.click()
    expect(carte.locator("[data-carte-statut]")).to_contain_text(f"Parcelle ajoutée : {nom}.")
    expect(parcelle).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#{tdc.html_id}-details")).to_contain_text("Parcelle cadastrale")
    saved(page)

    # The GeoJSON text, for keyboard users.
    carte.get_by_role("button", name="Saisir ou copier le tracé au format GeoJSON").click()
    geojson = page.locator(f"textarea#{tdc.html_id}")
    expect(geojson).to_be_visible()
    expect(geojson).to_be_focused()
    assert '"source":"cadastre"' in geojson.input_value()

    # The titre d'identité: one image.
    page.get_by_label(re.compile("^Pièce d'identité de l'organisateur")).set_input_files(
        files=[{"name": "identite.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(page.get_by_role("link", name=re.compile("identite.png"))).to_be_visible()
    check_page("carte-remplie")

    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION
    champ = Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id)
    kinds = sorted(
        (f["properties"]["source"], f["geometry"]["type"]) for f in champ.data["features"]
    )
    assert kinds == [
        ("cadastre", "MultiPolygon"), ("selection_utilisateur", "LineString"),
        ("selection_utilisateur", "Polygon"), ("selection_utilisateur", "Polygon"),
    ]
    assert champ.value.startswith("4 géométries : 2 polygones, 1 ligne, 1 parcelle cadastrale")

    page.goto(f"{live_url}/dossiers/{dossier.pk}/demande/")
    expect(page.get_by_text(re.compile("Ligne « Parcours de la course » : \\d+ m"))).to_be_visible()
    check_page("carte-demande")


@pytest.mark.django_db(transaction=True)
def test_usager_follows_a_prefilled_link(page, live_url, check_page):
    procedure = demarche_creer([
        ("text", "Nom de l'événement", True, {}),
        ("drop_down_list", "Type", False, {"choices": ["Concert", "Exposition"]}),
    ])
    ids = {t.libelle: t.stable_id for t in procedure.active_revision.types_de_champ.all()}
    usager = factories.UserFactory()
    login(page, live_url, usager)
    nom, type_ = ids["Nom de l'événement"], ids["Type"]
    page.goto(f"{live_url}/commencer/{procedure.path}?champ_{nom}=F%C3%AAte%20du%20parc&champ_{type_}=Cirque")
    expect(page.get_by_role("heading", name="Dossier prérempli")).to_be_visible()
    expect(page.get_by_text("Type : Choisissez une des valeurs proposées.")).to_be_visible()
    check_page("prefill-commencer")
    page.get_by_role("button", name="Commencer la démarche").click()
    page.get_by_text("Mme", exact=True).click()
    page.get_by_label("Nom *", exact=True).fill("Martin")
    page.get_by_label("Prénom *", exact=True).fill("Claire")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label(re.compile("^Nom de l'événement"))).to_have_value("Fête du parc")
    check_page("prefill-brouillon")

    page.goto(f"{live_url}/demarches/{procedure.pk}/preremplissage")
    expect(page.get_by_role("heading", name=re.compile("^Préremplir la démarche"))).to_be_visible()
    check_page("prefill-documentation")
