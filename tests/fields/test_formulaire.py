"""The new field types inside the usager's form (dossiers views and services): widgets, autosave,
repetition blocks, conditional display, deposit, read-only display."""

import html
import re

import pytest
from django.urls import reverse

from demarches.dossiers import services
from demarches.dossiers.models import Champ, Dossier
from demarches.fields.types.choice import AUTRE
from demarches.instruction import selectors as instruction_selectors
from tests import factories
from tests.fields.demarches import demarche_creer

pytestmark = pytest.mark.django_db

LINKED = ["--Fruits--", "Pomme", "Poire", "--Légumes--", "Carotte"]
TOUS = [
    ("header_section", "Votre structure", False, {"level": 1}),
    ("header_section", "Identification", False, {"level": 2}),
    ("explication", "À propos des pièces", False, {"collapsible": True}),
    ("formatted", "Référence cadastrale", False, {"mode": "avance", "regex": r"[A-Z]{2} \d{1,4}", "example": "AB 123"}),
    ("engagement", "Je m'engage à respecter la charte", True, {}),
    ("iban", "IBAN", False, {}),
    ("siret", "SIRET de l'établissement", False, {}),
    ("rna", "Numéro RNA", False, {}),
    ("dossier_link", "Dossier de l'an dernier", False, {}),
    ("linked_drop_down_list", "Production", False, {"choices": LINKED}),
    ("drop_down_list", "Type de demande", False, {"choices": ["Création", "Modification"], "other": True}),
    ("drop_down_list", "Catégorie", False, {"choices": [f"Catégorie {i}" for i in range(1, 8)]}),
    ("drop_down_list", "Activité", False, {"choices": [f"Activité {i:02d}" for i in range(1, 25)]}),
    ("communes", "Commune du projet", False, {}),
    ("departements", "Département", False, {}),
    ("regions", "Région", False, {}),
    ("epci", "Intercommunalité", False, {}),
    ("pays", "Pays de naissance", False, {}),
    ("address", "Adresse du siège", False, {}),
    ("repetition", "Salariés", False, {}),
]
ENFANTS = {"Salariés": [("text", "Nom", True, {}), ("integer_number", "Heures par semaine", False, {"max": 48})]}


def page(response) -> str:
    return html.unescape(response.content.decode())


def htmx():
    return {"HTTP_HX_REQUEST": "true"}


