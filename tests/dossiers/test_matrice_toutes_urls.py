"""Every usager URL that names a dossier, found by walking the URL configuration (so a new page cannot be
forgotten): another usager and an instructeur of another démarche get 404 on GET and POST and change nothing,
an anonymous visitor is sent to the login page, while the owner reaches the same URLs."""


import pytest
from django.test import Client
from django.urls import reverse

from demarches.dossiers import services_usager
from demarches.dossiers.models import Champ, Dossier, Invitation
from tests import factories
from tests.routes import routes_commencant_par

pytestmark = pytest.mark.django_db

# Reached by the owner only when the object exists in this state (a decision's justificatif or attestation,
# a message attachment, an abandon of modifications never started, the merci page of a deposited dossier).
OBJET_ABSENT = {"justificatif", "attestation", "commentaire_piece_jointe", "modifications_abandonner",
                "piece_telecharger", "piece_supprimer"}


def _patterns_de_dossier():
    return routes_commencant_par("dossiers/<int:pk>/")


@pytest.fixture
def monde(administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur],
                                          champs=[("text", "Nom du projet", False)])
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, state=Dossier.State.EN_CONSTRUCTION)
    invitation = services_usager.invitation_creer(dossier=dossier, user=owner, email="co@exemple.fr")
    ailleurs = factories.InstructeurFactory()
    factories.procedure_creer(instructeurs=[ailleurs])
    return {"dossier": dossier, "owner": owner, "invitation": invitation, "autres": {
        "other": factories.UserFactory(), "instructeur_ailleurs": ailleurs.user}}


def _url(nom, arguments, monde):
    dossier = monde["dossier"]
    valeurs = {"pk": dossier.pk, "stable_id": dossier.revision.types_de_champ.first().stable_id,
               "invitation_pk": monde["invitation"].pk, "piece_pk": 1, "commentaire_pk": 1}
    return reverse(nom, kwargs={a: valeurs[a] for a in arguments})


def _etat(monde):
    dossier = Dossier.objects.get(pk=monde["dossier"].pk)
    return (dossier.state, dossier.hidden_by_user_at, dossier.expire_at,
            Dossier.objects.count(), Invitation.objects.count(),
            list(Champ.objects.filter(dossier=dossier).values_list("value", flat=True)),
            dossier.commentaires.count())


def test_the_sweep_finds_the_usager_pages():
    noms = {nom.split(":")[-1] for nom, _ in _patterns_de_dossier()}
    assert {"show", "brouillon", "messagerie", "invitations", "supprimer", "dupliquer", "dossier_pdf"} <= noms


@pytest.mark.parametrize("role", ["other", "instructeur_ailleurs", "anonymous"])
def test_nobody_but_the_owner_reaches_a_dossier(monde, role):
    client = Client()
    if role != "anonymous":
        client.force_login(monde["autres"][role])
    owner = Client()
    owner.force_login(monde["owner"])
    before = _etat(monde)
    for nom, arguments in _patterns_de_dossier():
        url = _url(nom, arguments, monde)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if role == "anonymous":
                assert response.status_code in (302, 405), f"{method.upper()} {url} → {response.status_code}"
                if response.status_code == 302:
                    assert reverse("account_login") in response["Location"], url
            else:
                assert response.status_code in (404, 405), f"{method.upper()} {url} → {response.status_code}"
    assert _etat(monde) == before
    # the same URLs are valid: the owner reaches them (opening the form of a deposited dossier starts his working copy)
    for nom, arguments in _patterns_de_dossier():
        if nom.split(":")[-1] not in OBJET_ABSENT:
            url = _url(nom, arguments, monde)
            assert owner.get(url).status_code != 404, f"the owner should reach {url}"
