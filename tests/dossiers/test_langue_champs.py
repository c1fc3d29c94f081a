"""The usager pages in English, second part (issue 4 §9): the carte widget and its validation errors, the
boxes under SIRET/RNA/adresse, the read-only answers of « Votre dossier », the time of a message, the
prefill flash and the scripts' texts (Django's JavaScript catalog, djangojs domain). French is unchanged."""

import gettext as gettext_module
import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from demarches.dossiers import services
from demarches.dossiers.models import Dossier
from demarches.fields import registry
from tests import factories
from tests.fields.demarches import demarche_creer

S = Dossier.State
LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def formulaire(db):
    return demarche_creer(
        [
            ("yes_no", "Déjà aidé", False, {}),
            ("date", "Date de début", False, {}),
            ("text", "Commentaire", False, {}),
            ("piece_justificative", "Plan", False, {}),
            ("siret", "SIRET du partenaire", False, {}),
            ("rna", "Association", False, {}),
            ("carte", "Zone du projet", False, {}),
        ]
    )


@pytest.fixture
def usager_en(client, usager):
    client.force_login(usager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def champ(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


def htmx():
    return {"HTTP_HX_REQUEST": "true"}


# The carte widget ---------------------------------------------------------------------------------


def test_the_carte_widget_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    content = page(usager_en.get(reverse("dossiers:brouillon", args=[dossier.pk])))
    assert "Search for an address on the map" in content and ">Centre the map</button>" in content
    assert "Import a GPX or KML file" in content and "Show the land registry parcels" in content
    assert 'aria-label="Map of “Zone du projet”"' in content
    assert re.search(r"Paste here a collection of shapes in GeoJSON format .*At most 50 shapes\.", content)
    assert "Enter or copy the drawing in GeoJSON format" in content
    for french in ("Rechercher une adresse sur la carte", "Centrer la carte", "Collez ici", "Afficher les parcelles"):
        assert french not in content


def test_the_carte_widget_stays_french(client, usager, formulaire):
    client.force_login(usager)
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    content = page(client.get(reverse("dossiers:brouillon", args=[dossier.pk])))
    assert "Rechercher une adresse sur la carte" in content and ">Centrer la carte</button>" in content
    assert 'aria-label="Carte de « Zone du projet »"' in content
    assert "Recherchez une adresse pour centrer la carte, puis dessinez vos points, lignes et polygones avec les outils " \
        "de la carte, importez un fichier GPX ou KML, ou sélectionnez des parcelles cadastrales. 50 géométries au maximum." in content


def test_carte_errors_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    carte = champ(dossier, "Zone du projet")
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    content = page(usager_en.post(url, {carte.html_id: "{pas du json"}))
    assert "The map drawing cannot be read: it is not valid GeoJSON." in content
    assert "illisible" not in content
    point = {"type": "Point", "coordinates": [200, 48]}
    content = page(usager_en.post(url, {carte.html_id: json.dumps(point)}))
    assert "A point of the drawing is out of bounds: the longitude must be between -180 and 180" in content
    ligne = {"type": "LineString", "coordinates": [[2.3, 48.8]]}
    content = page(usager_en.post(url, {carte.html_id: json.dumps(ligne)}))
    assert "A line must have at least two points." in content


def test_carte_errors_stay_french():
    field = registry.get("carte")
    with translation.override("fr"):
        with pytest.raises(Exception) as error:
            field.parse(["{pas du json"], options={})
    assert "Le tracé de la carte est illisible : ce n'est pas du GeoJSON valide." in str(error.value)
    with translation.override("en"):
        with pytest.raises(Exception) as error:
            field.parse([json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})], options={})
    assert "A polygon must have at least three distinct corners." in str(error.value)


# The boxes under SIRET / RNA / adresse -------------------------------------------------------------


def test_the_siret_and_rna_boxes_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    siret, rna = champ(dossier, "SIRET du partenaire"), champ(dossier, "Association")
    content = page(usager_en.post(url, {siret.html_id: "812 345 676 00017", rna.html_id: "W451000123"}, **htmx()))
    assert "BOULANGERIE MARTIN (Au Pain d'Antan)" in content
    assert "Address: " in content and "Main activity (NAF code): 10.71C" in content
    assert re.search(r"(Head office|Secondary establishment)", content)
    assert "ASSOCIATION SPORTIVE DES BORDS DE LOIRE" in content and "Purpose: " in content
    for french in ("Adresse :", "Activité principale", "Siège social", "Objet :"):
        assert french not in content
    content = page(usager_en.post(url, {siret.html_id: "73282932000074"}, **htmx()))
    assert "No establishment matches the SIRET number 732 829 320 00074: check the number you entered." in content


def test_the_address_box_in_english(usager_en, usager):
    procedure = demarche_creer([("address", "Adresse du projet", False, {})])
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    adresse = champ(dossier, "Adresse du projet")
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    content = page(usager_en.post(url, {adresse.html_id: "1 rue qui n'existe nulle part 99999 Nullepart"}, **htmx()))
    assert re.search(r"Address (found|not found) in the national address database", content)
    assert "Base Adresse Nationale :" not in content


# « Votre dossier »: the read-only answers --------------------------------------------------------------