def tdc(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


def name(dossier, libelle):
    return tdc(dossier, libelle).html_id


def value(dossier, libelle, row_id=""):
    champ = Champ.objects.filter(dossier=dossier, stable_id=tdc(dossier, libelle).stable_id, row_id=row_id).first()
    return champ.stored if champ else None


@pytest.fixture
def dossier(db):
    procedure = demarche_creer(TOUS, enfants=ENFANTS, descriptions={"À propos des pièces": "Les pièces sont conservées 12 mois."})
    return factories.dossier_creer(procedure=procedure)


@pytest.fixture
def logged(client, dossier):
    client.force_login(dossier.user)
    return client


def url(dossier):
    return reverse("dossiers:brouillon", args=[dossier.pk])


# Rendering ------------------------------------------------------------------------------------


def test_every_new_type_renders_with_labels_tied_to_inputs(logged, dossier):
    response = logged.get(url(dossier))
    assert response.status_code == 200
    content = page(response)
    for label in ["Référence cadastrale", "Je m'engage à respecter la charte", "IBAN", "SIRET de l'établissement",
                  "Numéro RNA", "Dossier de l'an dernier", "Commune du projet", "Adresse du siège", "Pays de naissance"]:
        assert label in content
    # Every labelled control exists.
    for target in re.findall(r'<label class="fr-label" for="([^"]+)"', content):
        assert f'id="{target}"' in content, target
    assert content.count('<h2 class="fr-h4') >= 1 and '<h3 class="fr-h5' in content  # section levels 1 and 2
    assert '<details class="champ-explication' in content
    assert "Exemple : AB 123" in content
    assert 'name="champ-' in content and 'data-champ-bloc="' in content
    assert '<script src="/static/fields/champs.js"></script>' in content


def test_drop_down_widget_modes(logged, dossier):
    content = page(logged.get(url(dossier)))
    demande, categorie, activite = (name(dossier, lib) for lib in ("Type de demande", "Catégorie", "Activité"))
    assert f'type="radio" id="{demande}-autre" name="{demande}" value="{AUTRE}"' in content
    assert f'name="{demande}-autre"' in content
    assert f'<select class="fr-select" id="{categorie}"' in content
    assert f'list="{activite}-liste"' in content and f'<datalist id="{activite}-liste">' in content


def test_geography_widgets(logged, dossier):
    content = page(logged.get(url(dossier)))
    commune = name(dossier, "Commune du projet")
    assert f'data-suggestions-url="/referentiels/communes"' in content and f'list="{commune}-suggestions"' in content
    departement = name(dossier, "Département")
    select = re.search(rf'<select class="fr-select" id="{departement}".*?</select>', content, re.S).group(0)
    assert select.count("<option") == 110 and '<option value="2A">2A – Corse-du-Sud</option>' in select
    epci = name(dossier, "Intercommunalité")
    assert f'name="{epci}-departement"' in content and 'hx-get="/referentiels/epci"' in content


def test_repetition_starts_with_one_row(logged, dossier):
    content = page(logged.get(url(dossier)))
    nom = name(dossier, "Nom")
    assert f'id="{nom}-1"' in content
    assert "Salariés – ligne 1" in content
    assert "Ajouter un élément" in content and "Supprimer l'élément" not in content


# Autosave and external data ------------------------------------------------------------------


def test_autosave_siret_shows_the_etablissement_out_of_band(logged, dossier):
    siret = name(dossier, "SIRET de l'établissement")
    response = logged.post(url(dossier), {siret: "812 345 676 00017"}, **htmx())
    assert f'<div class="champ-details fr-mt-1w" id="{siret}-details" role="status" hx-swap-oob="true">' in response.content.decode()
    content = page(response)
    assert "BOULANGERIE MARTIN (Au Pain d'Antan)" in content and "10.71C – Boulangerie et boulangerie-pâtisserie" in content
    assert value(dossier, "SIRET de l'établissement").data["etablissement"]["commune"] == "Lyon"
    response = logged.post(url(dossier), {siret: "73282932000074"}, **htmx())
    assert "Aucun établissement ne correspond au numéro SIRET 732 829 320 00074" in page(response)
    assert "1 champ contient une erreur" in page(response)


def test_autosave_keeps_choices_autre_and_linked_values(logged, dossier):
    demande, production = name(dossier, "Type de demande"), name(dossier, "Production")
    logged.post(url(dossier), {demande: AUTRE, f"{demande}-autre": "Transfert", production: "Fruits", f"{production}-secondaire": "Poire"}, **htmx())
    assert value(dossier, "Type de demande").value == "Transfert"
    assert value(dossier, "Production").value == "Fruits / Poire"
    content = page(logged.get(url(dossier)))
    assert f'id="{demande}-autre" name="{demande}" value="{AUTRE}" checked' in content
    assert 'value="Transfert"' in content
    assert '<option value="Poire" selected>' in content


def test_autosave_geography(logged, dossier):
    data = {
        name(dossier, "Commune du projet"): "69003",
        name(dossier, "Département"): "2B",
        name(dossier, "Pays de naissance"): "IT",
        f"{name(dossier, 'Intercommunalité')}-departement": "69",
        name(dossier, "Intercommunalité"): "200046977",
        name(dossier, "Adresse du siège"): "41 Route de Vienne 69008 Lyon",
    }
    errors = services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=_query(data))
    assert errors == {}
    assert value(dossier, "Commune du projet").value == "Lyon (69003)"
    assert value(dossier, "Intercommunalité").data["nom"] == "Métropole de Lyon"
    assert value(dossier, "Adresse du siège").data["adresse"]["code_insee"] == "69123"
    content = page(logged.get(url(dossier)))
    assert '<option value="200046977" selected>Métropole de Lyon</option>' in content
    assert "Adresse trouvée dans la Base Adresse Nationale : Lyon, Rhône, Auvergne-Rhône-Alpes." in content


def _query(data):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, item in data.items():
        query.setlist(key, item if isinstance(item, list) else [item])
    return query


# Repetition blocks ---------------------------------------------------------------------------


