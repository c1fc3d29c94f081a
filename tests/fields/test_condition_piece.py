"""A condition on a pièce justificative: « rempli » once a file is attached, « vide » before —
on the server (visibility, deposit) as in the editor, which only offers these two operators."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demarches.dossiers import services
from demarches.fields import registry, visibilite
from tests import factories
from tests.fields.demarches import demarche_creer


@pytest.fixture
def dossier(db):
    procedure = demarche_creer(
        [("piece_justificative", "Plan du site", False, {}), ("text", "Commentaire sur le plan", True, {})],
        conditions={"Commentaire sur le plan": lambda ids: {"champ": ids["Plan du site"], "operator": "not_empty"}},
    )
    return factories.dossier_creer(procedure=procedure)


def test_only_emptiness_is_offered():
    assert registry.get("piece_justificative").condition_operators == ("empty", "not_empty")


def test_the_champ_shows_once_a_file_is_attached(dossier):
    commentaire = dossier.revision.types_de_champ.get(libelle="Commentaire sur le plan")
    plan = dossier.revision.types_de_champ.get(libelle="Plan du site")
    assert commentaire.stable_id in visibilite.masques_du_dossier(dossier)
    # Hidden: not required at deposit.
    assert commentaire.stable_id not in {e.type_de_champ.stable_id for e in services.dossier_erreurs(dossier)}
    fichier = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.piece_ajouter(dossier=dossier, user=dossier.user, type_de_champ=plan, uploaded=fichier)
    assert commentaire.stable_id not in visibilite.masques_du_dossier(dossier)
    # Shown: now required.
    assert commentaire.stable_id in {e.type_de_champ.stable_id for e in services.dossier_erreurs(dossier)}
