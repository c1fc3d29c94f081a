"""The dossier PDF numbers section titles as the usager's form does (fields.types.layout.numeros)."""

import pytest

from demarches.documents import pdfs
from tests import factories

from .conftest import deposer, pdf_text

pytestmark = pytest.mark.django_db


def procedure_avec_sections(administrateur, libelles):
    structure, localisation, demande = libelles
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[factories.InstructeurFactory()], champs=[
        ("header_section", structure, False, {"level": 1}),
        ("text", "Nom du projet", True),
        ("header_section", localisation, False, {"level": 2}),
        ("text", "Ville", False),
        ("header_section", demande, False, {"level": 1}),
        ("text", "Objet", False),
    ])


def test_the_dossier_pdf_numbers_the_section_titles(administrateur):
    procedure = procedure_avec_sections(administrateur, ("Votre structure", "Localisation", "Votre demande"))
    dossier = deposer(procedure, piece=False, valeurs={"Nom du projet": "Crèche", "Ville": "Lyon", "Objet": "Ouverture"})

    text = pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))

    assert "1. Votre structure Nom du projet Crèche 1.1 Localisation Ville Lyon 2. Votre demande Objet Ouverture" in text


def test_titles_numbered_by_the_administrateur_are_printed_as_they_are(administrateur):
    procedure = procedure_avec_sections(administrateur, ("A. Votre structure", "Localisation", "3 Votre demande"))
    dossier = deposer(procedure, piece=False, valeurs={"Nom du projet": "Crèche", "Ville": "Lyon", "Objet": "Ouverture"})

    text = pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))

    assert "A. Votre structure Nom du projet Crèche Localisation Ville Lyon 3 Votre demande Objet Ouverture" in text
    assert "1. A." not in text and "1.1 Localisation" not in text
