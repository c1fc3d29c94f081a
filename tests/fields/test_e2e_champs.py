"""Browser journey: a usager fills a form with one champ of each type added for issue 6 —
suggestions, external look-ups, linked menus, « Autre », repetition rows, a condition showing and
hiding a champ — deposits it, and every page visited is axe-core clean."""

import re

import pytest
from playwright.sync_api import expect

from demarches.dossiers.models import Champ, Dossier
from tests import factories
from tests.browser import cocher, login
from tests.fields.demarches import demarche_creer

CHAMPS = [
    ("header_section", "Votre structure", False, {"level": 1}),
    ("explication", "Pourquoi ces questions ?", False, {"collapsible": True}),
    ("siret", "SIRET de l'établissement", True, {}),
    ("rna", "Numéro RNA", False, {}),
    ("iban", "IBAN", False, {}),
    ("formatted", "Référence cadastrale", False, {"mode": "avance", "regex": r"[A-Z]{2} \d{1,4}", "example": "AB 123", "error_message": "Deux lettres, une espace et un numéro."}),
    ("dossier_link", "Dossier de l'an dernier", False, {}),
    ("header_section", "Localisation", False, {"level": 2}),
    ("communes", "Commune du projet", True, {}),
    ("address", "Adresse du siège", False, {}),
    ("departements", "Département", False, {}),
    ("regions", "Région", False, {}),
    ("epci", "Intercommunalité", False, {}),
    ("pays", "Pays de naissance", False, {}),
    ("header_section", "Votre demande", False, {"level": 1}),
    ("linked_drop_down_list", "Production", False, {"choices": ["--Fruits--", "Pomme", "Poire", "--Légumes--", "Carotte", "Poireau"]}),
    ("drop_down_list", "Type de demande", True, {"choices": ["Création", "Modification"], "other": True}),
    ("drop_down_list", "Activité", False, {"choices": [f"Activité {i:02d}" for i in range(1, 25)]}),
    ("yes_no", "Avez-vous des salariés ?", True, {}),
    ("repetition", "Salariés", False, {}),
    ("engagement", "Je m'engage à respecter la charte", True, {}),
]
ENFANTS = {"Salariés": [("text", "Nom du salarié", True, {}), ("integer_number", "Heures par semaine", False, {"max": 48})]}


def saved(page):
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"enregistré à \d\d:\d\d"))


def datalist_values(page, input_id):
    return page.evaluate(
        "id => Array.from(document.getElementById(document.getElementById(id).getAttribute('list')).options).map(o => o.value)",
        input_id,
    )


