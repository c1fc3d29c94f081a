"""Who may open each page of the instruction workspace: role × URL × ownership."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Champ, Commentaire, Dossier, Follow, PieceJointe
from demarches.instruction import services
from demarches.instruction.models import Avis
from tests import factories
from tests.instruction.conftest import autre_procedure

S = Dossier.State
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 contenu"


@pytest.fixture
def world(procedure, instructeur, administrateur):
    """A dossier en instruction with a piece, a justificatif, a message with attachment and an avis."""
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    tdc = dossier.revision.public_types_de_champ().first()
    champ = Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, data=["piece.pdf"])
    piece = PieceJointe(champ=champ, filename="piece.pdf", size=len(PDF))
    piece.file.save("piece.pdf", ContentFile(PDF), save=True)
    dossier.justificatif_motivation.save("justificatif.pdf", ContentFile(PDF), save=True)
    commentaire = Commentaire(dossier=dossier, email=dossier.user.email, body="Bonjour", piece_jointe_filename="pj.pdf")
    commentaire.piece_jointe.save("pj.pdf", ContentFile(PDF), save=True)
    expert_user = factories.UserFactory()
    avis = services.avis_demander(dossier=dossier, instructeur=instructeur, expert_email=expert_user.email, introduction="?")
    return {"dossier": dossier, "piece": piece, "commentaire": commentaire, "avis": avis, "administrateur": administrateur}


def _instructeur_get_urls(world):
    dossier, p = world["dossier"], world["dossier"].procedure_id
    args = [p, dossier.pk]
    return [
        reverse("instruction:procedure", args=[p]),
        reverse("instruction:dossier", args=args),
        reverse("instruction:messagerie", args=args),
        reverse("instruction:piece", args=[*args, world["piece"].pk]),
        reverse("instruction:justificatif", args=args),
        reverse("instruction:message_piece_jointe", args=[*args, world["commentaire"].pk]),
        reverse("instruction:decision", args=[*args, "accepter"]),
    ]


def _instructeur_post_actions(world):
    dossier, p = world["dossier"], world["dossier"].procedure_id
    args = [p, dossier.pk]
    return [
        (reverse("instruction:suivre", args=args), {}),
        (reverse("instruction:ne_plus_suivre", args=args), {}),
        (reverse("instruction:passer_en_instruction", args=args), {}),
        (reverse("instruction:repasser_en_construction", args=args), {}),
        (reverse("instruction:repasser_en_instruction", args=args), {}),
        (reverse("instruction:decision", args=[*args, "accepter"]), {"accepter-motivation": "Intrusion"}),
        (reverse("instruction:decision", args=[*args, "refuser"]), {"refuser-motivation": "Intrusion"}),
        (reverse("instruction:decision", args=[*args, "classer-sans-suite"]), {"classer-sans-suite-motivation": "Intrusion"}),
        (reverse("instruction:demander_avis", args=args), {"expert_email": world["dossier"].user.email, "introduction": "?"}),
        (reverse("instruction:messagerie", args=args), {"body": "Intrusion"}),
    ]


def _expert_urls(world):
    avis = world["avis"]
    return [
        reverse("instruction:avis"),
        reverse("instruction:avis_detail", args=[avis.pk]),
        reverse("instruction:avis_piece", args=[avis.pk, world["piece"].pk]),
    ]


def _login_as(client, role, world):
    if role == "instructeur d'une autre démarche":
        other = factories.InstructeurFactory()
        procedure = autre_procedure()
        procedure.default_groupe.instructeurs.add(other)
        client.force_login(other.user)
    elif role == "usager propriétaire du dossier":
        client.force_login(world["dossier"].user)
    elif role == "administrateur de la démarche sans profil instructeur":
        client.force_login(world["administrateur"].user)
    elif role == "expert d'un autre dossier":
        autre = factories.dossier_creer(procedure=world["dossier"].procedure, state=S.EN_CONSTRUCTION)
        expert = Expert.objects.create(user=factories.UserFactory())
        Avis.objects.create(dossier=autre, expert=expert, introduction="?")
        client.force_login(expert.user)
    elif role == "anonyme":
        pass
    else:
        raise AssertionError(role)


ROLES = [
    "instructeur d'une autre démarche",
    "usager propriétaire du dossier",
    "administrateur de la démarche sans profil instructeur",
    "expert d'un autre dossier",
    "anonyme",
]


def _assert_refused(response, role):
    if role == "anonyme":
        assert response.status_code == 302
        assert response.url.startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_instructeur_pages_and_downloads_are_refused(client, world, role):
    _login_as(client, role, world)
    for url in _instructeur_get_urls(world):
        _assert_refused(client.get(url), role)


@pytest.mark.parametrize("role", ROLES)
def test_instructeur_actions_are_refused_and_change_nothing(client, world, role, mailoutbox):
    dossier = world["dossier"]
    _login_as(client, role, world)
    operations = OperationLog.objects.count()
    for url, data in _instructeur_post_actions(world):
        _assert_refused(client.post(url, data), role)
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION
    assert not Follow.objects.filter(dossier=dossier).exists()
    assert not dossier.commentaires.filter(body="Intrusion").exists()
    assert Avis.objects.filter(dossier=dossier).count() == 1
    assert OperationLog.objects.count() == operations


@pytest.mark.parametrize("role", [r for r in ROLES if r != "expert d'un autre dossier"])
def test_expert_pages_are_refused_without_the_avis(client, world, role):
    _login_as(client, role, world)
    for url in _expert_urls(world):
        _assert_refused(client.get(url), role)
    _assert_refused(client.post(reverse("instruction:avis_detail", args=[world["avis"].pk]), {"answer": "Intrusion"}), role)


def test_an_expert_only_reaches_his_own_avis(client, world):
    _login_as(client, "expert d'un autre dossier", world)
    assert client.get(reverse("instruction:avis")).status_code == 200
    for url in _expert_urls(world)[1:]:
        assert client.get(url).status_code == 404
    world["avis"].refresh_from_db()
    assert world["avis"].answer == ""


def test_mes_demarches_of_another_instructeur_does_not_list_this_demarche(client, world):
    _login_as(client, "instructeur d'une autre démarche", world)
    response = client.get(reverse("instruction:procedures"))
    assert response.status_code == 200
    assert world["dossier"].procedure_id not in {p.pk for p in response.context["procedures"]}


@pytest.mark.parametrize("role", ["usager propriétaire du dossier", "administrateur de la démarche sans profil instructeur"])
def test_mes_demarches_needs_an_instructeur_profile(client, world, role):
    _login_as(client, role, world)
    assert client.get(reverse("instruction:procedures")).status_code == 404


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(reverse("instruction:procedures"))
    assert response.status_code == 302 and response.url.startswith(reverse(settings.LOGIN_URL))


def test_brouillons_are_never_reachable_by_the_instructeur(instructeur_client, procedure):
    # given a brouillon of the démarche the instructeur instructs
    brouillon = factories.dossier_creer(procedure=procedure, state=S.BROUILLON)
    args = [procedure.pk, brouillon.pk]
    # then none of its pages nor actions exist for him
    for name in ("instruction:dossier", "instruction:messagerie"):
        assert instructeur_client.get(reverse(name, args=args)).status_code == 404
    for name in ("instruction:suivre", "instruction:passer_en_instruction"):
        assert instructeur_client.post(reverse(name, args=args)).status_code == 404
    assert not Follow.objects.filter(dossier=brouillon).exists()


def test_a_dossier_is_reached_only_through_its_own_demarche(instructeur_client, instructeur, world):
    # given a second démarche the same instructeur instructs
    other = factories.procedure_creer(instructeurs=[instructeur], libelle="Autre démarche")
    # when the dossier is asked through the other démarche's URL
    response = instructeur_client.get(reverse("instruction:dossier", args=[other.pk, world["dossier"].pk]))
    # then it does not exist there
    assert response.status_code == 404


def test_test_dossiers_of_a_demarche_en_test_are_visible(instructeur_client, instructeur, administrateur):
    # given a démarche still en test, and a test dossier deposited on it
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], publier=False)
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION, for_procedure_preview=True)
    # then the instructeur rehearses on it
    response = instructeur_client.get(reverse("instruction:procedure", args=[procedure.pk]))
    assert [d.pk for d in response.context["page"]] == [dossier.pk]
    assert "démarche en test" in response.content.decode()
    assert instructeur_client.get(reverse("instruction:dossier", args=[procedure.pk, dossier.pk])).status_code == 200


def test_the_owner_instructeur_reaches_every_page(instructeur_client, world):
    # the positive side of the matrix: the instructeur of the démarche gets every page and file
    for url in _instructeur_get_urls(world):
        assert instructeur_client.get(url).status_code == 200, url
