"""Browser journey over the whole field registry: a démarche with one champ of every registered type
(iterating the registry, so a type added later without a spec here fails this test), filled in the
browser — map drawing and GPX import, address and commune autocomplete (offline adapters), files,
conditions showing and hiding champs — deposited; the stored values are checked, then the
instructeur's view of the dossier. Every page visited is axe-core clean (screenshots in var/screenshots).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demarches.dossiers.models import Champ, Dossier, PieceJointe
from demarches.fields import registry
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.browser import cocher, login
from tests.fields.test_e2e_champs import saved

FICHIERS = Path(__file__).resolve().parent / "fichiers"
GPX = FICHIERS / "sentier_dijon.gpx"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

OUI_NON = "Avez-vous des salariés ?"
MOTIF = "Pourquoi aucun salarié ?"  # shown by « Non », hidden again by « Oui »

# type key → (libellé, options). One champ per registered type.
SPECS = {
    "header_section": ("Votre demande", {"level": 1}),
    "explication": ("À savoir", {"collapsible": True}),
    "text": ("Nom du projet", {}),
    "textarea": ("Description du projet", {}),
    "integer_number": ("Nombre de participants", {"min": 1}),
    "decimal_number": ("Budget en euros", {}),
    "date": ("Date de l'événement", {}),
    "datetime": ("Début de l'installation", {}),
    "checkbox": ("Événement gratuit", {}),
    "yes_no": (OUI_NON, {}),
    "civilite": ("Civilité du responsable", {}),
    "email": ("Courriel du responsable", {}),
    "phone": ("Téléphone du responsable", {}),
    "formatted": ("Référence cadastrale", {"mode": "avance", "regex": r"[A-Z]{2} \d{1,4}", "example": "AB 123"}),
    "engagement": ("Je certifie l'exactitude des informations", {}),
    "drop_down_list": ("Type d'événement", {"choices": ["Concert", "Exposition"]}),
    "multiple_drop_down_list": ("Besoins", {"choices": ["Électricité", "Eau", "Barrières"]}),
    "linked_drop_down_list": ("Production", {"choices": ["--Fruits--", "Pomme", "--Légumes--", "Carotte", "Poireau"]}),
    "repetition": ("Salariés", {}),
    "dossier_link": ("Dossier de l'an dernier", {}),
    "piece_justificative": ("Plan du site", {}),
    "address": ("Adresse du siège", {}),
    "communes": ("Commune du projet", {}),
    "departements": ("Département", {}),
    "regions": ("Région", {}),
    "epci": ("Intercommunalité", {}),
    "pays": ("Pays de l'organisateur", {}),
    "iban": ("IBAN", {}),
    "siret": ("SIRET de l'organisateur", {}),
    "rna": ("Numéro RNA", {}),
    "carte": ("Emprise de l'événement", {}),
    "titre_identite": ("Pièce d'identité du responsable", {}),
}
ENFANTS = {"Salariés": [("text", "Nom du salarié", True, {}), ("integer_number", "Heures par semaine", False, {})]}
LAYOUT = {"header_section", "explication"}


def champs_de_la_demarche():
    champs = []
    for key, (libelle, options) in SPECS.items():
        champs.append((key, libelle, key not in LAYOUT | {"checkbox", "repetition"}, options))
        if key == "yes_no":
            champs.append(("text", MOTIF, True, {}))
    return champs


def test_the_journey_covers_every_registered_type():
    """A type added to the registry must get its spec (and its step in the journey) here."""
    assert set(SPECS) == {field_type.key for field_type in registry.all_types()}


def quiet(page):
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


@pytest.mark.django_db(transaction=True)
def test_usager_fills_one_champ_of_every_type_and_the_instructeur_reads_it(page, live_url, check_page):
    instructeur = factories.InstructeurFactory()
    procedure = demarche_creer(
        champs_de_la_demarche(), enfants=ENFANTS, instructeurs=[instructeur],
        conditions={
            "Salariés": lambda ids: {"champ": ids[OUI_NON], "operator": "eq", "value": "true"},
            MOTIF: lambda ids: {"champ": ids[OUI_NON], "operator": "eq", "value": "false"},
        },
        descriptions={"À savoir": "<p>Le dossier est étudié sous <strong>deux mois</strong>.</p><script>alert(1)</script>"},
    )
    covered = set(procedure.active_revision.types_de_champ.values_list("type_champ", flat=True))
    assert covered == set(SPECS)
    precedent = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    tdcs = {t.libelle: t for t in dossier.revision.types_de_champ.all()}
    ids = {libelle: t.html_id for libelle, t in tdcs.items()}

    def champ(key):
        return page.locator(f"#{ids[SPECS[key][0]]}")

    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    check_page("tous-types-vide")

    # Conditions: nothing answered yet, both conditional champs are hidden.
    salaries = page.locator(f'[data-champ-bloc="{ids["Salariés"]}"]')
    motif = page.locator(f"#{ids[MOTIF]}")
    expect(salaries).to_be_hidden()
    expect(motif).to_be_hidden()

    # The section title is numbered; the explication's description keeps its formatting, not its script.
    expect(page.get_by_role("heading", name="1. Votre demande", exact=True)).to_be_visible()
    page.get_by_text("À savoir").click()
    expect(page.get_by_text("Le dossier est étudié sous deux mois.")).to_be_visible()
    expect(page.locator("details strong", has_text="deux mois")).to_be_visible()
    assert "alert(1)" not in page.content()

    # Plain inputs.
    champ("text").fill("Fête du quartier")
    champ("textarea").fill("Une fête de quartier\navec un concert.")
    champ("integer_number").fill("120")
    champ("decimal_number").fill("1500,50")
    champ("date").fill("2026-06-21")
    champ("datetime").fill("2026-06-20T14:30")
    cocher(champ("checkbox"))
    cocher(page.locator(f"#{ids[SPECS['civilite'][0]]}-2"))
    champ("email").fill("camille.martin@example.fr")
    champ("phone").fill("06 12 34 56 78")
    champ("formatted").fill("AB 12")
    cocher(champ("engagement"))
    cocher(page.get_by_role("radio", name="Exposition"))
    cocher(page.get_by_role("checkbox", name="Eau", exact=True))
    cocher(page.get_by_role("checkbox", name="Barrières", exact=True))
    page.get_by_label("Premier choix", exact=True).select_option("Légumes")
    page.get_by_label(re.compile("^Second choix")).select_option("Poireau")

    # Conditions: « Non » shows the motif, « Oui » hides it and shows the repetition block.
    cocher(page.locator(f"#{ids[OUI_NON]}-non"))
    expect(motif).to_be_visible()
    expect(salaries).to_be_hidden()
    cocher(page.locator(f"#{ids[OUI_NON]}-oui"))
    expect(motif).to_be_hidden()
    expect(salaries).to_be_visible()
    page.get_by_label(re.compile(r"^Nom du salarié")).fill("Durand")
    page.locator(f'input[name^="{ids["Heures par semaine"]}-"]').first.fill("35")

    # Look-ups answered by the offline adapters.
    quiet(page)
    champ("dossier_link").fill(str(precedent.pk))
    champ("dossier_link").press("Tab")
    quiet(page)
    expect(page.locator(f"#{ids[SPECS['dossier_link'][0]]}-details")).to_contain_text(f"Le dossier n° {precedent.pk} existe")
    quiet(page)
    champ("siret").fill("812 345 676 00017")
    champ("siret").press("Tab")
    quiet(page)
    expect(page.locator(f"#{ids[SPECS['siret'][0]]}-details")).to_contain_text("BOULANGERIE MARTIN")
    quiet(page)
    champ("rna").fill("W451000123")
    champ("rna").press("Tab")
    quiet(page)
    expect(page.locator(f"#{ids[SPECS['rna'][0]]}-details")).to_contain_text("ASSOCIATION SPORTIVE DES BORDS DE LOIRE")
    quiet(page)
    champ("iban").fill("FR76 3000 6000 0112 3456 7890 189")
    expect(page.locator(f"#{ids[SPECS['iban'][0]]}-messages")).to_be_empty()

    # Autocomplete: commune and address suggestions as the usager types.
    commune_id, adresse_id = ids[SPECS["communes"][0]], ids[SPECS["address"][0]]
    quiet(page)
    commune = champ("communes")
    commune.press_sequentially("lyon", delay=50)
    page.wait_for_function(f"document.getElementById('{commune_id}-suggestions').options.length > 3")
    commune.fill("Lyon (69003)")
    adresse = champ("address")
    adresse.press_sequentially("41 route de vie", delay=30)
    page.wait_for_function(f"document.getElementById('{adresse_id}-suggestions').options.length > 0")
    adresse.fill("41 Route de Vienne 69008 Lyon")
    expect(page.locator(f"#{adresse_id}-details")).to_contain_text("Adresse trouvée dans la Base Adresse Nationale")
    quiet(page)
    champ("departements").select_option("2A")
    champ("regions").select_option("94")
    epci_id = ids[SPECS["epci"][0]]
    page.locator(f"#{epci_id}-departement").select_option("69")
    expect(page.locator(f"#{epci_id}-epci option", has_text="Métropole de Lyon")).to_have_count(1)
    page.locator(f"#{epci_id}-epci").select_option(label="Métropole de Lyon")
    champ("pays").select_option("IT")

    quiet(page)
    # Files.
    champ("piece_justificative").set_input_files(files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    expect(page.get_by_role("link", name=re.compile("plan.pdf"))).to_be_visible()
    champ("titre_identite").set_input_files(files=[{"name": "identite.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.get_by_role("link", name=re.compile("identite.png"))).to_be_visible()

    quiet(page)
    # The map: draw a polygon, then import a GPX track.
    carte_id = ids[SPECS["carte"][0]]
    carte = page.locator(f"#{carte_id}-carte")
    expect(carte.locator(".leaflet-container")).to_be_visible()
    carte.get_by_label("Rechercher une adresse sur la carte").fill("Rue des Godrans 21000 Dijon")
    carte.get_by_role("button", name="Centrer la carte").click()
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Carte centrée sur")
    carte.scroll_into_view_if_needed()
    carte.locator(".leaflet-pm-icon-polygon").click()
    box = carte.locator(".carte__map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-120, -80), (-20, -80), (-20, 10)):
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)
    page.mouse.click(cx - 120, cy - 80)
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Géométrie ajoutée. 1 géométrie sur la carte.")
    carte.get_by_label(re.compile("^Importer un fichier GPX ou KML")).set_input_files(str(GPX))
    expect(carte.locator("[data-carte-statut]")).to_contain_text("Fichier « sentier_dijon.gpx » importé : 1 géométrie ajoutée.")
    expect(page.locator(f"#{carte_id}-details")).to_contain_text("Ligne « Parcours de la course » :")

    saved(page)
    quiet(page)
    page.wait_for_timeout(1000)
    check_page("tous-types-rempli")

    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    check_page("tous-types-merci")

    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION
    rows = Champ.objects.filter(dossier=dossier, row_id="").select_related("type_de_champ")
    values = {c.type_de_champ.type_champ: c.value for c in rows if c.type_de_champ.libelle != MOTIF}
    data = {c.type_de_champ.type_champ: c.data for c in rows}
    expected = {
        "text": "Fête du quartier",
        "textarea": "Une fête de quartier\navec un concert.",  # the browser sends CRLF line breaks
        "integer_number": "120",
        "decimal_number": "1500.5",
        "date": "2026-06-21",
        "datetime": "2026-06-20T14:30",
        "checkbox": "true",
        "yes_no": "true",
        "civilite": "Mme",
        "email": "camille.martin@example.fr",
        "phone": "06 12 34 56 78",
        "formatted": "AB 12",
        "engagement": "true",
        "drop_down_list": "Exposition",
        "multiple_drop_down_list": "Eau, Barrières",
        "linked_drop_down_list": "Légumes / Poireau",
        "repetition": "Ligne 1 : Nom du salarié : Durand ; Heures par semaine : 35",
        "dossier_link": str(precedent.pk),
        "address": "41 Route de Vienne 69008 Lyon",
        "communes": "Lyon (69003)",
        "departements": "2A",
        "regions": "94",
        "epci": "200046977",
        "pays": "IT",
        "iban": "FR7630006000011234567890189",
        "siret": "81234567600017",
        "rna": "W451000123",
        "carte": "2 géométries : 1 polygone, 1 ligne (surface totale 736 m²)",
        "piece_justificative": "",
        "titre_identite": "",
    }
    assert set(expected) == set(SPECS) - LAYOUT
    assert {key: values.get(key, "").replace("\r\n", "\n") for key in expected} == expected
    fichiers = PieceJointe.objects.filter(champ__dossier=dossier).values_list("champ__type_de_champ__type_champ", flat=True)
    assert sorted(fichiers) == ["piece_justificative", "titre_identite"]
    # The hidden motif stays empty: a mandatory champ hidden by its condition does not block the deposit.
    assert not Champ.objects.filter(dossier=dossier, type_de_champ__libelle=MOTIF).exclude(value="").exists()
    kinds = sorted(f["geometry"]["type"] for f in data["carte"]["features"])
    assert kinds == ["LineString", "Polygon"]

    # The instructeur reads the dossier.
    login(page, live_url, instructeur.user)
    page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    for text in ("Fête du quartier", "Légumes / Poireau", "Lyon (69003)", "41 Route de Vienne 69008 Lyon", "Durand",
                 "BOULANGERIE MARTIN", "camille.martin@example.fr", "plan.pdf", "identite.png", "Métropole de Lyon",
                 "Ligne « Parcours de la course » : 214 m", "Eau, Barrières", "20 juin 2026 à 14:30"):
        expect(page.get_by_text(text).first).to_be_visible()
    check_page("tous-types-instructeur")
    expect(page.get_by_text(MOTIF)).to_have_count(0)


@pytest.mark.django_db
def test_the_instructeur_demande_leaves_out_champs_hidden_by_their_condition():
    from demarches.instruction import selectors as instruction_selectors

    procedure = demarche_creer(
        [("yes_no", OUI_NON, True, {}), ("text", MOTIF, False, {}), ("text", "Nom", False, {})],
        conditions={MOTIF: lambda ids: {"champ": ids[OUI_NON], "operator": "eq", "value": "false"}},
    )
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    tdcs = {t.libelle: t for t in dossier.revision.types_de_champ.all()}

    def ecrire(libelle, value):
        Champ.objects.update_or_create(
            dossier=dossier, stable_id=tdcs[libelle].stable_id, row_id="",
            defaults={"type_de_champ": tdcs[libelle], "value": value},
        )

    ecrire(OUI_NON, "true")
    ecrire(MOTIF, "reste d'une saisie précédente")
    ecrire("Nom", "Fête")
    libelles = [ligne.type_de_champ.libelle for ligne in instruction_selectors.demande(dossier)]
    assert libelles == [OUI_NON, "Nom"]
    ecrire(OUI_NON, "false")
    lignes = {ligne.type_de_champ.libelle: ligne.value for ligne in instruction_selectors.demande(dossier)}
    assert list(lignes) == [OUI_NON, MOTIF, "Nom"] and lignes[MOTIF] == "reste d'une saisie précédente"