def test_repetition_rows_are_saved_added_and_removed(logged, dossier):
    bloc, nom, heures = name(dossier, "Salariés"), name(dossier, "Nom"), name(dossier, "Heures par semaine")
    logged.post(url(dossier), {f"{bloc}-present": "1", bloc: "1", f"{nom}-1": "Durand", f"{heures}-1": "35"}, **htmx())
    assert value(dossier, "Nom", "1").value == "Durand"
    assert value(dossier, "Salariés").value == "Ligne 1 : Nom : Durand ; Heures par semaine : 35"

    # Without JavaScript: « Ajouter un élément » submits the form.
    response = logged.post(url(dossier), {f"{bloc}-present": "1", bloc: "1", f"{nom}-1": "Durand", "repetition-ajouter": str(tdc(dossier, "Salariés").stable_id)})
    assert response.status_code == 302
    rows = value(dossier, "Salariés").data["rows"]
    assert len(rows) == 2 and rows[0] == "1"
    second = rows[1]
    content = page(logged.get(url(dossier)))
    assert f'id="{nom}-{second}"' in content
    assert "Supprimer l'élément<span class=\"fr-sr-only\"> 2 de « Salariés »</span>" in content

    # With htmx: the block comes back out of band, the new row focused.
    response = logged.post(url(dossier), {f"{bloc}-present": "1", "repetition-ajouter": str(tdc(dossier, "Salariés").stable_id)}, **htmx())
    content = response.content.decode()
    assert f'id="{bloc}" data-error-class="fr-fieldset--error"' in content and 'hx-swap-oob="outerHTML"' in content
    assert content.count('hx-swap-oob="outerHTML"') == 1
    assert "data-focus-apres-swap" in content
    rows = value(dossier, "Salariés").data["rows"]
    assert len(rows) == 3

    logged.post(url(dossier), {f"{bloc}-present": "1", f"{nom}-{rows[2]}": "Martin", "repetition-supprimer": f"{tdc(dossier, 'Salariés').stable_id}:1"}, **htmx())
    assert value(dossier, "Salariés").data["rows"] == [second, rows[2]]
    assert value(dossier, "Nom", "1") is None
    assert value(dossier, "Salariés").value == "Ligne 2 : Nom : Martin"


def test_repetition_keeps_at_least_one_row(logged, dossier):
    bloc = tdc(dossier, "Salariés")
    logged.post(url(dossier), {f"{bloc.html_id}-present": "1", "repetition-supprimer": f"{bloc.stable_id}:1"}, **htmx())
    assert value(dossier, "Salariés").data["rows"] == ["1"]


def test_repetition_child_errors_name_the_row(logged, dossier):
    bloc, heures = name(dossier, "Salariés"), name(dossier, "Heures par semaine")
    response = logged.post(url(dossier), {f"{bloc}-present": "1", f"{heures}-1": "60"}, **htmx())
    assert "Ligne 1 – Heures par semaine : La valeur doit être inférieure ou égale à 48." in page(response)
    content = page(logged.get(url(dossier)))
    assert f'id="{heures}-1-error"' in content  # the child's own message, recomputed on display


def test_repetition_deposit_requires_the_mandatory_children_of_filled_rows(logged, dossier):
    engagement, bloc, nom, heures = (name(dossier, lib) for lib in ("Je m'engage à respecter la charte", "Salariés", "Nom", "Heures par semaine"))
    logged.post(url(dossier), {engagement: "true", f"{bloc}-present": "1", f"{heures}-1": "20"}, **htmx())
    errors = services.dossier_erreurs(dossier)
    assert [(e.type_de_champ.libelle, e.message) for e in errors] == [
        ("Salariés", "Ligne 1 – Nom : Ce champ est obligatoire : il doit être rempli.")
    ]
    logged.post(url(dossier), {f"{bloc}-present": "1", f"{nom}-1": "Durand"}, **htmx())
    assert services.dossier_erreurs(dossier) == []


def test_empty_optional_block_does_not_block_the_deposit_but_a_mandatory_one_does(dossier):
    assert [e.type_de_champ.libelle for e in services.dossier_erreurs(dossier)] == ["Je m'engage à respecter la charte"]
    procedure = demarche_creer([("repetition", "Salariés", True, {})], enfants=ENFANTS)
    other = factories.dossier_creer(procedure=procedure)
    assert [e.message for e in services.dossier_erreurs(other)] == ["Ligne 1 – Nom : Ce champ est obligatoire : il doit être rempli."]