@pytest.mark.django_db(transaction=True)
def test_usager_fills_every_new_field_type(page, live_url, check_page):
    procedure = demarche_creer(
        CHAMPS, enfants=ENFANTS,
        conditions={"Salariés": lambda ids: {"champ": ids["Avez-vous des salariés ?"], "operator": "eq", "value": "true"}},
        descriptions={"Pourquoi ces questions ?": "Elles permettent de vérifier votre éligibilité."},
    )
    precedent = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    ids = {t.libelle: t.html_id for t in dossier.revision.types_de_champ.all()}
    login(page, live_url, usager)
    page.goto(f"{live_url}/dossiers/{dossier.pk}/brouillon/")
    check_page("nouveaux-types-vide")

    # The repetition block waits for « Oui ».
    salaries = page.locator(f'[data-champ-bloc="{ids["Salariés"]}"]')
    expect(salaries).to_be_hidden()

    page.get_by_text("Pourquoi ces questions ?").click()
    expect(page.get_by_text("Elles permettent de vérifier votre éligibilité.")).to_be_visible()

    # SIRET: the établissement appears under the input after the autosave.
    page.get_by_label(re.compile("^SIRET de l'établissement")).fill("812 345 676 00017")
    siret_id, lien_id = ids["SIRET de l'établissement"], ids["Dossier de l'an dernier"]
    expect(page.locator(f"#{siret_id}-details")).to_contain_text("BOULANGERIE MARTIN")
    page.get_by_label(re.compile("^Numéro RNA")).fill("W451000123")
    expect(page.locator(f"#{ids['Numéro RNA']}-details")).to_contain_text("ASSOCIATION SPORTIVE DES BORDS DE LOIRE")
    page.get_by_label(re.compile("^IBAN")).fill("FR76 3000 6000 0112 3456 7890 188")
    expect(page.locator(f"#{ids['IBAN']}-messages")).to_contain_text("la clé de contrôle ne correspond pas")
    page.get_by_label(re.compile("^IBAN")).fill("FR76 3000 6000 0112 3456 7890 189")
    expect(page.locator(f"#{ids['IBAN']}-messages")).to_be_empty()
    page.get_by_label(re.compile("^Référence cadastrale")).fill("ab 12")
    expect(page.locator(f"#{ids['Référence cadastrale']}-messages")).to_contain_text("Deux lettres, une espace et un numéro. Exemple : AB 123")
    check_page("nouveaux-types-erreur")
    page.get_by_label(re.compile("^Référence cadastrale")).fill("AB 12")
    page.get_by_label(re.compile("^Dossier de l'an dernier")).fill(str(precedent.pk))
    expect(page.locator(f"#{lien_id}-details")).to_contain_text(f"Le dossier n° {precedent.pk} existe")

    # Commune and address: suggestions come as the usager types.
    commune = page.get_by_label(re.compile("^Commune du projet"))
    commune.press_sequentially("lyon", delay=50)
    page.wait_for_function(f"document.getElementById('{ids['Commune du projet']}-suggestions').options.length > 3")
    assert "Lyon (69003)" in datalist_values(page, ids["Commune du projet"])
    commune.fill("Lyon (69003)")
    adresse = page.get_by_label(re.compile("^Adresse du siège"))
    adresse.press_sequentially("41 route de vie", delay=30)
    page.wait_for_function(f"document.getElementById('{ids['Adresse du siège']}-suggestions').options.length > 0")
    assert datalist_values(page, ids["Adresse du siège"])[0] == "41 Route de Vienne 69008 Lyon"
    adresse.fill("41 Route de Vienne 69008 Lyon")
    expect(page.locator(f"#{ids['Adresse du siège']}-details")).to_contain_text("Adresse trouvée dans la Base Adresse Nationale")
    page.get_by_label("Département", exact=True).select_option("2A")
    page.get_by_label("Région", exact=True).select_option("94")
    page.locator(f"#{ids['Intercommunalité']}-departement").select_option("69")
    expect(page.locator(f"#{ids['Intercommunalité']}-epci option", has_text="Métropole de Lyon")).to_have_count(1)
    page.locator(f"#{ids['Intercommunalité']}-epci").select_option(label="Métropole de Lyon")
    page.get_by_label(re.compile("^Pays de naissance")).select_option("IT")

    # Two linked menus: the second one offers the first one's choices only.
    page.get_by_label("Premier choix", exact=True).select_option("Légumes")
    secondaire = page.get_by_label(re.compile("^Second choix"))
    expect(secondaire.locator('optgroup[label="Fruits"]')).to_have_attribute("hidden", "")
    secondaire.select_option("Poireau")

    # « Autre »: the text input shows once « Autre » is chosen.
    autre_texte = page.locator(f"#{ids['Type de demande']}-autre-texte")
    expect(autre_texte).to_be_hidden()
    cocher(page.get_by_role("radio", name="Autre"))
    expect(autre_texte).to_be_visible()
    autre_texte.fill("Transfert d'activité")
    page.get_by_label(re.compile("^Activité")).fill("Activité 07")

    # The condition: « Oui » shows the repetition block.
    cocher(page.get_by_role("radio", name="Oui"))
    expect(salaries).to_be_visible()
    page.get_by_label(re.compile(r"^Nom du salarié")).fill("Durand")
    page.get_by_role("button", name=re.compile("^Ajouter un élément")).click()
    noms = page.locator(f'input[name^="{ids["Nom du salarié"]}-"]')
    expect(noms).to_have_count(2)
    second_row = noms.nth(1)
    expect(second_row).to_be_focused()
    second_row.fill("Martin")
    page.locator(f'input[name^="{ids["Heures par semaine"]}-"]').nth(1).fill("35")
    saved(page)
    page.get_by_role("button", name=re.compile("^Supprimer l'élément 1")).click()
    expect(page.get_by_role("button", name=re.compile("^Supprimer l'élément"))).to_have_count(0)
    cocher(page.get_by_role("checkbox", name=re.compile("^Je m'engage")))
    saved(page)
    page.wait_for_timeout(1000)
    check_page("nouveaux-types-rempli")

    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", name="Merci !")).to_be_visible()
    check_page("nouveaux-types-merci")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION
    values = {c.type_de_champ.libelle: c.value for c in Champ.objects.filter(dossier=dossier).select_related("type_de_champ")}
    assert values["SIRET de l'établissement"] == "81234567600017"
    assert values["Commune du projet"] == "Lyon (69003)"
    assert values["Adresse du siège"] == "41 Route de Vienne 69008 Lyon"
    assert values["Intercommunalité"] == "200046977"
    assert values["Production"] == "Légumes / Poireau"
    assert values["Type de demande"] == "Transfert d'activité"
    assert values["Activité"] == "Activité 07"
    assert values["Salariés"] == "Ligne 1 : Nom du salarié : Martin ; Heures par semaine : 35"
    page.goto(f"{live_url}/dossiers/{dossier.pk}/demande/")
    expect(page.get_by_role("cell", name="Martin")).to_be_visible()
    check_page("nouveaux-types-demande")
