import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import Champ, Dossier, Follow, PieceJointe
from tests import factories
from tests.instruction.conftest import creer_dossier, dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 justificatif de la decision"


def pdf(name="decision.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the dossier page -----------------------------------------------------------------------------


@pytest.fixture
def procedure_complete(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur,
        instructeurs=[instructeur],
        champs=[
            ("header_section", "Votre projet", False),
            ("text", "Nom du projet", True),
            ("explication", "Quelques mots d'explication", False),
            ("yes_no", "Projet collectif", False),
            ("piece_justificative", "Budget prévisionnel", False),
            ("text", "Commentaire libre", False),
        ],
    )


@pytest.fixture
def dossier_rempli(procedure_complete):
    dossier = creer_dossier(procedure=procedure_complete, state=S.EN_CONSTRUCTION, civilite="Mme", prenom="Claire", nom="Martin")
    types = {tdc.libelle: tdc for tdc in dossier.revision.public_types_de_champ()}
    for libelle, value in (("Nom du projet", "Jardin partagé"), ("Projet collectif", "true")):
        tdc = types[libelle]
        Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value)
    budget = types["Budget prévisionnel"]
    champ = Champ.objects.create(dossier=dossier, type_de_champ=budget, stable_id=budget.stable_id, data=["budget.pdf"])
    piece = PieceJointe(champ=champ, filename="budget.pdf", content_type="application/pdf", size=len(PDF))
    piece.file.save("budget.pdf", SimpleUploadedFile("budget.pdf", PDF), save=True)
    return dossier


def test_dossier_page_shows_identity_champs_and_pieces(instructeur_client, dossier_rempli):
    # given a filled dossier
    # when the instructeur opens it
    response = instructeur_client.get(dossier_url(dossier_rempli))
    content = response.content.decode()
    # then the header, the identity and every public champ are shown
    assert response.status_code == 200
    assert content.count("<h1") == 1
    assert f"Dossier n° {dossier_rempli.pk}" in content
    assert "en construction" in content
    for text in ("Mme", "Claire", "Martin", dossier_rempli.user.email, "Votre projet", "Nom du projet", "Jardin partagé",
                 "Projet collectif", "Budget prévisionnel", "budget.pdf", "Commentaire libre", "Non renseigné"):
        assert text in content
    assert "Quelques mots d&#x27;explication" not in content
    piece = PieceJointe.objects.get()
    assert reverse("instruction:piece", args=[dossier_rempli.procedure_id, dossier_rempli.pk, piece.pk]) in content


