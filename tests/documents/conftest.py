import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from demarches.dossiers import services as dossier_services
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from tests import factories

S = Dossier.State

CHAMPS = [
    ("header_section", "Votre projet", False),
    ("text", "Nom du projet", True),
    ("textarea", "Description", False),
    ("integer_number", "Nombre de places", False),
    ("date", "Date d'ouverture", False),
    ("yes_no", "Établissement existant", False),
    ("piece_justificative", "Plan des locaux", False),
]
PDF_BYTES = b"%PDF-1.4 plan des locaux " + b"x" * 2000


def pdf_text(content: bytes) -> str:
    """The text of a PDF as an independent reader sees it, whitespace collapsed."""
    assert content.startswith(b"%PDF"), content[:20]
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class Posted(dict):
    def getlist(self, key):
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, libelle="Ouverture d'une crèche"
    )


def remplir(dossier, user, valeurs: dict):
    types = {t.libelle: t for t in dossier.revision.public_types_de_champ()}
    posted = Posted({types[libelle].html_id: value for libelle, value in valeurs.items()})
    errors = dossier_services.champs_enregistrer(dossier=dossier, user=user, posted=posted)
    assert not errors


def deposer(procedure, usager=None, *, valeurs=None, piece=True, nom="Lefèvre", prenom="Hélène"):
    """A dossier filled and deposited through the services (the state machine's after-commit handlers
    run only if the caller captures them)."""
    usager = usager or factories.UserFactory()
    dossier = dossier_services.dossier_creer(procedure=procedure, user=usager)
    dossier_services.dossier_identite_enregistrer(dossier=dossier, user=usager, civilite="Mme", nom=nom, prenom=prenom)
    remplir(dossier, usager, valeurs or {
        "Nom du projet": "Les petits pas",
        "Description": "Une crèche de 24 places\nau centre-ville.",
        "Nombre de places": "24",
        "Date d'ouverture": "2026-09-01",
        "Établissement existant": "false",
    })
    if piece:
        tdc = dossier.revision.public_types_de_champ().get(libelle="Plan des locaux")
        dossier_services.piece_ajouter(
            dossier=dossier, user=usager, type_de_champ=tdc,
            uploaded=SimpleUploadedFile("plan-des-locaux.pdf", PDF_BYTES, content_type="application/pdf"),
        )
    assert dossier_services.dossier_deposer(dossier=dossier, user=usager) == []
    dossier.refresh_from_db()
    return dossier


def instruire(dossier, instructeur):
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    dossier.refresh_from_db()
    return dossier
