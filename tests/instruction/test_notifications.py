"""« Gestion des notifications »: instant e-mails an instructeur may turn off, the daily digest and the weekly summary."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers import services as dossier_services
from demarches.dossiers import transitions
from demarches.dossiers.models import Commentaire, Dossier, Follow
from demarches.instruction import notifications, services
from demarches.instruction.models import PreferencesNotification
from tests import factories

from .conftest import creer_dossier

S = Dossier.State
pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(datetime(2026, 11, 23, 9, 0))


def test_defaults_instant_emails_on_and_weekly_summary_only(instructeur, procedure):
    prefs = notifications.preferences(instructeur, procedure)
    assert (prefs.email_nouveau_dossier, prefs.email_message, prefs.email_avis) == (True, True, True)
    assert (prefs.recapitulatif_quotidien, prefs.recapitulatif_hebdomadaire) == (False, True)


def test_page_saves_the_choices_of_this_instructeur_on_this_demarche(client, instructeur, procedure):
    url = reverse("instruction:notifications", args=[procedure.pk])
    client.force_login(instructeur.user)
    page = client.get(url).content.decode()
    assert "Gestion des notifications" in page and "checked" in page

    response = client.post(url, {"email_message": "on", "recapitulatif_quotidien": "on"})

    assert response.status_code == 302
    prefs = PreferencesNotification.objects.get(instructeur=instructeur, procedure=procedure)
    assert (prefs.email_nouveau_dossier, prefs.email_message, prefs.email_avis) == (False, True, False)
    assert (prefs.recapitulatif_quotidien, prefs.recapitulatif_hebdomadaire) == (True, False)


def test_page_only_for_instructeurs_of_the_demarche(client, procedure):
    url = reverse("instruction:notifications", args=[procedure.pk])
    client.force_login(factories.InstructeurFactory().user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"email_message": "on"}).status_code == 404
    assert not PreferencesNotification.objects.exists()


def test_new_dossier_email_respects_the_choice(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    colleague = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(colleague)
    notifications.preferences_enregistrer(instructeur=colleague, procedure=procedure, email_nouveau_dossier=False)
    dossier = factories.dossier_creer(procedure=procedure, state=S.BROUILLON)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.passer_en_construction(dossier=dossier, user=dossier.user)

    recipients = [m.to[0] for m in mailoutbox if m.subject.startswith("Nouveau dossier déposé")]
    assert recipients == [instructeur.user.email]


def test_message_email_respects_the_choice(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    notifications.preferences_enregistrer(instructeur=instructeur, procedure=procedure, email_message=False)

    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.message_envoyer(dossier=dossier, user=dossier.user, body="Bonjour")

    assert not [m for m in mailoutbox if "Nouveau message de l'usager" in m.subject]


def test_avis_email_respects_the_choice(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    avis = services.avis_demander(dossier=dossier, instructeur=instructeur, expert_email="e@exemple.fr", introduction="?")
    notifications.preferences_enregistrer(instructeur=instructeur, procedure=procedure, email_avis=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.avis_donner(avis=avis, expert=avis.expert, answer="Favorable")

    assert not [m for m in mailoutbox if m.subject.startswith("Un avis a été donné")]


def test_daily_digest_lists_the_activity_since_friday_on_monday(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    notifications.preferences_enregistrer(instructeur=instructeur, procedure=procedure, recapitulatif_quotidien=True)
    creer_dossier(procedure=procedure, state=S.EN_CONSTRUCTION, depose_at=MONDAY - timedelta(days=2))  # Saturday
    creer_dossier(procedure=procedure, state=S.EN_CONSTRUCTION, depose_at=MONDAY - timedelta(days=5))  # too old
    suivi = creer_dossier(procedure=procedure, state=S.EN_INSTRUCTION, depose_at=MONDAY - timedelta(days=10))
    Follow.objects.create(instructeur=instructeur, dossier=suivi)
    message = Commentaire.objects.create(dossier=suivi, email=suivi.user.email, body="Question")
    Commentaire.objects.filter(pk=message.pk).update(created_at=MONDAY - timedelta(hours=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.recapitulatifs_quotidiens_envoyer(now=MONDAY) == 1

    body = mailoutbox[0].body
    assert mailoutbox[0].to == [instructeur.user.email]
    assert "- 1 nouveau dossier déposé" in body and "- 1 nouveau message d'usager" in body
    assert procedure.libelle in body and reverse("instruction:procedure", args=[procedure.pk]) in body


def test_nothing_to_say_no_digest(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    notifications.preferences_enregistrer(instructeur=instructeur, procedure=procedure, recapitulatif_quotidien=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.recapitulatifs_quotidiens_envoyer(now=MONDAY) == 0
        assert notifications.bilans_hebdomadaires_envoyer(now=MONDAY) == 0
    assert mailoutbox == []


def test_weekly_summary_by_default_unless_turned_off(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    creer_dossier(procedure=procedure, state=S.ACCEPTE, depose_at=MONDAY - timedelta(days=3), processed_at=MONDAY - timedelta(days=1))
    outsider = factories.InstructeurFactory()  # instructs nothing: nothing sent

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.bilans_hebdomadaires_envoyer(now=MONDAY) == 1
    assert mailoutbox[0].to == [instructeur.user.email] and outsider.user.email not in mailoutbox[0].to
    assert "- 1 dossier déposé" in mailoutbox[0].body and "- 1 dossier accepté" in mailoutbox[0].body

    notifications.preferences_enregistrer(instructeur=instructeur, procedure=procedure, recapitulatif_hebdomadaire=False)
    assert notifications.bilans_hebdomadaires_envoyer(now=MONDAY) == 0


def test_digest_only_counts_the_groups_of_the_instructeur(procedure, instructeur, mailoutbox, django_capture_on_commit_callbacks):
    from demarches.procedures.models import GroupeInstructeur

    autre_groupe = GroupeInstructeur.objects.create(procedure=procedure, label="Sud")
    dossier = creer_dossier(procedure=procedure, state=S.EN_CONSTRUCTION, depose_at=MONDAY - timedelta(hours=2))
    dossier.groupe_instructeur = autre_groupe
    dossier.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.bilans_hebdomadaires_envoyer(now=MONDAY) == 0


@pytest.mark.e2e
def test_notifications_page_in_the_browser(page, live_url, check_page, transactional_db):
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(administrateur=factories.AdministrateurFactory(), instructeurs=[instructeur])
    page.goto(live_url + "/comptes/login/")
    page.locator("#id_login").fill(instructeur.user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_load_state()
    page.goto(live_url + reverse("instruction:procedure", args=[procedure.pk]))
    page.get_by_role("link", name="Gestion des notifications").click()
    page.get_by_role("heading", level=1, name="Gestion des notifications").wait_for()
    check_page("notifications")
    page.locator("label[for=id_recapitulatif_quotidien]").click()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Vos préférences de notification sont enregistrées.").wait_for()
    check_page("notifications-enregistrees")
    assert PreferencesNotification.objects.get(instructeur=instructeur).recapitulatif_quotidien