def test_piece_download_goes_through_the_policy(instructeur_client, dossier_rempli):
    piece = PieceJointe.objects.get()
    response = instructeur_client.get(dossier_url(dossier_rempli, "instruction:piece", piece.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "budget.pdf" in response["Content-Disposition"]


def test_piece_of_another_dossier_is_not_served_through_this_one(instructeur_client, dossier_rempli, procedure):
    # given a piece of another dossier the instructeur may see
    piece = PieceJointe.objects.get()
    other = factories.dossier_creer(procedure=dossier_rempli.procedure, state=S.EN_CONSTRUCTION)
    # when it is asked through another dossier's URL
    response = instructeur_client.get(dossier_url(other, "instruction:piece", piece.pk))
    # then it does not exist there
    assert response.status_code == 404


def test_buttons_follow_the_guards(instructeur_client, procedure):
    cases = {
        S.EN_CONSTRUCTION: ({"Passer en instruction"}, {"Repasser en construction", "Accepter", "Repasser en instruction"}),
        S.EN_INSTRUCTION: (
            {"Repasser en construction", "Accepter", "Refuser", "Classer sans suite"},
            {"Passer en instruction", "Repasser en instruction"},
        ),
        S.ACCEPTE: ({"Repasser en instruction"}, {"Passer en instruction", "Refuser", "Repasser en construction"}),
    }
    for state, (shown, hidden) in cases.items():
        dossier = factories.dossier_creer(procedure=procedure, state=state)
        content = instructeur_client.get(dossier_url(dossier)).content.decode()
        for label in shown:
            assert f">{label}<" in content, (state, label)
        for label in hidden:
            assert f">{label}<" not in content, (state, label)


def test_history_lists_the_traitements(instructeur_client, instructeur, dossier, run_on_commit):
    # given a dossier passed en instruction then refused
    instructeur_client.post(dossier_url(dossier, "instruction:passer_en_instruction"))
    instructeur_client.post(
        dossier_url(dossier, "instruction:decision", "refuser"), {"refuser-motivation": "Hors du périmètre de l'aide"}
    )
    # when the instructeur opens the dossier
    content = instructeur_client.get(dossier_url(dossier)).content.decode()
    # then the history shows each state change, who made it and why
    assert "Historique" in content
    assert "en instruction" in content and "refusé" in content
    assert instructeur.user.email in content
    assert "Hors du périmètre de l&#x27;aide" in content


# --- follow ---------------------------------------------------------------------------------------


def test_follow_then_unfollow(instructeur_client, instructeur, dossier):
    # when the instructeur follows the dossier
    response = instructeur_client.post(dossier_url(dossier, "instruction:suivre"))
    # then a Follow and an audit entry exist, and the page offers to stop following
    assert response.status_code == 302
    assert Follow.objects.filter(instructeur=instructeur, dossier=dossier).exists()
    assert OperationLog.objects.filter(operation=OperationLog.Operation.SUIVRE, dossier_id=dossier.pk).count() == 1
    assert ">Ne plus suivre<" in instructeur_client.get(dossier_url(dossier)).content.decode()
    # when he follows it again, nothing more is recorded
    instructeur_client.post(dossier_url(dossier, "instruction:suivre"))
    assert OperationLog.objects.filter(operation=OperationLog.Operation.SUIVRE, dossier_id=dossier.pk).count() == 1
    # when he stops following it
    instructeur_client.post(dossier_url(dossier, "instruction:ne_plus_suivre"))
    # then the Follow is gone and the stop is recorded
    assert not Follow.objects.filter(instructeur=instructeur, dossier=dossier).exists()
    assert OperationLog.objects.filter(operation=OperationLog.Operation.NE_PLUS_SUIVRE, dossier_id=dossier.pk).exists()
    assert ">Suivre le dossier<" in instructeur_client.get(dossier_url(dossier)).content.decode()


def test_follow_requires_post(instructeur_client, dossier):
    assert instructeur_client.get(dossier_url(dossier, "instruction:suivre")).status_code == 405


# --- state changes --------------------------------------------------------------------------------


def _emails(kind, dossier):
    return OutgoingEmail.objects.filter(kind=kind, dossier_id=dossier.pk)


def test_passer_en_instruction(instructeur_client, instructeur, dossier, django_capture_on_commit_callbacks, mailoutbox):
    # when the instructeur passes the dossier en instruction
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(dossier_url(dossier, "instruction:passer_en_instruction"))
    # then the state changed, he follows it, and the usager got the e-mail
    assert response.status_code == 302 and response.url == dossier_url(dossier)
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION
    assert Follow.objects.filter(instructeur=instructeur, dossier=dossier).exists()
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]
    assert "va être examiné" in mailoutbox[0].subject
    page = instructeur_client.get(response.url).content.decode()
    assert "Le dossier est passé en instruction" in page


def test_repasser_en_construction(instructeur_client, dossier_en_instruction):
    response = instructeur_client.post(dossier_url(dossier_en_instruction, "instruction:repasser_en_construction"))
    assert response.status_code == 302
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.EN_CONSTRUCTION


def test_transition_from_a_wrong_state_shows_the_message(instructeur_client, dossier):
    # given a dossier en construction
    # when the instructeur tries to send it back en construction
    response = instructeur_client.post(dossier_url(dossier, "instruction:repasser_en_construction"), follow=True)
    # then nothing changes and the reason is shown
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION
    assert "cette action n&#x27;est plus possible" in response.content.decode()


def test_accepter_with_a_justificatif(
    instructeur_client, dossier_en_instruction, django_capture_on_commit_callbacks, mailoutbox
):
    dossier = dossier_en_instruction
    # when the instructeur accepts with a motivation and a justificatif
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            dossier_url(dossier, "instruction:decision", "accepter"),
            {"accepter-motivation": "Dossier complet", "accepter-justificatif": pdf("arrete.pdf")},
        )
    # then the dossier is accepted, the justificatif stored, the usager told by e-mail
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == S.ACCEPTE
    assert dossier.motivation == "Dossier complet"
    assert dossier.justificatif_motivation
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [dossier.user.email]
    assert "accepté" in mailoutbox[0].subject
    # and the decision is shown with a download link that serves the file
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert "Dossier complet" in page
    justificatif_url = dossier_url(dossier, "instruction:justificatif")
    assert justificatif_url in page
    download = instructeur_client.get(justificatif_url)
    assert b"".join(download.streaming_content) == PDF


def test_accepter_without_motivation(instructeur_client, dossier_en_instruction, run_on_commit):
    response = instructeur_client.post(dossier_url(dossier_en_instruction, "instruction:decision", "accepter"), {})
    assert response.status_code == 302
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.ACCEPTE


