import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Champ, Dossier, PieceJointe
from demarches.instruction import services
from demarches.instruction.models import Avis
from tests import factories
from tests.instruction.conftest import dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def expert_user(db):
    return factories.UserFactory(email="expert@exemple.fr")


@pytest.fixture
def avis(dossier, instructeur, expert_user):
    return services.avis_demander(
        dossier=dossier, instructeur=instructeur, expert_email=expert_user.email, introduction="Le budget est-il réaliste ?"
    )


@pytest.fixture
def expert_client(client, avis):
    client.force_login(avis.expert.user)
    return client


# --- services -------------------------------------------------------------------------------------


def test_avis_demander_creates_the_expert_profile_and_sends_the_email(
    dossier, instructeur, expert_user, django_capture_on_commit_callbacks, mailoutbox
):
    # given an existing account without expert profile
    assert not Expert.objects.filter(user=expert_user).exists()
    # when an instructeur asks its owner for an opinion
    with django_capture_on_commit_callbacks(execute=True):
        avis = services.avis_demander(
            dossier=dossier, instructeur=instructeur, expert_email=" Expert@Exemple.fr ", introduction="Votre avis ?"
        )
    # then the profile exists, the avis is recorded and the expert received the invitation
    assert avis.expert.user == expert_user
    assert avis.claimant == instructeur
    assert [m.to for m in mailoutbox] == [["expert@exemple.fr"]]
    assert f"dossier n° {dossier.pk}" in mailoutbox[0].subject
    assert reverse("instruction:avis_detail", args=[avis.pk]) in mailoutbox[0].body
    assert "Votre avis ?" in mailoutbox[0].body
    assert OperationLog.objects.filter(operation=services.AVIS_DEMANDER, dossier_id=dossier.pk).exists()


@pytest.mark.parametrize(
    "email, introduction, field, message",
    [
        ("", "Votre avis ?", "expert_email", "Indiquez l'adresse électronique"),
        ("expert@exemple.fr", "  ", "introduction", "Expliquez à l'expert"),
    ],
)
def test_avis_demander_errors(dossier, instructeur, expert_user, email, introduction, field, message):
    with pytest.raises(ValidationError) as error:
        services.avis_demander(dossier=dossier, instructeur=instructeur, expert_email=email, introduction=introduction)
    assert message in error.value.message_dict[field][0]
    assert not Avis.objects.exists()


def test_avis_demander_on_a_decided_dossier_is_refused(procedure, instructeur, expert_user):
    dossier = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    with pytest.raises(ValidationError):
        services.avis_demander(dossier=dossier, instructeur=instructeur, expert_email=expert_user.email, introduction="?")


def test_avis_demander_needs_to_instruct_the_dossier(dossier, expert_user):
    outsider = factories.InstructeurFactory()
    with pytest.raises(PermissionDenied):
        services.avis_demander(dossier=dossier, instructeur=outsider, expert_email=expert_user.email, introduction="?")


def test_avis_donner_records_the_answer_and_tells_the_claimant(avis, instructeur, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.avis_donner(avis=avis, expert=avis.expert, answer="Budget cohérent.")
    avis.refresh_from_db()
    assert avis.answer == "Budget cohérent." and avis.answered_at is not None
    assert [m.to for m in mailoutbox] == [[instructeur.user.email]]
    assert OperationLog.objects.filter(operation=services.AVIS_DONNER, dossier_id=avis.dossier_id).exists()


def test_avis_donner_by_another_expert_is_refused(avis):
    other = Expert.objects.create(user=factories.UserFactory())
    with pytest.raises(PermissionDenied):
        services.avis_donner(avis=avis, expert=other, answer="Je ne devrais pas répondre")


def test_avis_donner_on_a_decided_dossier_is_refused(avis):
    Dossier.objects.filter(pk=avis.dossier_id).update(state=S.REFUSE)
    with pytest.raises(ValidationError):
        services.avis_donner(avis=avis, expert=avis.expert, answer="Trop tard")


# --- instructeur side -----------------------------------------------------------------------------


def test_instructeur_asks_for_an_avis_from_the_dossier_page(
    instructeur_client, dossier, expert_user, django_capture_on_commit_callbacks, mailoutbox
):
    # given the dossier page offers the form
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert "Demander un avis" in page
    # when the instructeur submits it
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            dossier_url(dossier, "instruction:demander_avis"),
            {"expert_email": expert_user.email, "introduction": "Le lieu convient-il ?"},
        )
    # then the avis exists and the expert was e-mailed
    assert response.status_code == 302 and response.url.endswith("#avis")
    assert Avis.objects.get().introduction == "Le lieu convient-il ?"
    assert mailoutbox[0].to == [expert_user.email]
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert "en attente de réponse" in page


