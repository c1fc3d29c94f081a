"""Two instructeurs deciding the same dossier at the same moment: exactly one decision and one
e-mail (PostgreSQL: real row locks between two connections; SQLite serialises writes itself)."""

import pytest
from django.db import connection

from demarches.core.models import OutgoingEmail
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier, Traitement
from demarches.instruction.liste import actions_groupees
from demarches.instruction.models import ActionGroupeeDossier
from tests import factories
from tests.concurrence import en_parallele

S = Dossier.State
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL only"),
]


def _instructeurs(procedure, n=2):
    instructeurs = [factories.InstructeurFactory() for _ in range(n)]
    procedure.default_groupe.instructeurs.add(*instructeurs)
    return instructeurs


@pytest.mark.parametrize("repeat", range(3))
def test_accepter_and_refuser_at_the_same_time_give_one_decision_and_one_email(procedure, repeat):
    # given a dossier en instruction and two instructeurs of its group
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    premier, second = _instructeurs(procedure)
    # when one accepts while the other refuses, at the same time
    outcomes = en_parallele(
        lambda: transitions.accepter(dossier=dossier, instructeur=premier),
        lambda: transitions.refuser(dossier=dossier, instructeur=second, motivation="Hors délai"),
    )
    # then exactly one of them succeeded, the other was told the dossier is no longer en instruction
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert "cette action n'est plus possible" in next(o for o in outcomes if o != "ok")
    dossier.refresh_from_db()
    assert Traitement.objects.filter(dossier=dossier, state__in=Dossier.TERMINE).count() == 1
    assert Traitement.objects.get(dossier=dossier, state__in=Dossier.TERMINE).state == dossier.state
    assert (
        OutgoingEmail.objects.filter(dossier_id=dossier.pk, kind__in=["acceptation", "refus", "sans_suite"]).count()
        == 1
    )


def test_two_instructeurs_accepting_the_same_dossiers_in_bulk_decide_each_once(procedure):
    # given five dossiers en instruction that two instructeurs accept in bulk at the same time
    dossiers = [factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION) for _ in range(5)]
    premier, second = _instructeurs(procedure)
    outcomes = en_parallele(
        lambda: actions_groupees.action_groupee_lancer(
            instructeur=premier, procedure=procedure, action="accepter", dossier_ids=[d.pk for d in dossiers]
        ),
        lambda: actions_groupees.action_groupee_lancer(
            instructeur=second, procedure=procedure, action="accepter", dossier_ids=[d.pk for d in reversed(dossiers)]
        ),
    )
    assert outcomes == ["ok", "ok"]
    # then each dossier has one acceptance and one e-mail; the other job reports it as already decided
    for dossier in dossiers:
        assert Traitement.objects.filter(dossier=dossier, state=S.ACCEPTE).count() == 1
        assert OutgoingEmail.objects.filter(dossier_id=dossier.pk, kind="acceptation").count() == 1
    assert ActionGroupeeDossier.objects.filter(outcome="reussi").count() == 5
    assert ActionGroupeeDossier.objects.filter(outcome="echoue").count() == 5