def test_refuser_without_motivation_shows_the_error_and_keeps_the_form(instructeur_client, dossier_en_instruction, mailoutbox):
    dossier = dossier_en_instruction
    # when the instructeur refuses without motivation (only blanks)
    response = instructeur_client.post(dossier_url(dossier, "instruction:decision", "refuser"), {"refuser-motivation": "   "})
    # then the form comes back with the error next to the field, and nothing changed
    assert response.status_code == 200
    content = response.content.decode()
    assert "La motivation est obligatoire pour un refus ou un classement sans suite." in content
    assert 'aria-describedby="id_refuser-motivation-hint id_refuser-motivation-messages"' in content
    assert 'id="id_refuser-motivation-messages"' in content
    assert content.count("<h1") == 1
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION
    assert mailoutbox == []


def test_an_invalid_justificatif_keeps_the_motivation(instructeur_client, dossier_en_instruction):
    dossier = dossier_en_instruction
    # when the justificatif is not what it claims to be
    response = instructeur_client.post(
        dossier_url(dossier, "instruction:decision", "refuser"),
        {"refuser-motivation": "Pièces manquantes", "refuser-justificatif": pdf("faux.pdf", b"pas un pdf")},
    )
    # then the error is shown next to the file field and the text typed is kept
    content = response.content.decode()
    assert "ne correspond pas à son extension" in content
    assert "Pièces manquantes</textarea>" in content
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION


def test_a_justificatif_above_20_mo_is_refused(instructeur_client, dossier_en_instruction, settings):
    big = SimpleUploadedFile("gros.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    response = instructeur_client.post(
        dossier_url(dossier_en_instruction, "instruction:decision", "accepter"), {"accepter-justificatif": big}
    )
    assert "trop volumineux" in response.content.decode()
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.EN_INSTRUCTION


def test_refuser_with_motivation(instructeur_client, dossier_en_instruction, django_capture_on_commit_callbacks, mailoutbox):
    dossier = dossier_en_instruction
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            dossier_url(dossier, "instruction:decision", "refuser"), {"refuser-motivation": "Hors du périmètre de l'aide"}
        )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == S.REFUSE
    assert dossier.motivation == "Hors du périmètre de l'aide"
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]
    assert "refusé" in mailoutbox[0].subject


def test_classer_sans_suite(instructeur_client, dossier_en_instruction, django_capture_on_commit_callbacks, mailoutbox):
    dossier = dossier_en_instruction
    with django_capture_on_commit_callbacks(execute=True):
        instructeur_client.post(
            dossier_url(dossier, "instruction:decision", "classer-sans-suite"),
            {"classer-sans-suite-motivation": "Demande retirée par l'usager"},
        )
    dossier.refresh_from_db()
    assert dossier.state == S.SANS_SUITE
    assert "classé sans suite" in mailoutbox[0].subject


def test_classer_sans_suite_requires_a_motivation(instructeur_client, dossier_en_instruction):
    response = instructeur_client.post(dossier_url(dossier_en_instruction, "instruction:decision", "classer-sans-suite"), {})
    assert "La motivation est obligatoire" in response.content.decode()
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.EN_INSTRUCTION


def test_repasser_en_instruction(instructeur_client, procedure, django_capture_on_commit_callbacks, mailoutbox):
    # given a refused dossier
    dossier = creer_dossier(procedure=procedure, state=S.REFUSE, motivation="Incomplet")
    # when the instructeur reopens it
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(dossier_url(dossier, "instruction:repasser_en_instruction"))
    # then it is en instruction again, the decision cleared, the usager told
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == S.EN_INSTRUCTION
    assert dossier.motivation == ""
    assert "à nouveau en cours d'examen" in mailoutbox[0].subject


def test_decision_page_without_javascript(instructeur_client, dossier_en_instruction):
    # given the dossier page offers the decisions in dialogs, with a link for browsers without JavaScript
    page = instructeur_client.get(dossier_url(dossier_en_instruction)).content.decode()
    decision_url = dossier_url(dossier_en_instruction, "instruction:decision", "refuser")
    assert f'href="{decision_url}"' in page
    assert 'aria-controls="modale-refuser"' in page and 'id="modale-refuser"' in page
    # when the page of the decision is opened
    response = instructeur_client.get(decision_url)
    # then it shows the form with the motivation and the justificatif
    content = response.content.decode()
    assert response.status_code == 200
    assert '<label class="fr-label" for="id_refuser-motivation">Motivation' in content
    assert 'for="id_refuser-justificatif"' in content


def test_decision_page_of_a_dossier_en_construction_redirects(instructeur_client, dossier):
    response = instructeur_client.get(dossier_url(dossier, "instruction:decision", "accepter"), follow=True)
    assert response.redirect_chain[-1][0] == dossier_url(dossier)
    assert "cette décision n&#x27;est pas possible" in response.content.decode()


def test_decision_post_on_a_dossier_en_construction_changes_nothing(instructeur_client, dossier):
    response = instructeur_client.post(
        dossier_url(dossier, "instruction:decision", "refuser"), {"refuser-motivation": ""}, follow=True
    )
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION
    assert "cette décision n&#x27;est pas possible" in response.content.decode()


