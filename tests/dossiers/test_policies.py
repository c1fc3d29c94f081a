"""Who may do what on a dossier: role × action × ownership × state."""

import pytest

from demarches.dossiers import policies
from demarches.dossiers.models import Dossier
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
ROLES = ("owner", "other_usager", "instructeur", "anonymous")


def actor(role, dossier, instructeur):
    from django.contrib.auth.models import AnonymousUser

    return {
        "owner": dossier.user,
        "other_usager": factories.UserFactory(),
        "instructeur": instructeur.user,
        "anonymous": AnonymousUser(),
    }[role]


EXPECTED = {
    # (role, state): (view_as_usager, edit_as_usager, write_as_usager, view_as_instructeur)
    **{
        # the messagerie opens at the deposit and closes with the decision
        ("owner", state): (
            True, state in (S.BROUILLON, S.EN_CONSTRUCTION), state in (S.EN_CONSTRUCTION, S.EN_INSTRUCTION), False
        )
        for state in S.values
    },
    **{("other_usager", state): (False, False, False, False) for state in S.values},
    **{("instructeur", state): (False, False, False, state != S.BROUILLON) for state in S.values},
    **{("anonymous", state): (False, False, False, False) for state in S.values},
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("role", ROLES)
def test_policy_matrix(procedure, instructeur, role, state):
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    user = actor(role, dossier, instructeur)
    got = (
        policies.can_view_as_usager(user, dossier),
        policies.can_edit_as_usager(user, dossier),
        policies.can_write_as_usager(user, dossier),
        policies.can_view_as_instructeur(user, dossier),
    )
    assert got == EXPECTED[(role, state)]


@pytest.mark.django_db
def test_a_closed_demarche_freezes_even_the_owner(procedure, administrateur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    procedure_services.procedure_clore(procedure=procedure, administrateur=administrateur)
    dossier.refresh_from_db()
    assert policies.can_view_as_usager(dossier.user, dossier)
    assert not policies.can_edit_as_usager(dossier.user, dossier)


@pytest.mark.django_db
def test_an_archived_dossier_closes_the_messagerie(procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE, archived=True)
    assert policies.can_view_as_usager(dossier.user, dossier)
    assert not policies.can_write_as_usager(dossier.user, dossier)


@pytest.mark.django_db
def test_an_instructeur_of_another_demarche_sees_nothing(procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    stranger = factories.InstructeurFactory()
    factories.procedure_creer(instructeurs=[stranger])
    assert not policies.can_view_as_instructeur(stranger.user, dossier)
