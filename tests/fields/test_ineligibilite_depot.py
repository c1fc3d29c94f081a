"""Règles d'inéligibilité at the usager's deposit: answers matching the administrateur's condition
block « Déposer le dossier » with his message; other answers, or a champ hidden by its own
condition, let the dossier through."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from demarches.procedures import editeur
from demarches.procedures import services as procedure_services
from tests import factories

pytestmark = pytest.mark.django_db

MESSAGE = "Cette aide est réservée aux entreprises de moins de 50 salariés."


@pytest.fixture
def demarche():
    administrateur = factories.AdministrateurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, publier=False, instructeurs=[factories.InstructeurFactory()],
        champs=[("yes_no", "Êtes-vous une entreprise ?", True), ("integer_number", "Nombre de salariés", False)],
    )
    entreprise, salaries = procedure.draft_revision.public_types_de_champ()
    editeur.condition_enregistrer(
        procedure=procedure, administrateur=administrateur, stable_id=salaries.stable_id,
        condition={"champ": entreprise.stable_id, "operator": "eq", "value": "true"},
    )
    editeur.ineligibilite_enregistrer(
        procedure=procedure, administrateur=administrateur, active=True, message=MESSAGE,
        condition={"or": [{"champ": salaries.stable_id, "operator": "gte", "value": "50"}]},
    )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="aide-entreprises")


def _deposer(client, demarche, reponses):
    dossier = factories.dossier_creer(procedure=demarche)
    ids = {tdc.libelle: tdc.html_id for tdc in dossier.revision.public_types_de_champ()}
    client.force_login(dossier.user)
    posted = {ids[libelle]: value for libelle, value in reponses.items()}
    response = client.post(reverse("dossiers:brouillon", args=[dossier.pk]), {**posted, "action": "deposer"})
    dossier.refresh_from_db()
    return response, dossier


def test_matching_answers_block_the_deposit_with_the_message(client, demarche):
    response, dossier = _deposer(client, demarche, {"Êtes-vous une entreprise ?": "true", "Nombre de salariés": "120"})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert dossier.state == Dossier.State.BROUILLON
    # The answers are kept: the usager may correct them.
    assert dossier.champs.get(type_de_champ__libelle="Nombre de salariés").value == "120"


@pytest.mark.parametrize("reponses", [
    {"Êtes-vous une entreprise ?": "true", "Nombre de salariés": "49"},
    # « Nombre de salariés » is hidden for a non-company: its answer does not count (and is emptied).
    {"Êtes-vous une entreprise ?": "false", "Nombre de salariés": "120"},
])
def test_other_answers_are_deposited(client, demarche, reponses, run_on_commit):
    response, dossier = _deposer(client, demarche, reponses)
    assert response.status_code == 302 and response.url == reverse("dossiers:merci", args=[dossier.pk])
    assert dossier.state == Dossier.State.EN_CONSTRUCTION