def test_instructeur_avis_form_errors_are_shown_next_to_the_fields(instructeur_client, dossier):
    response = instructeur_client.post(
        dossier_url(dossier, "instruction:demander_avis"), {"expert_email": "personne@nulle-part", "introduction": "Texte gardé"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Adresse invalide : personne@nulle-part" in content
    assert 'id="id_expert_email-messages"' in content
    assert "Texte gardé</textarea>" in content
    assert "personne@nulle-part</textarea>" in content


def test_the_answer_is_shown_to_the_instructeur(instructeur_client, avis):
    services.avis_donner(avis=avis, expert=avis.expert, answer="Avis favorable, sous réserve du devis.")
    content = instructeur_client.get(dossier_url(avis.dossier)).content.decode()
    assert "Avis favorable, sous réserve du devis." in content
    assert avis.expert.user.email in content


# --- expert side ----------------------------------------------------------------------------------


def test_expert_lists_his_avis_in_two_tabs(expert_client, avis, procedure, instructeur):
    # given a second avis already answered, and an avis asked to somebody else
    other_dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    donne = services.avis_demander(
        dossier=other_dossier, instructeur=instructeur, expert_email=avis.expert.user.email, introduction="Et celui-ci ?"
    )
    services.avis_donner(avis=donne, expert=avis.expert, answer="Oui")
    someone = factories.UserFactory()
    third = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    foreign = services.avis_demander(dossier=third, instructeur=instructeur, expert_email=someone.email, introduction="?")
    # when the expert opens his list
    a_donner = expert_client.get(reverse("instruction:avis"))
    donnes = expert_client.get(reverse("instruction:avis"), {"statut": "donnes"})
    # then each tab shows his own avis only
    assert [a.pk for a in a_donner.context["page"]] == [avis.pk]
    assert [a.pk for a in donnes.context["page"]] == [donne.pk]
    for response in (a_donner, donnes):
        assert reverse("instruction:avis_detail", args=[foreign.pk]) not in response.content.decode()


def test_expert_reads_the_demande_and_answers(expert_client, avis, run_on_commit):
    # given a dossier with a piece justificative
    dossier = avis.dossier
    tdc = dossier.revision.public_types_de_champ().first()
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value="Jardin partagé")
    # when the expert opens the avis
    response = expert_client.get(reverse("instruction:avis_detail", args=[avis.pk]))
    content = response.content.decode()
    # then he reads the question and the demande, read-only
    assert response.status_code == 200
    assert content.count("<h1") == 1
    assert "Le budget est-il réaliste ?" in content
    assert "Jardin partagé" in content
    assert "Passer en instruction" not in content
    # when he answers
    response = expert_client.post(reverse("instruction:avis_detail", args=[avis.pk]), {"answer": "Réaliste."})
    # then the answer is recorded and shown
    assert response.status_code == 302
    avis.refresh_from_db()
    assert avis.answer == "Réaliste."
    assert "Modifier mon avis" in expert_client.get(reverse("instruction:avis_detail", args=[avis.pk])).content.decode()


def test_expert_empty_answer_shows_the_error(expert_client, avis):
    response = expert_client.post(reverse("instruction:avis_detail", args=[avis.pk]), {"answer": ""})
    content = response.content.decode()
    assert "Votre avis est vide" in content
    assert 'aria-describedby="id_answer-hint id_answer-messages"' in content


def test_expert_downloads_the_pieces_of_his_dossier_only(expert_client, avis, procedure):
    # given a piece on the dossier of the avis and one on another dossier
    def piece_on(dossier, name):
        tdc = dossier.revision.public_types_de_champ().first()
        champ = Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, data=[name])
        piece = PieceJointe(champ=champ, filename=name, size=8)
        piece.file.save(name, SimpleUploadedFile(name, b"%PDF-1.4"), save=True)
        return piece

    mine = piece_on(avis.dossier, "plan.pdf")
    other = piece_on(factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION), "autre.pdf")
    # then only the first is served
    assert expert_client.get(reverse("instruction:avis_piece", args=[avis.pk, mine.pk])).status_code == 200
    assert expert_client.get(reverse("instruction:avis_piece", args=[avis.pk, other.pk])).status_code == 404


def test_expert_cannot_see_the_avis_of_another_expert(client, avis):
    other = Expert.objects.create(user=factories.UserFactory())
    client.force_login(other.user)
    assert client.get(reverse("instruction:avis_detail", args=[avis.pk])).status_code == 404
    assert client.post(reverse("instruction:avis_detail", args=[avis.pk]), {"answer": "Intrus"}).status_code == 404
    avis.refresh_from_db()
    assert avis.answer == ""


def test_expert_cannot_open_the_instructeur_pages(expert_client, avis):
    dossier = avis.dossier
    assert expert_client.get(reverse("instruction:procedures")).status_code == 404
    assert expert_client.get(dossier_url(dossier)).status_code == 404
    assert expert_client.get(dossier_url(dossier, "instruction:messagerie")).status_code == 404


def test_expert_page_of_a_decided_dossier_is_read_only(expert_client, avis):
    Dossier.objects.filter(pk=avis.dossier_id).update(state=S.ACCEPTE)
    content = expert_client.get(reverse("instruction:avis_detail", args=[avis.pk])).content.decode()
    assert "il n'est plus possible de donner ou de modifier un avis" in content
    assert "Envoyer mon avis" not in content


def test_avis_is_registered_in_the_admin(admin_client, avis):
    response = admin_client.get(reverse("admin:instruction_avis_changelist"))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:instruction_avis_change", args=[avis.pk])).status_code == 200
