"""The usager pages in English (issue 4 §9): messagerie, invitations, corbeille, Mon compte, flash
messages, the widgets of the form and their validation errors. French stays the default and unchanged;
the .po has no untranslated or fuzzy message and the committed .mo matches it."""

import gettext as gettext_module
import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers import services, services_usager
from demarches.dossiers.models import Dossier, Invitation
from tests import factories
from tests.fields.demarches import demarche_creer

S = Dossier.State
LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(response) -> str:
    return html.unescape(response.content.decode())


def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur])


@pytest.fixture
def usager_en(client, usager):
    client.force_login(usager)
    return en(client)


# Messagerie -------------------------------------------------------------------------------------


def test_the_messagerie_in_english(usager_en, usager, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    services.message_envoyer(dossier=dossier, user=usager, body="Hello", piece_jointe=SimpleUploadedFile("plan.pdf", PDF))
    url = reverse("dossiers:messagerie", args=[dossier.pk])
    content = page(usager_en.get(url))
    assert f"<title>Messages of application no. {dossier.pk}" in content
    assert "The messages tab lets you talk with the department examining your application." in content
    assert 'aria-label="Messages of the application"' in content and re.search(r">\s*You\s*<span", content)
    assert re.search(r"on \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d<", content)  # the date and time in English
    assert "Send a message" in content and "Your message *" in content and "Send the message" in content
    assert re.search(r"Optional\. Maximum size allowed: [\d.,]+\s?[KMG]B\. Accepted formats: PDF, images \(JPG, PNG\), office", content)
    for french in ("Envoyer le message", "Votre message", "Pièce jointe", "Facultatif", "Aucun message"):
        assert french not in content
    # a validation error and a flash message, in English
    content = page(usager_en.post(url, {"body": "  "}))
    assert "Your message is empty: write a few words before sending it." in content and "<title>Error: " in content
    content = page(usager_en.post(url, {"body": "A question"}, follow=True))
    assert "Your message has been sent." in content


def test_a_closed_messagerie_in_english(usager_en, usager, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.ACCEPTE)
    url = reverse("dossiers:messagerie", args=[dossier.pk])
    content = page(usager_en.get(url))
    assert "A decision has been made on this application: the messages are closed." in content
    assert "No messages yet." in content
    content = page(usager_en.post(url, {"body": "Still there?"}, follow=True))
    assert "The messages of this application are closed." in content


def test_another_usagers_messagerie_stays_out_of_reach_in_english(usager_en, procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    services.message_envoyer(dossier=dossier, user=dossier.user, body="Confidentiel")
    response = usager_en.get(reverse("dossiers:messagerie", args=[dossier.pk]))
    assert response.status_code == 404 and "Confidentiel" not in page(response)


# Co-editors -------------------------------------------------------------------------------------


def test_the_invitations_in_english(usager_en, usager, procedure, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    url = reverse("dossiers:invitations", args=[dossier.pk])
    content = page(usager_en.get(url))
    assert "<h1>Invite someone to edit this application</h1>" in content
    assert "Only you will be able to submit the application." in content and "Email address *" in content
    assert "Expected format: address@mail.com" in content and "Send an invitation" in content
    assert "Nobody has been invited to this application yet." in content and "Back to the application" in content
    # errors of the form and of the service
    assert "Enter the email address of the person to invite." in page(usager_en.post(url, {"email": ""}))
    assert "This is your own address: you already have access" in page(usager_en.post(url, {"email": usager.email}))
    # the flash message and the list
    content = page(usager_en.post(url, {"email": "coauteur@example.fr"}, follow=True))
    assert "An invitation has been sent to coauteur@example.fr." in content
    assert re.search(r"invited on \d{1,2} [A-Z][a-z]+ \d{4}, invitation valid until", content)
    assert "Withdraw the invitation<span class=\"fr-sr-only\"> of coauteur@example.fr</span>" in content
    assert "coauteur@example.fr is already invited" in page(usager_en.post(url, {"email": "coauteur@example.fr"}))
    invitation = dossier.invitations.get()
    content = page(usager_en.post(reverse("dossiers:invitation_supprimer", args=[dossier.pk, invitation.pk]), follow=True))
    assert "The invitation of coauteur@example.fr has been withdrawn." in content


def test_the_invitee_sees_the_dossier_in_english(client, procedure):
    owner, invitee = factories.UserFactory(), factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    services_usager.invitation_creer(dossier=dossier, user=owner, email=invitee.email)
    client.force_login(invitee)
    content = page(en(client).get(reverse("dossiers:brouillon", args=[dossier.pk])))
    assert f"{owner.email} invited you to edit this application. You can fill in the form and attach documents; only {owner.email} can file it." in content
    assert "1 shared application" in page(client.get(reverse("dossiers:index") + "?statut=invites"))


def test_the_expired_invitation_page_in_english(client, procedure, settings):
    settings.INVITATION_DOSSIER_VALIDITE_JOURS = 30
    owner, invitee = factories.UserFactory(), factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    invitation = services_usager.invitation_creer(dossier=dossier, user=owner, email=invitee.email)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=31))
    client.force_login(invitee)
    response = en(client).get(reverse("dossiers:brouillon", args=[dossier.pk]))
    assert response.status_code == 410
    content = page(response)
    assert "<h1>This invitation has expired</h1>" in content
    assert f"{owner.email} invited you on " in content and f"to edit application no. {dossier.pk}" in content
    assert f"ask {owner.email} to invite you again" in content and "Back to my applications" in content


# Corbeille --------------------------------------------------------------------------------------


def test_the_corbeille_in_english(usager_en, usager, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    url = reverse("dossiers:supprimer", args=[dossier.pk])
    content = page(usager_en.get(url))
    assert f"<h1>Delete application no. {dossier.pk}?</h1>" in content
    assert "This draft will be moved to the bin of “My applications”. You can restore it for" in content
    assert "Cancel" in content and "Delete the application" in content
    content = page(usager_en.post(url, follow=True))
    assert f"Application no. {dossier.pk} has been moved to the bin. You can restore it from the “bin” tab." in content
    content = page(usager_en.get(reverse("dossiers:index") + "?statut=corbeille"))
    assert "Deleted applications stay here until they are erased" in content
    assert f'Restore<span class="fr-sr-only"> application no. {dossier.pk}</span>' in content
    content = page(usager_en.post(reverse("dossiers:restaurer", args=[dossier.pk]), follow=True))
    assert f"Application no. {dossier.pk} has been restored." in content
    # a deposited one: the warning that the administration will no longer see it
    depose = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    content = page(usager_en.get(reverse("dossiers:supprimer", args=[depose.pk])))
    assert "<strong>The administration will no longer see it</strong>" in content


def test_the_corbeille_stays_french_by_default(client, usager, procedure):
    client.force_login(usager)
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    content = page(client.post(reverse("dossiers:supprimer", args=[dossier.pk]), follow=True))
    assert (
        f"Le dossier n° {dossier.pk} a été placé dans la corbeille. Vous pouvez le restaurer depuis l'onglet « corbeille »."
        in content
    )
    content = page(client.get(reverse("dossiers:index") + "?statut=corbeille"))
    assert f'Restaurer<span class="fr-sr-only"> le dossier n° {dossier.pk}</span>' in content
    assert "Les dossiers supprimés restent ici tant qu'ils ne sont pas effacés : les brouillons le sont" in content


# Mon compte -------------------------------------------------------------------------------------


# Résumé and Merci ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dossier_pages_in_english(usager_en, usager, procedure, instructeur, run_on_commit):
    from demarches.dossiers import transitions

    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    transitions.passer_en_construction(dossier=dossier, user=usager)
    merci = page(usager_en.get(reverse("dossiers:merci", args=[dossier.pk])))
    assert f"Thank you! Application no. {dossier.pk} submitted" in merci
    assert f"A confirmation e-mail has just been sent to {usager.email}." in merci
    assert "Your application is “under construction”" in merci and "Un e-mail de confirmation" not in merci
    resume = page(usager_en.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Will expire on" in resume and "months after the application was submitted" in resume
    transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
    resume = page(usager_en.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Your application has been <strong>under review</strong> by the department since" in resume
    assert "You can no longer change it." in resume and "Vous ne pouvez plus" not in resume
    transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Conforme.")
    resume = page(usager_en.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Your application was accepted on" in resume and "Votre dossier a été accepté" not in resume
    assert "months after the decision" in resume


def test_mon_compte_in_english(usager_en, usager, procedure):
    url = reverse("dossiers:profil")
    content = page(usager_en.get(url))
    assert "<h1>My account</h1>" in content
    assert f"You are signed in with the address <strong>{usager.email}</strong>." in content
    for text in ("Change email address", "Change password", "Interface language", "Change language", "Delete my account"):
        assert text in content
    assert "I understand that my account will be deleted" in content
    assert "Tick the box to confirm the deletion of your account." in page(usager_en.post(url, {}))
    # blocked while a dossier is being examined
    factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_INSTRUCTION)
    assert "At least one of your applications is being examined" in page(usager_en.get(url))


def test_deleting_the_account_says_so_in_english(usager_en):
    content = page(usager_en.post(reverse("dossiers:profil"), {"confirmation": "on"}, follow=True))
    assert "Your account has been deleted." in content


# The form's widgets -----------------------------------------------------------------------------


@pytest.fixture
def formulaire(db):
    return demarche_creer(
        [
            ("integer_number", "Nombre de salariés", False, {}),
            ("yes_no", "Déjà aidé", False, {}),
            ("drop_down_list", "Type de demande", True, {"choices": ["Création", "Modification"], "other": True}),
            ("piece_justificative", "Plan", False, {}),
            ("repetition", "Salariés", False, {}),
        ],
        enfants={"Salariés": [("text", "Nom", True, {})]},
    )


def test_the_widgets_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    content = page(usager_en.get(reverse("dossiers:brouillon", args=[dossier.pk])))
    # the repetition block
    assert "Salariés – row 1" in content and "Add an item" in content and "to “Salariés”" in content
    # the pièce justificative
    assert re.search(r"Maximum size: [\d.,]+\s?[KMG]B\. Accepted formats: PDF, images \(JPG, PNG\), office documents", content)
    assert "Several files possible (" in content
    # yes/no and « Autre »
    assert ">Yes</label>" in content and ">No</label>" in content and ">Other</label>" in content
    assert "Specify your answer if you chose “Other”" in content
    for french in ("Ajouter un élément", "Taille maximale", "Précisez votre réponse", ">Oui</label>", ">Autre<"):
        assert french not in content
    # the libellés come from the démarche and stay as the administration wrote them
    assert "Nombre de salariés" in content and "Type de demande" in content


def test_a_second_row_and_a_file_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    bloc = dossier.revision.types_de_champ.get(libelle="Salariés")
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    content = page(usager_en.post(url, {f"{bloc.html_id}-present": "1", bloc.html_id: "1", "repetition-ajouter": str(bloc.stable_id)}, follow=True))
    assert "Salariés – row 2" in content
    assert 'Delete the item<span class="fr-sr-only"> 2 of “Salariés”</span>' in content
    plan = dossier.revision.types_de_champ.get(libelle="Plan")
    piece_url = reverse("dossiers:piece_ajouter", args=[dossier.pk, plan.stable_id])
    content = page(usager_en.post(piece_url, {f"{plan.html_id}-fichier": SimpleUploadedFile("plan.pdf", PDF)}, follow=True))
    assert "File added: “plan.pdf”." in content
    assert 'Delete<span class="fr-sr-only"> the file plan.pdf</span>' in content
    content = page(usager_en.post(piece_url, {f"{plan.html_id}-fichier": SimpleUploadedFile("vide.pdf", b"")}, follow=True))
    assert "Plan: The file “vide.pdf” is empty." in content


def test_validation_errors_in_english(usager_en, usager, formulaire):
    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    nombre = dossier.revision.types_de_champ.get(libelle="Nombre de salariés")
    bloc = dossier.revision.types_de_champ.get(libelle="Salariés")
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    content = page(usager_en.post(url, {nombre.html_id: "douze"}))
    assert "Enter a whole number, without a decimal comma or letters (for example: 42)." in content
    assert "Saisissez un nombre entier" not in content
    # at the deposit: the mandatory champ, and a row of the block with a missing value
    depot = {
        nombre.html_id: "12", f"{bloc.html_id}-present": "1", bloc.html_id: "1",
        f"{dossier.revision.types_de_champ.get(libelle='Déjà aidé').html_id}": "true", "action": "deposer",
    }
    content = page(usager_en.post(url, depot))
    assert "This field is required: it must be filled in." in content
    assert "Your application has 1 field with an error" in content and "Correct it to be able to file your application:" in content
    assert "Type de demande: This field is required" in content
    # the autosave's status line
    content = page(usager_en.post(url, {nombre.html_id: "douze"}, HTTP_HX_REQUEST="true"))
    assert re.search(r"Your draft was saved at \d\d:\d\d\. 1 field contains an error\.", content)
    dossier.refresh_from_db()
    assert dossier.state == S.BROUILLON
    # the same error in French for a French usager
    usager_en.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = page(usager_en.post(url, {nombre.html_id: "douze"}))
    assert "Saisissez un nombre entier, sans virgule ni lettre (par exemple : 42)." in content
    assert "Votre brouillon a été enregistré, mais 1 champ contient une erreur" in content
    content = page(usager_en.post(url, {**depot, nombre.html_id: "12"}))
    assert "Votre dossier contient 1 champ en erreur" in content and "Type de demande : Ce champ est obligatoire" in content


def test_a_row_error_is_translated(usager, formulaire):
    from django.utils import translation

    dossier = factories.dossier_creer(procedure=formulaire, user=usager)
    bloc = dossier.revision.types_de_champ.get(libelle="Salariés")
    services.champs_enregistrer(
        dossier=dossier, user=usager, posted={f"{bloc.html_id}-present": "1", bloc.html_id: "1"}, version=None
    )
    with translation.override("en"):
        messages = {e.type_de_champ.libelle: e.message for e in services.dossier_erreurs(dossier)}
    assert messages["Type de demande"] == "This field is required: it must be filled in."
    with translation.override("fr"):
        messages = {e.type_de_champ.libelle: e.message for e in services.dossier_erreurs(dossier)}
    assert messages["Type de demande"] == "Ce champ est obligatoire : il doit être rempli."


# The catalogue ----------------------------------------------------------------------------------


def _po_entries():
    """(flags, msgid, msgstrs) of each entry of the English .po, header excluded."""
    entries = []
    for block in (LOCALE / "django.po").read_text().strip().split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields, key = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if "msgid" not in fields:  # the header, or an obsolete (#~) entry
            continue
        entries.append((flags, fields))
    return [(flags, fields) for flags, fields in entries if fields["msgid"]]


def test_the_po_has_no_untranslated_or_fuzzy_message():
    entries = _po_entries()
    assert len(entries) > 300
    fuzzy = [fields["msgid"] for flags, fields in entries if "fuzzy" in flags]
    untranslated = [
        fields["msgid"] for flags, fields in entries
        if any(value == "" for key, value in fields.items() if key.startswith("msgstr"))
    ]
    assert fuzzy == [] and untranslated == []


def test_the_committed_mo_matches_the_po():
    with open(LOCALE / "django.mo", "rb") as mo:
        catalogue = gettext_module.GNUTranslations(mo)
    def text(value):
        return value.encode().decode("unicode_escape").encode("latin-1").decode()

    for flags, fields in _po_entries():
        msgid = text(fields["msgid"])
        if "msgid_plural" in fields:
            plural = text(fields["msgid_plural"])
            assert catalogue.ngettext(msgid, plural, 1) == text(fields["msgstr[0]"]), msgid
            assert catalogue.ngettext(msgid, plural, 2) == text(fields["msgstr[1]"]), msgid
        elif "msgctxt" in fields:
            assert catalogue.pgettext(text(fields["msgctxt"]), msgid) == text(fields["msgstr"]), msgid
        else:
            assert catalogue.gettext(msgid) == text(fields["msgstr"]), msgid


# Download links of the dossier page ----------------------------------------------------------------


def test_the_document_links_in_english(
    usager_en, usager, procedure, administrateur, instructeur, django_capture_on_commit_callbacks
):
    from demarches.dossiers import transitions
    from tests.documents.test_attestations import activer

    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    content = page(usager_en.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Your documents" in content
    assert "Download my application (PDF)" in content
    assert "PDF — your answers and the list of your attachments" in content
    assert "Download the submission receipt" in content and "fingerprint of the submitted content" in content
    for french in ("Vos documents", "Télécharger mon dossier", "Télécharger l'accusé de dépôt", "empreinte du contenu"):
        assert french not in content
    assert reverse("documents:accuse_depot", args=[dossier.pk]) in content
    # once accepted, with an attestation
    activer(procedure, administrateur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
        dossier.refresh_from_db()
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    content = page(usager_en.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Download the acceptance certificate" in content and "Télécharger l'attestation" not in content
    # French stays the source text
    usager_en.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = page(usager_en.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Vos documents" in content and "Télécharger l'attestation d'acceptation" in content