def test_the_read_only_answers_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    usager_en.post(url, {
        champ(dossier, "Déjà aidé").html_id: "true",
        champ(dossier, "Date de début").html_id: "2026-03-15",
        champ(dossier, "SIRET du partenaire").html_id: "81234567600017",
    })
    Dossier.objects.filter(pk=dossier.pk).update(state=S.EN_CONSTRUCTION)
    content = page(usager_en.get(reverse("dossiers:demande", args=[dossier.pk])))
    assert re.search(r"Déjà aidé</p>\s*<p class=\"fr-mb-0\">Yes</p>", content)
    assert "15 March 2026" in content
    assert "Legal form: " in content or "Activity (NAF code): " in content
    assert "<em>No file attached</em>" in content and "<em>Not provided</em>" in content
    assert f"Account: {usager.email}" in content
    for french in (">Oui<", "mars", "Aucun fichier joint", "Non renseigné", "Compte :"):
        assert french not in content
    # the same page in French
    usager_en.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = page(usager_en.get(reverse("dossiers:demande", args=[dossier.pk])))
    assert re.search(r"Déjà aidé</p>\s*<p class=\"fr-mb-0\">Oui</p>", content)
    assert "15 mars 2026" in content and "<em>Aucun fichier joint</em>" in content and "<em>Non renseigné</em>" in content


def test_another_usagers_answers_stay_out_of_reach_in_english(usager_en, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=factories.UserFactory(), state=S.EN_CONSTRUCTION)
    response = usager_en.get(reverse("dossiers:demande", args=[dossier.pk]))
    assert response.status_code in (403, 404)


# The time of a message ------------------------------------------------------------------------------


def test_the_time_of_a_message_in_english_and_in_french(usager_en, usager, formulaire, instructeur):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager, state=S.EN_CONSTRUCTION)
    services.message_envoyer(dossier=dossier, user=usager, body="Bonjour")
    for name in ("dossiers:messagerie", "dossiers:show"):
        content = page(usager_en.get(reverse(name, args=[dossier.pk])))
        assert re.search(r"on \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d<", content), name
        assert not re.search(r"\d\d h \d\d", content), name
    usager_en.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    for name in ("dossiers:messagerie", "dossiers:show"):
        content = page(usager_en.get(reverse(name, args=[dossier.pk])))
        assert re.search(r"le \d{1,2} [a-zéû]+ \d{4} à \d\d h \d\d<", content), name


# The prefill flash ------------------------------------------------------------------------------------


def test_the_prefill_flash_in_english(usager_en, usager, formulaire):
    from demarches.dossiers import prefill

    dossier = prefill.dossier_prerempli_creer(procedure=formulaire, preremplissage=prefill.Preremplissage())
    content = page(usager_en.post(reverse("dossiers:prefill_reclamer", args=[dossier.prefill_token]), follow=True))
    assert "The prefilled application is now yours: check the answers and complete the form." in content
    assert "Le dossier prérempli" not in content


# The scripts' catalogue -------------------------------------------------------------------------------


def test_the_javascript_catalog_is_loaded_in_english_only(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    catalog = reverse("javascript-catalog")
    content = usager_en.get(url).content.decode()
    assert f'<script src="{catalog}"></script>' in content
    assert content.index(catalog) < content.index("js/autosave.js")  # before the scripts that use it
    usager_en.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert catalog not in usager_en.get(url).content.decode()


def test_the_javascript_catalog_speaks_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("javascript-catalog"))
    assert response.status_code == 200
    script = response.content.decode()
    text = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S).group(1))
    assert text["Robustesse du mot de passe : %(niveau)s."] == "Password strength: %(niveau)s."
    assert text["Aucune géométrie sur la carte."] == "No shape on the map."
    assert text["Ce fichier n'a pas été envoyé :"] == ["This file was not uploaded:", "These %(nombre)s files were not uploaded:"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "No shape on the map." not in client.get(reverse("javascript-catalog")).content.decode()


def test_every_script_text_is_in_the_catalogue():
    """Each gettext()/ngettext() of the usager scripts has its English entry."""
    scripts = [
        "static/js/autosave.js", "static/js/password-strength.js",
        "demarches/dossiers/static/dossiers/televersement.js", "demarches/fields/static/fields/carte.js",
    ]
    msgids = {fields["msgid"] for flags, fields in _po_entries_of("djangojs.po")}
    for path in scripts:
        source = (Path(settings.BASE_DIR) / path).read_text()
        for text in re.findall(r'\b(?:gettext|ngettext)\("((?:[^"\\]|\\.)*)"', source):
            assert text.replace('\\"', '"') in {m.replace('\\"', '"') for m in msgids}, (path, text)


def _po_entries_of(name):
    return _parse((LOCALE / name).read_text())


def _parse(text):
    entries = []
    for block in text.strip().split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields, key = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            entries.append((flags, fields))
    return entries


def test_the_djangojs_po_has_no_untranslated_or_fuzzy_message_and_its_mo_matches():
    entries = _po_entries_of("djangojs.po")
    assert len(entries) >= 35
    assert [f["msgid"] for flags, f in entries if "fuzzy" in flags] == []
    assert [f["msgid"] for flags, f in entries if any(v == "" for k, v in f.items() if k.startswith("msgstr"))] == []
    with open(LOCALE / "djangojs.mo", "rb") as mo:
        catalogue = gettext_module.GNUTranslations(mo)

    def text(value):
        return value.encode().decode("unicode_escape").encode("latin-1").decode()

    for flags, fields in entries:
        msgid = text(fields["msgid"])
        if "msgid_plural" in fields:
            plural = text(fields["msgid_plural"])
            assert catalogue.ngettext(msgid, plural, 1) == text(fields["msgstr[0]"]), msgid
            assert catalogue.ngettext(msgid, plural, 2) == text(fields["msgstr[1]"]), msgid
        else:
            assert catalogue.gettext(msgid) == text(fields["msgstr"]), msgid

