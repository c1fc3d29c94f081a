"""Règles d'inéligibilité: evaluation on a dossier's answers."""

import pytest

from demarches.dossiers.models import Champ
from demarches.procedures import editeur, ineligibilite
from demarches.procedures.models import RegleIneligibilite
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demarche(administrateur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, publier=False,
        champs=[("yes_no", "Êtes-vous une entreprise ?", True), ("integer_number", "Nombre de salariés", False)],
    )
    entreprise, salaries = procedure.draft_revision.public_types_de_champ()
    editeur.condition_enregistrer(
        procedure=procedure, administrateur=administrateur, stable_id=salaries.stable_id,
        condition={"and": [{"champ": entreprise.stable_id, "operator": "eq", "value": "true"}]},
    )
    editeur.ineligibilite_enregistrer(
        procedure=procedure, administrateur=administrateur, active=True, message="Réservé aux entreprises de moins de 50 salariés.",
        condition={"or": [{"champ": salaries.stable_id, "operator": "gte", "value": "50"}]},
    )
    return procedure


def _dossier(procedure, **answers):
    dossier = factories.dossier_creer(procedure=procedure)
    types = {tdc.libelle: tdc for tdc in procedure.draft_revision.public_types_de_champ()}
    for libelle, value in answers.items():
        tdc = types[libelle]
        Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, row_id="", value=value)
    return dossier


def test_message_when_the_condition_holds(demarche):
    dossier = _dossier(demarche, **{"Êtes-vous une entreprise ?": "true", "Nombre de salariés": "120"})
    assert ineligibilite.motif_du_dossier(dossier) == "Réservé aux entreprises de moins de 50 salariés."


def test_eligible_answers_and_hidden_champs(demarche):
    assert ineligibilite.motif_du_dossier(_dossier(demarche, **{"Êtes-vous une entreprise ?": "true", "Nombre de salariés": "12"})) == ""
    # « Nombre de salariés » is hidden when the usager is not a company: its old answer no longer counts
    assert ineligibilite.motif_du_dossier(_dossier(demarche, **{"Êtes-vous une entreprise ?": "false", "Nombre de salariés": "120"})) == ""


def test_inactive_or_unreadable_rules_never_block(demarche):
    dossier = _dossier(demarche, **{"Êtes-vous une entreprise ?": "true", "Nombre de salariés": "120"})
    RegleIneligibilite.objects.filter(procedure=demarche).update(active=False)
    assert ineligibilite.motif_du_dossier(dossier) == ""
    RegleIneligibilite.objects.filter(procedure=demarche).update(active=True, condition={"champ": 999999, "operator": "empty"})
    assert ineligibilite.motif_du_dossier(dossier) == ""


def test_rules_are_checked_when_saved(demarche):
    administrateur = demarche.administrateurs.get()
    with pytest.raises(Exception) as error:
        editeur.ineligibilite_enregistrer(procedure=demarche, administrateur=administrateur, active=True, message="", condition=None)
    assert "Écrivez le message" in str(error.value) and "Ajoutez au moins une condition" in str(error.value)
    with pytest.raises(Exception) as error:
        editeur.ineligibilite_enregistrer(
            procedure=demarche, administrateur=administrateur, active=True, message="Non",
            condition={"champ": 1234567, "operator": "empty"},
        )
    assert "placé avant" in str(error.value)
