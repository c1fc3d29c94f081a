"""Authorisation matrix of the usager actions added for co-editors, corbeille and duplication:
owner, invitee, other usager, instructeur of the démarche, anonymous × every URL and action."""

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers import services_usager
from demarches.dossiers.models import Dossier, Invitation
from tests import factories

S = Dossier.State
ROLES = ("owner", "invitee", "other", "instructeur", "anonymous")


@pytest.fixture
def monde(db, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", False)]
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, state=S.EN_CONSTRUCTION)
    invitee = factories.UserFactory()
    invitation = services_usager.invitation_creer(dossier=dossier, user=owner, email=invitee.email)
    users = {"owner": owner, "invitee": invitee, "other": factories.UserFactory(), "instructeur": instructeur.user}
    return {"procedure": procedure, "dossier": dossier, "invitation": invitation, "users": users}


def _client(client, monde, role):
    if role != "anonymous":
        client.force_login(monde["users"][role])
    return client


def _denied(response, role):
    if role == "anonymous":
        return response.status_code == 302 and reverse("account_login") in response["Location"]
    return response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_invitations_page_and_invite(client, monde, role):
    dossier = monde["dossier"]
    client = _client(client, monde, role)
    url = reverse("dossiers:invitations", args=[dossier.pk])
    get = client.get(url)
    post = client.post(url, {"email": "nouvelle@exemple.fr"})
    created = Invitation.objects.filter(email="nouvelle@exemple.fr").exists()
    if role == "owner":
        assert get.status_code == 200 and post.status_code == 302 and created
    else:
        assert _denied(get, role) and _denied(post, role) and not created


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_remove_an_invitation(client, monde, role):
    dossier, invitation = monde["dossier"], monde["invitation"]
    response = _client(client, monde, role).post(
        reverse("dossiers:invitation_supprimer", args=[dossier.pk, invitation.pk])
    )
    exists = Invitation.objects.filter(pk=invitation.pk).exists()
    if role == "owner":
        assert response.status_code == 302 and not exists
    else:
        assert _denied(response, role) and exists


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_delete(client, monde, role):
    dossier = monde["dossier"]
    client = _client(client, monde, role)
    url = reverse("dossiers:supprimer", args=[dossier.pk])
    get, post = client.get(url), client.post(url)
    dossier.refresh_from_db()
    if role == "owner":
        assert get.status_code == 200 and post.status_code == 302 and dossier.hidden_by_user_at is not None
    else:
        assert _denied(get, role) and _denied(post, role) and dossier.hidden_by_user_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_restore(client, monde, role):
    dossier = monde["dossier"]
    Dossier.objects.filter(pk=dossier.pk).update(hidden_by_user_at=timezone.now())
    response = _client(client, monde, role).post(reverse("dossiers:restaurer", args=[dossier.pk]))
    dossier.refresh_from_db()
    if role == "owner":
        assert response.status_code == 302 and dossier.hidden_by_user_at is None
    else:
        assert _denied(response, role) and dossier.hidden_by_user_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_duplicate(client, monde, role):
    dossier = monde["dossier"]
    response = _client(client, monde, role).post(reverse("dossiers:dupliquer", args=[dossier.pk]))
    count = Dossier.objects.count()
    if role == "owner":
        assert response.status_code == 302 and count == 2
    else:
        assert _denied(response, role) and count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, status", [("owner", 200), ("invitee", 200), ("other", 404), ("instructeur", 404), ("anonymous", 302)]
)
@pytest.mark.parametrize("name", ["show", "demande", "messagerie", "brouillon"])
def test_dossier_pages(client, monde, role, status, name):
    response = _client(client, monde, role).get(reverse(f"dossiers:{name}", args=[monde["dossier"].pk]))
    if name == "brouillon" and status == 200:
        # en construction: « Modifier le dossier » leads to the working copy
        assert response.status_code == 302
        response = client.get(response.url)
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, deposited", [("owner", True), ("invitee", False), ("other", False), ("instructeur", False)]
)
def test_deposit_is_the_owners_only(client, monde, role, deposited):
    dossier = factories.dossier_creer(procedure=monde["procedure"], user=monde["users"]["owner"])
    Invitation.objects.create(dossier=dossier, email=monde["users"]["invitee"].email)
    response = _client(client, monde, role).post(
        reverse("dossiers:brouillon", args=[dossier.pk]), {"action": "deposer"}
    )
    dossier.refresh_from_db()
    assert (dossier.state == S.EN_CONSTRUCTION) is deposited
    if role in ("other", "instructeur"):
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_profil(client, monde, role):
    response = _client(client, monde, role).get(reverse("dossiers:profil"))
    assert response.status_code == (302 if role == "anonymous" else 200)
