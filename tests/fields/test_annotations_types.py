"""Annotations privées of every registered type: the administrateur's editor offers every type for
annotations, so each one must render in the instructeur's « Annotations privées » tab, be saved from
what its widget posts, and be read back (tab, export cell, API value come from the same registry)."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.fields import registry
from demarches.procedures import services as procedure_services
from tests import factories

pytestmark = pytest.mark.django_db

CARTE = '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [5.04, 47.32]}}]}'
# type key → (options, what its widget posts under its name (suffixes after the name), the stored value).
SAISIES = {
    "text": ({}, {"": "Dossier solide"}, "Dossier solide"),
    "textarea": ({"character_limit": 100}, {"": "Pièces complètes."}, "Pièces complètes."),
    "integer_number": ({"min": 0}, {"": "1500"}, "1500"),
    "decimal_number": ({"positive": True}, {"": "12,5"}, "12.5"),
    "date": ({}, {"": "2026-03-01"}, "2026-03-01"),
    "datetime": ({}, {"": "2026-03-01T09:30"}, "2026-03-01T09:30"),
    "checkbox": ({}, {"": "true"}, "true"),
    "yes_no": ({}, {"": "false"}, "false"),
    "civilite": ({}, {"": "M."}, "M."),
    "email": ({}, {"": "referent@example.fr"}, "referent@example.fr"),
    "phone": ({}, {"": "0590 27 12 34"}, "0590 27 12 34"),
    "formatted": ({"letters": True, "digits": True, "max_length": 6}, {"": "AB12"}, "AB12"),
    "engagement": ({}, {"": "true"}, "true"),
    "drop_down_list": ({"choices": ["Favorable", "Défavorable"], "other": True}, {"": "__autre__", "-autre": "Réservé"}, "Réservé"),
    "multiple_drop_down_list": ({"choices": ["Visite", "Appel", "Courrier"]}, {"": ["Courrier", "Visite"]}, "Visite, Courrier"),
    "linked_drop_down_list": ({"choices": ["--Nord--", "Lille", "--Sud--", "Nice"]}, {"": "Sud", "-secondaire": "Nice"}, "Sud / Nice"),
    "dossier_link": ({}, None, None),  # filled below with a deposited dossier's number
    "address": ({}, {"": "10 Rue de Rivoli 75001 Paris"}, "10 Rue de Rivoli 75001 Paris"),
    "communes": ({}, {"": "Lyon (69003)"}, "Lyon (69003)"),
    "departements": ({}, {"": "2A"}, "2A"),
    "regions": ({}, {"": "94"}, "94"),
    "epci": ({}, {"-departement": "69", "": "200046977"}, "200046977"),
    "pays": ({}, {"": "IT"}, "IT"),
    "iban": ({}, {"": "FR76 3000 6000 0112 3456 7890 189"}, "FR7630006000011234567890189"),
    "siret": ({}, {"": "812 345 676 00017"}, "81234567600017"),
    "rna": ({}, {"": "W451000123"}, "W451000123"),
    "carte": ({}, {"": CARTE}, None),
}
# Layout types hold nothing; files and repetition blocks are annotations with their own URLs, tested in
# tests/instruction/test_annotations_pieces_blocs.py; titre d'identité is never an annotation.
AUTRES = {"piece_justificative", "titre_identite", "repetition", "header_section", "explication"}


def test_every_registered_type_is_covered_here():
    assert set(SAISIES) | AUTRES == {field_type.key for field_type in registry.all_types()}


@pytest.fixture
def annotations(instructeur):
    administrateur = factories.AdministrateurFactory()
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], publier=False)
    for key in [*SAISIES, *sorted(AUTRES)]:
        options = SAISIES[key][0] if key in SAISIES else {}
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=key, libelle=f"Annotation {key}",
            options=options, private=True,
        )
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="annotations-types")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    precedent = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    tdcs = {t.type_champ: t for t in dossier.revision.private_types_de_champ()}
    return dossier, precedent, tdcs


@pytest.fixture
def instructeur():
    return factories.InstructeurFactory()


def _url(dossier):
    return reverse("instruction:annotations", args=[dossier.procedure_id, dossier.pk])


def test_each_type_renders_saves_and_reads_back_as_an_annotation(client, instructeur, annotations):
    dossier, precedent, tdcs = annotations
    client.force_login(instructeur.user)
    page = client.get(_url(dossier))
    assert page.status_code == 200
    html = page.content.decode()
    for key in [*SAISIES, "header_section", "explication"]:
        assert f"Annotation {key}" in html, key
    for key in SAISIES:
        assert f'name="{tdcs[key].html_id}' in html, key

    saisies = dict(SAISIES)
    saisies["dossier_link"] = ({}, {"": str(precedent.pk)}, str(precedent.pk))
    posted = {}
    for key, (_options, fields, _expected) in saisies.items():
        for suffix, value in fields.items():
            posted[f"{tdcs[key].html_id}{suffix}"] = value
    response = client.post(_url(dossier), posted)
    assert response.status_code == 302, response.context and response.context.get("errors")

    stored = {c.stable_id: c for c in Champ.objects.filter(dossier=dossier, row_id="")}
    for key, (_options, _fields, expected) in saisies.items():
        champ = stored[tdcs[key].stable_id]
        if expected is not None:
            assert champ.value == expected, key
        field_type = registry.get(key)
        assert not field_type.is_empty(champ.stored), key
        assert field_type.export_value(champ.stored) not in ("", None), key
    assert stored[tdcs["carte"].stable_id].data["features"][0]["geometry"]["type"] == "Point"
    assert stored[tdcs["siret"].stable_id].data["etablissement"]["siret"] == "81234567600017"

    # The tab reads the saved annotations back, through each type's display.
    html = client.get(_url(dossier)).content.decode()
    for text in ("Dossier solide", "Réservé", "Sud", "Nice", "BOULANGERIE MARTIN", "Métropole de Lyon", "1 point"):
        assert text in html, text


def test_an_invalid_annotation_of_each_kind_gets_a_french_error(client, instructeur, annotations):
    dossier, _precedent, tdcs = annotations
    client.force_login(instructeur.user)
    invalides = {
        "integer_number": "douze", "decimal_number": "-3", "date": "31/02/2026", "email": "referent@", "phone": "12",
        "iban": "FR76 0000", "siret": "12345678901234", "rna": "W12", "dossier_link": "999999", "pays": "ZZ",
        "carte": "{pas du json", "formatted": "AB-12!",
    }
    response = client.post(_url(dossier), {tdcs[key].html_id: value for key, value in invalides.items()})
    assert response.status_code == 200
    errors = response.context["errors"]
    for key in invalides:
        message = errors.get(tdcs[key].stable_id)
        assert message and message[0].isupper() and "invalid" not in message.lower(), (key, message)
    # What was typed is kept, to be corrected.
    assert Champ.objects.get(dossier=dossier, stable_id=tdcs["iban"].stable_id).value == "FR76 0000"
