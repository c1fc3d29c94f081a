"""check_upload: size, extension and content of attached files."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from demarches.fields.types.piece_justificative import check_upload

PDF = b"%PDF-1.7\n..."
PNG = b"\x89PNG\r\n\x1a\n...."


def upload(name, content):
    return SimpleUploadedFile(name, content)


def refused(uploaded, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(uploaded, **kwargs)
    return error.value.messages[0]


@pytest.mark.parametrize(
    "name, content",
    [
        ("plan.pdf", PDF),
        ("PLAN.PDF", PDF),
        ("photo.png", PNG),
        ("photo.jpg", b"\xff\xd8\xff\xe0...."),
        ("tableau.xlsx", b"PK\x03\x04...."),
        ("notes.txt", b"du texte"),
        ("liste.csv", b"a;b\n1;2\n"),
    ],
)
def test_accepted_files(name, content):
    uploaded = upload(name, content)
    check_upload(uploaded)
    assert uploaded.read() == content  # the check rewinds the file


def test_empty_file_is_refused():
    assert refused(upload("vide.pdf", b"")) == "Le fichier « vide.pdf » est vide."


def test_size_limit_from_settings(settings):
    settings.PIECE_JUSTIFICATIVE_MAX_SIZE = 10
    message = refused(upload("plan.pdf", PDF))
    assert message.startswith("Le fichier « plan.pdf » est trop volumineux")
    assert "la taille maximale est de 10" in message


def test_size_exactly_at_the_limit_is_accepted(settings):
    settings.PIECE_JUSTIFICATIVE_MAX_SIZE = len(PDF)
    check_upload(upload("plan.pdf", PDF))


def test_explicit_max_size_wins():
    assert "trop volumineux" in refused(upload("plan.pdf", PDF), max_size=5)


@pytest.mark.parametrize("name", ["programme.exe", "script.js", "sans-extension", "archive.rar"])
def test_unknown_extensions_are_refused(name):
    message = refused(upload(name, b"MZ...."))
    assert message.startswith(f"Le format du fichier « {name} » n'est pas accepté.")
    assert "Formats acceptés" in message


@pytest.mark.parametrize(
    "name, content",
    [("faux.pdf", b"GIF89a...."), ("faux.png", PDF), ("faux.jpg", PNG), ("faux.docx", PDF), ("faux.zip", b"%PDF")],
)
def test_magic_number_must_match_the_extension(name, content):
    extension = "." + name.rsplit(".", 1)[-1]
    assert refused(upload(name, content)) == (
        f"Le contenu du fichier « {name} » ne correspond pas à son extension {extension}."
    )
