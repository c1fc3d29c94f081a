"""Avis externes: several experts at once, new accounts, yes/no question, attachments, confidentiality, remind, revoke."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from demarches.accounts.models import User
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Dossier
from demarches.instruction import selectors, services
from demarches.instruction.models import Avis
from tests import factories
from tests.instruction.conftest import dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="note.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def demander(dossier, instructeur, emails, **options):
    return services.avis_demander_plusieurs(
        dossier=dossier, instructeur=instructeur, expert_emails=emails, introduction="Votre avis ?", **options
    )


def test_several_experts_including_someone_without_an_account(dossier, instructeur, mailoutbox, run_on_commit):
    known = factories.UserFactory(email="connu@exemple.fr")

    avis_list = demander(dossier, instructeur, ["connu@exemple.fr", "Nouvelle@Exemple.fr", "connu@exemple.fr"])
    run_on_commit.clear() if hasattr(run_on_commit, "clear") else None

    assert [a.expert.user.email for a in avis_list] == ["connu@exemple.fr", "nouvelle@exemple.fr"]
    nouvelle = User.objects.get(email="nouvelle@exemple.fr")
    assert not nouvelle.has_usable_password()
    assert avis_list[0].expert.user == known


def test_the_new_expert_chooses_a_password_from_the_invitation(dossier, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (avis,) = demander(dossier, instructeur, ["nouvelle@exemple.fr"])

    body = mailoutbox[0].body
    assert "Choisissez d'abord votre mot de passe" in body
    reset_path = re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+/password/reset/key/\S+", body).group(0))
    client = Client()
    form_page = client.get(reset_path, follow=True)
    assert form_page.status_code == 200
    client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path,
                {"password1": "Jardin-Tulipe-Orage-58", "password2": "Jardin-Tulipe-Orage-58"})
    assert User.objects.get(email="nouvelle@exemple.fr").check_password("Jardin-Tulipe-Orage-58")

    assert client.post(reverse("account_login"), {"login": "nouvelle@exemple.fr", "password": "Jardin-Tulipe-Orage-58"}).status_code == 302
    assert client.get(reverse("instruction:avis_detail", args=[avis.pk])).status_code == 200


def test_question_must_be_answered_yes_or_no(dossier, instructeur):
    (avis,) = demander(dossier, instructeur, ["expert@exemple.fr"], question_label="Le projet est-il conforme ?")

    with pytest.raises(ValidationError) as error:
        services.avis_donner(avis=avis, expert=avis.expert, answer="Voir ma note.")
    assert "oui ou par non" in error.value.message_dict["question_answer"][0]

    services.avis_donner(avis=avis, expert=avis.expert, answer="Voir ma note.", question_answer=False, piece_justificative=pdf())
    avis.refresh_from_db()
    assert avis.question_answer is False and avis.piece_justificative.name.endswith(".pdf")


def test_confidential_avis_never_reach_the_other_experts(dossier, instructeur):
    (ouvert,) = demander(dossier, instructeur, ["a@exemple.fr"])
    (secret,) = demander(dossier, instructeur, ["b@exemple.fr"], confidentiel=True)
    (troisieme,) = demander(dossier, instructeur, ["c@exemple.fr"])
    services.avis_donner(avis=ouvert, expert=ouvert.expert, answer="Favorable")
    services.avis_donner(avis=secret, expert=secret.expert, answer="Réservé, entre nous")

    assert list(selectors.avis_partages(troisieme)) == [ouvert]
    assert list(selectors.avis_partages(ouvert)) == []

    client = Client()
    client.force_login(troisieme.expert.user)
    page = client.get(reverse("instruction:avis_detail", args=[troisieme.pk])).content.decode()
    assert "Favorable" in page and "Réservé, entre nous" not in page
    # nor can he download the documents of the confidential avis
    assert client.get(reverse("instruction:avis_fichier_expert", args=[troisieme.pk, secret.pk, "reponse"])).status_code == 404


def test_remind_once_a_day_then_revoke(dossier, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    (avis,) = demander(dossier, instructeur, ["expert@exemple.fr"])
    client = Client()
    client.force_login(instructeur.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("instruction:avis_relancer", args=[dossier.procedure_id, dossier.pk, avis.pk]))
        client.post(reverse("instruction:avis_relancer", args=[dossier.procedure_id, dossier.pk, avis.pk]))
    reminders = [m for m in mailoutbox if m.subject.startswith("Relance")]
    assert len(reminders) == 1
    assert OperationLog.objects.filter(operation=services.AVIS_RELANCER).count() == 1

    client.post(reverse("instruction:avis_revoquer", args=[dossier.procedure_id, dossier.pk, avis.pk]))
    avis.refresh_from_db()
    assert avis.is_revoked

    # The expert no longer reaches the dossier, nor can answer
    expert = Client()
    expert.force_login(avis.expert.user)
    assert expert.get(reverse("instruction:avis_detail", args=[avis.pk])).status_code == 404
    assert selectors.avis_compteurs(avis.expert) == {"a-donner": 0, "donnes": 0}
    with pytest.raises(PermissionDenied):
        services.avis_donner(avis=avis, expert=avis.expert, answer="Trop tard")
    # And a revoked avis can be neither reminded nor revoked again
    with pytest.raises(ValidationError):
        services.avis_relancer(avis=avis, instructeur=instructeur)


def test_remind_and_revoke_need_to_instruct_the_dossier(dossier, instructeur):
    (avis,) = demander(dossier, instructeur, ["expert@exemple.fr"])
    outsider = factories.InstructeurFactory()
    client = Client()
    client.force_login(outsider.user)
    assert client.post(reverse("instruction:avis_revoquer", args=[dossier.procedure_id, dossier.pk, avis.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.avis_revoquer(avis=avis, instructeur=outsider)
    avis.refresh_from_db()
    assert avis.is_pending


def test_instructeur_form_with_all_options(dossier, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(instructeur.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            dossier_url(dossier, "instruction:demander_avis"),
            {
                "expert_email": "a@exemple.fr, b@exemple.fr\nc@exemple.fr",
                "introduction": "Merci de regarder le plan de financement.",
                "question_label": "Le financement est-il assuré ?",
                "confidentiel": "on",
                "introduction_file": pdf("plan.pdf"),
            },
        )
    assert response.status_code == 302
    avis_list = list(Avis.objects.order_by("id"))
    assert len(avis_list) == 3 and all(a.confidentiel and a.question_label for a in avis_list)
    assert len(mailoutbox) == 3 and "Le financement est-il assuré ?" in mailoutbox[0].body

    page = client.get(dossier_url(dossier)).content.decode()
    assert "confidentiel" in page and "Relancer" in page and "Révoquer l'avis" in page
    download = client.get(reverse("instruction:avis_fichier", args=[dossier.procedure_id, dossier.pk, avis_list[0].pk, "demande"]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    # The expert downloads the document of the request
    expert = Client()
    expert.force_login(avis_list[0].expert.user)
    url = reverse("instruction:avis_fichier_expert", args=[avis_list[0].pk, avis_list[0].pk, "demande"])
    assert expert.get(url).status_code == 200


@pytest.mark.parametrize(
    "emails, message",
    [
        ("pas-une-adresse, b@exemple.fr", "Adresse invalide : pas-une-adresse"),
        (",".join(f"e{i}@exemple.fr" for i in range(11)), "au plus 10 experts"),
    ],
)
def test_instructeur_form_errors_next_to_the_field(dossier, instructeur, emails, message):
    client = Client()
    client.force_login(instructeur.user)
    response = client.post(dossier_url(dossier, "instruction:demander_avis"), {"expert_email": emails, "introduction": "?"})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert not Avis.objects.exists()


def test_oversized_or_forbidden_attachment_is_refused(dossier, instructeur):
    client = Client()
    client.force_login(instructeur.user)
    response = client.post(
        dossier_url(dossier, "instruction:demander_avis"),
        {"expert_email": "a@exemple.fr", "introduction": "?", "introduction_file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/x-msdownload")},
    )
    assert response.status_code == 200 and not Avis.objects.exists()
    assert "fr-upload-group--error" in response.content.decode()


def test_expert_answers_with_yes_no_and_a_document_through_the_page(dossier, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    (avis,) = demander(dossier, instructeur, ["expert@exemple.fr"], question_label="Conforme ?")
    expert = Client()
    expert.force_login(avis.expert.user)
    url = reverse("instruction:avis_detail", args=[avis.pk])

    page = expert.post(url, {"answer": "Voir la note"}).content.decode()
    assert "Répondez à la question par oui ou par non." in page

    with django_capture_on_commit_callbacks(execute=True):
        assert expert.post(url, {"answer": "Voir la note", "question_answer": "oui", "piece_justificative": pdf()}).status_code == 302
    avis.refresh_from_db()
    assert avis.question_answer is True and avis.piece_justificative
    assert any("Un avis a été donné" in m.subject for m in mailoutbox)

    instructeur_client = Client()
    instructeur_client.force_login(instructeur.user)
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert "Réponse : oui" in page and "Document joint à l'avis" in page


def test_expert_lists_per_demarche(dossier, instructeur, procedure):
    other_procedure = factories.procedure_creer(administrateur=factories.AdministrateurFactory(), instructeurs=[instructeur])
    other_dossier = factories.dossier_creer(procedure=other_procedure, state=S.EN_INSTRUCTION)
    (a,) = demander(dossier, instructeur, ["expert@exemple.fr"])
    demander(other_dossier, instructeur, ["expert@exemple.fr"])
    client = Client()
    client.force_login(a.expert.user)

    everything = client.get(reverse("instruction:avis")).content.decode()
    assert "Par démarche" in everything
    only_one = client.get(reverse("instruction:avis") + f"?procedure={procedure.pk}")
    assert [avis.dossier_id for avis in only_one.context["page"]] == [dossier.pk]


@pytest.mark.e2e
def test_expert_answers_the_question_in_the_browser(page, live_url, check_page, transactional_db):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(administrateur=factories.AdministrateurFactory(), instructeurs=[instructeur])
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    (avis,) = demander(dossier, instructeur, ["expert@exemple.fr"], question_label="Le lieu convient-il ?")
    (autre,) = demander(dossier, instructeur, ["autre@exemple.fr"])
    services.avis_donner(avis=autre, expert=autre.expert, answer="Favorable, sans réserve.")
    avis.expert.user.set_password(factories.PASSWORD)
    avis.expert.user.save()

    page.goto(live_url + "/comptes/login/")
    page.locator("#id_login").fill("expert@exemple.fr")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state()
    page.goto(live_url + reverse("instruction:avis_detail", args=[avis.pk]))
    assert "Favorable, sans réserve." in page.content()
    check_page("avis-a-donner")

    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_text("Répondez à la question par oui ou par non.").wait_for()
    check_page("avis-erreur")
    page.locator("label[for=id_question_answer_0]").click()
    page.locator("#id_answer").fill("Le lieu convient.")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_text("Votre avis a été transmis").wait_for()
    check_page("avis-donne")
    avis.refresh_from_db()
    assert avis.question_answer is True