def test_repetition_read_only_display_after_deposit(logged, dossier):
    engagement, bloc, nom, heures = (name(dossier, lib) for lib in ("Je m'engage à respecter la charte", "Salariés", "Nom", "Heures par semaine"))
    logged.post(url(dossier), {engagement: "true", f"{bloc}-present": "1", f"{nom}-1": "Durand", f"{heures}-1": "35"}, **htmx())
    response = logged.post(url(dossier), {"action": "deposer"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION
    content = page(logged.get(reverse("dossiers:demande", args=[dossier.pk])))
    assert '<caption class="fr-sr-only">Salariés</caption>' in content
    assert "<td>Durand</td>" in content and "<td>35</td>" in content
    # The instructeur's view reads the block's summary.
    lignes = {ligne.type_de_champ.libelle: ligne.value for ligne in instruction_selectors.demande(dossier)}
    assert lignes["Salariés"] == "Ligne 1 : Nom : Durand ; Heures par semaine : 35"


# Conditional display -------------------------------------------------------------------------


@pytest.fixture
def conditionnel(db):
    procedure = demarche_creer(
        [
            ("yes_no", "Avez-vous des salariés ?", True, {}),
            ("integer_number", "Nombre de salariés", True, {}),
            ("header_section", "Grande entreprise", False, {}),
            ("text", "Nom du comité social", True, {}),
            ("header_section", "Fin", False, {}),
            ("communes", "Commune", False, {}),
            ("text", "Motif en Corse", True, {}),
        ],
        conditions={
            "Nombre de salariés": lambda ids: {"champ": ids["Avez-vous des salariés ?"], "operator": "eq", "value": "true"},
            "Grande entreprise": lambda ids: {"champ": ids["Nombre de salariés"], "operator": "gte", "value": "50"},
            "Motif en Corse": lambda ids: {"or": [
                {"champ": ids["Commune"], "operator": "in_region", "value": "94"},
                {"champ": ids["Commune"], "operator": "eq", "value": "13055"},
            ]},
        },
    )
    return factories.dossier_creer(procedure=procedure)


def hidden_names(content):
    match = re.search(r'id="champs-visibilite" data-masques="([^"]*)"', content)
    return set(match.group(1).split())


def test_hidden_champs_are_hidden_in_the_form_and_live_after_autosave(client, conditionnel):
    client.force_login(conditionnel.user)
    d = conditionnel
    content = page(client.get(url(d)))
    assert hidden_names(content) == {name(d, "Nombre de salariés"), name(d, "Grande entreprise"), name(d, "Nom du comité social"), name(d, "Motif en Corse")}
    assert f'<div data-champ-bloc="{name(d, "Nombre de salariés")}" hidden>' in content
    # The autosave sends the new visibility out of band.
    response = client.post(url(d), {name(d, "Avez-vous des salariés ?"): "true", name(d, "Nombre de salariés"): "120"}, **htmx())
    content = page(response)
    assert 'id="champs-visibilite"' in content and 'hx-swap-oob="true"' in content
    assert hidden_names(content) == {name(d, "Motif en Corse")}
    response = client.post(url(d), {name(d, "Commune"): "Ajaccio (20000)"}, **htmx())
    assert hidden_names(page(response)) == set()


def test_hidden_champs_are_neither_required_nor_checked(conditionnel):
    d = conditionnel
    services.champs_enregistrer(dossier=d, user=d.user, posted=_query({name(d, "Avez-vous des salariés ?"): "false", name(d, "Nombre de salariés"): "beaucoup"}))
    assert services.dossier_erreurs(d) == []
    services.champs_enregistrer(dossier=d, user=d.user, posted=_query({name(d, "Avez-vous des salariés ?"): "true"}))
    assert [(e.type_de_champ.libelle, e.message[:28]) for e in services.dossier_erreurs(d)] == [("Nombre de salariés", "Saisissez un nombre entier, ")]
    errors = services.champs_enregistrer(dossier=d, user=d.user, posted=_query({name(d, "Nombre de salariés"): "60"}))
    assert errors == {}
    assert [e.type_de_champ.libelle for e in services.dossier_erreurs(d)] == ["Nom du comité social"]


def test_autosave_errors_of_hidden_champs_are_not_reported(conditionnel):
    d = conditionnel
    errors = services.champs_enregistrer(dossier=d, user=d.user, posted=_query({name(d, "Avez-vous des salariés ?"): "false", name(d, "Nombre de salariés"): "beaucoup"}))
    assert errors == {}


def test_hidden_champs_are_emptied_at_deposit(conditionnel, run_on_commit):
    d = conditionnel
    services.champs_enregistrer(dossier=d, user=d.user, posted=_query({
        name(d, "Avez-vous des salariés ?"): "true", name(d, "Nombre de salariés"): "60", name(d, "Nom du comité social"): "CSE",
    }))
    services.champs_enregistrer(dossier=d, user=d.user, posted=_query({name(d, "Nombre de salariés"): "10"}))
    assert value(d, "Nom du comité social").value == "CSE"
    assert services.dossier_deposer(dossier=d, user=d.user) == []
    d.refresh_from_db()
    assert d.state == Dossier.State.EN_CONSTRUCTION
    assert value(d, "Nom du comité social") is None
    assert value(d, "Nombre de salariés").value == "10"


def test_read_only_display_skips_hidden_champs(client, conditionnel):
    d = conditionnel
    services.champs_enregistrer(dossier=d, user=d.user, posted=_query({name(d, "Avez-vous des salariés ?"): "false"}))
    services.dossier_deposer(dossier=d, user=d.user)
    client.force_login(d.user)
    content = page(client.get(reverse("dossiers:demande", args=[d.pk])))
    assert "Avez-vous des salariés ?" in content
    assert "Nombre de salariés" not in content and "Nom du comité social" not in content
