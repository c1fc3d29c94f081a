"""A pièce justificative whose formats the administrateur restricted refuses other files, in French."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from demarches.fields import registry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_any_usual_format_without_restriction():
    registry.get("piece_justificative").check_file(SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"))


def test_restricted_to_pdf_refuses_an_image():
    field_type = registry.get("piece_justificative")
    field_type.check_file(SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"), options={"formats": ["pdf"]})
    with pytest.raises(ValidationError) as error:
        field_type.check_file(SimpleUploadedFile("photo.png", PNG, content_type="image/png"), options={"formats": ["pdf"]})
    assert error.value.messages == [
        "Le format du fichier « photo.png » n'est pas accepté pour ce champ. Formats acceptés : Documents PDF."
    ]


def test_titre_identite_keeps_its_own_rules_whatever_the_options():
    field_type = registry.get("titre_identite")
    with pytest.raises(ValidationError):
        field_type.check_file(SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"), options={})