def test_unknown_decision_is_404(instructeur_client, dossier_en_instruction):
    assert instructeur_client.get(dossier_url(dossier_en_instruction, "instruction:decision", "annuler")).status_code == 404


def test_an_instructeur_removed_from_the_groupe_gets_404_not_a_change(client, instructeur, procedure, dossier_en_instruction):
    # given an instructeur who left the démarche's groupe
    client.force_login(instructeur.user)
    procedure.default_groupe.instructeurs.remove(instructeur)
    # when he tries to accept
    response = client.post(dossier_url(dossier_en_instruction, "instruction:decision", "accepter"), {})
    # then the dossier does not exist for him
    assert response.status_code == 404
    dossier_en_instruction.refresh_from_db()
    assert dossier_en_instruction.state == S.EN_INSTRUCTION


def test_messagerie_of_a_decided_dossier_is_still_reachable(instructeur_client, procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE)
    assert instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).status_code == 200


def test_usager_message_then_answer(instructeur_client, instructeur, dossier, django_capture_on_commit_callbacks, mailoutbox):
    # given a message of the usager
    dossier_services.message_envoyer(dossier=dossier, user=dossier.user, body="Faut-il joindre un devis ?")
    # when the instructeur opens the messagerie
    content = instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    # then he reads it
    assert "Faut-il joindre un devis ?" in content
    assert f"{dossier.user.email} (demandeur)" in content
    # when he answers with an attachment
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            dossier_url(dossier, "instruction:messagerie"),
            {"body": "Oui, le devis signé.", "piece_jointe": pdf("modele.pdf")},
        )
    # then the usager is told by the "nouveau_message" e-mail and the answer is in the thread
    assert response.status_code == 302
    assert _emails("nouveau_message", dossier).count() == 1
    assert [m.to for m in mailoutbox] == [[dossier.user.email]]
    thread = instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    assert "Oui, le devis signé." in thread
    assert f"{instructeur.user.email} (instructeur)" in thread
    commentaire = dossier.commentaires.get(instructeur=instructeur)
    download_url = dossier_url(dossier, "instruction:message_piece_jointe", commentaire.pk)
    assert download_url in thread
    assert b"".join(instructeur_client.get(download_url).streaming_content) == PDF


def test_automatic_emails_are_in_the_thread(instructeur_client, dossier, run_on_commit):
    instructeur_client.post(dossier_url(dossier, "instruction:passer_en_instruction"))
    content = instructeur_client.get(dossier_url(dossier, "instruction:messagerie")).content.decode()
    assert "Email automatique" in content


def test_empty_message_shows_the_error(instructeur_client, dossier):
    response = instructeur_client.post(dossier_url(dossier, "instruction:messagerie"), {"body": "  "})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Votre message est vide" in content
    assert 'id="id_body-messages"' in content
    assert not dossier.commentaires.exists()


def test_message_attachment_is_checked(instructeur_client, dossier):
    response = instructeur_client.post(
        dossier_url(dossier, "instruction:messagerie"),
        {"body": "Voici le document", "piece_jointe": SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")},
    )
    content = response.content.decode()
    assert "n&#x27;est pas accepté" in content
    assert "Voici le document</textarea>" in content
    assert not dossier.commentaires.exists()


def test_opening_the_messagerie_marks_it_read_when_followed(instructeur_client, instructeur, dossier):
    # given a followed dossier
    follow = Follow.objects.create(instructeur=instructeur, dossier=dossier)
    assert follow.messagerie_seen_at is None
    # when the instructeur opens the messagerie
    instructeur_client.get(dossier_url(dossier, "instruction:messagerie"))
    # then the time is remembered
    follow.refresh_from_db()
    assert follow.messagerie_seen_at is not None


def test_new_message_dot_on_the_dashboard(instructeur_client, instructeur, dossier, procedure):
    # given a followed dossier whose messagerie was read, then a new usager message
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    instructeur_client.get(dossier_url(dossier, "instruction:messagerie"))
    dashboard = reverse("instruction:procedure", args=[procedure.pk])
    assert "(nouveau message)" not in instructeur_client.get(dashboard, {"statut": "suivis"}).content.decode()
    dossier_services.message_envoyer(dossier=dossier, user=dossier.user, body="Une précision")
    # then the dashboard flags it until the messagerie is opened again
    assert "(nouveau message)" in instructeur_client.get(dashboard, {"statut": "suivis"}).content.decode()
    instructeur_client.get(dossier_url(dossier, "instruction:messagerie"))
    assert "(nouveau message)" not in instructeur_client.get(dashboard, {"statut": "suivis"}).content.decode()
