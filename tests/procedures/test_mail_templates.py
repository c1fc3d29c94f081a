"""The six customisable automatic e-mails: editor, preview, reset, and what the usager receives."""

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.core.models import OutgoingEmail
from demarches.dossiers import notifications, transitions
from demarches.dossiers.models import Champ, Commentaire, Dossier
from demarches.procedures import mail_templates, services
from demarches.procedures.models import MailTemplate
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = [t.kind for t in mail_templates.TYPES]


@pytest.fixture
def demarche(administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], libelle="Subvention vélo",
        champs=[("text", "Nom du projet", True), ("yes_no", "Projet collectif", False),
                ("header_section", "Votre situation", False)],
    )
    services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Avis du service", private=True,
    )
    # the annotation is on the draft: publish it so that it is part of the published revision
    return services.procedure_publier(procedure=procedure, administrateur=administrateur, path=procedure.path)


def _champ(dossier, libelle, value):
    tdc = dossier.revision.types_de_champ.get(libelle=libelle)
    Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value)


def _url(procedure, kind=None, name="email_modifier"):
    if kind is None:
        return reverse("procedures:emails", args=[procedure.pk])
    return reverse(f"procedures:{name}", args=[procedure.pk, kind])


# --- Default texts ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_default_subject_is_the_one_sent_without_customisation(demarche, kind):
    subject, body = mail_templates.texte_par_defaut(kind)
    valeurs = {"numéro du dossier": "7", "libellé démarche": demarche.libelle}
    from demarches.procedures.mail_tags import substituer

    assert substituer(subject, valeurs) == notifications.SUBJECTS[kind].format(numero=7, libelle=demarche.libelle)
    # the default body is plain text with known tags only: no template syntax left
    assert "{" not in body and "%" not in body
    assert "--numéro du dossier--" in body and "--lien dossier--" in body
    assert mail_templates.balises_inconnues(demarche, body) == []


def test_default_body_matches_what_the_usager_receives(demarche, usager):
    dossier = factories.dossier_creer(procedure=demarche, user=usager)
    transitions.passer_en_construction(dossier=dossier, user=usager)
    sent = OutgoingEmail.objects.get(kind="accuse_de_reception", dossier_id=dossier.pk)
    _, body = mail_templates.texte_par_defaut("accuse_de_reception")
    dossier.refresh_from_db()
    valeurs = mail_templates.valeurs_du_dossier(dossier)
    # the default template also shows the time of deposit and the organisme; the tags do not
    heure = timezone.localtime(dossier.depose_at).strftime(" à %H:%M")
    from demarches.procedures.mail_tags import substituer

    assert substituer(body, valeurs) == sent.body.replace(heure, "").replace(f" — {demarche.service.organisme}", "")


# --- Editor -------------------------------------------------------------------------------------


def test_list_shows_the_six_emails_with_their_state(admin_client, demarche):
    MailTemplate.objects.create(procedure=demarche, kind="refus", subject="Refus", body="Refusé.")
    html = admin_client.get(_url(demarche)).content.decode()
    for type_email in mail_templates.TYPES:
        assert type_email.label.replace("'", "&#x27;") in html
        assert _url(demarche, type_email.kind) in html
    assert html.count("Personnalisé") == 1 and html.count("Texte par défaut") == 5


def test_edit_page_starts_from_the_default_text_and_lists_every_tag(admin_client, demarche):
    html = admin_client.get(_url(demarche, "acceptation")).content.decode()
    subject, body = mail_templates.texte_par_defaut("acceptation")
    assert "Bonne nouvelle : votre dossier n° --numéro du dossier--" in html
    assert f'value="{subject}"' in html.replace("&#x27;", "'")
    for tag in ("--numéro du dossier--", "--libellé démarche--", "--date de dépôt--", "--date de décision--",
                "--motivation--", "--lien dossier--", "--nom du service--", "--nom--", "--prénom--",
                "--Nom du projet--", "--Projet collectif--", "--Avis du service--"):
        assert f"<code>{tag}</code>" in html, tag
    # layout champs have no value: no tag
    assert "--Votre situation--" not in html
    # preview of the default text with the sample dossier
    assert "Aperçu avec un dossier d'exemple" in html
    assert "Bonne nouvelle : votre dossier n° 123456" in html
    assert "Rétablir le texte par défaut" not in html


def test_save_custom_text(admin_client, demarche, administrateur):
    response = admin_client.post(_url(demarche, "accuse_de_reception"), {
        "subject": "Dossier --numéro du dossier-- reçu", "body": "Bonjour --prénom--,\nprojet : --Nom du projet--.",
    })
    assert response.status_code == 302 and response["Location"] == _url(demarche)
    template = MailTemplate.objects.get(procedure=demarche, kind="accuse_de_reception")
    assert template.subject == "Dossier --numéro du dossier-- reçu"
    html = admin_client.get(_url(demarche, "accuse_de_reception")).content.decode()
    assert "projet : --Nom du projet--." in html
    assert "projet : [Nom du projet]." in html  # preview
    assert "Rétablir le texte par défaut" in html


def test_unknown_tags_are_reported_next_to_the_field_and_nothing_is_saved(admin_client, demarche):
    response = admin_client.post(_url(demarche, "refus"), {
        "subject": "Refus --numéro du dosier--", "body": "Motif : --motivation-- --budget--",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "La balise --numéro du dosier-- n&#x27;existe pas pour cette démarche." in html
    assert "La balise --budget-- n&#x27;existe pas pour cette démarche." in html
    assert 'id="id_body-messages"' in html and 'aria-describedby="id_body_helptext id_body-messages"' in html
    assert 'aria-invalid="true"' in html
    assert not MailTemplate.objects.exists()


def test_preview_uses_the_posted_text_without_saving(admin_client, demarche):
    response = admin_client.post(_url(demarche, "refus"), {
        "subject": "Refus n° --numéro du dossier--", "body": "<b>--demandeur--</b> : --motivation--", "apercu": "1",
    })
    html = response.content.decode()
    assert "Objet : Refus n° 123456" in html
    assert "&lt;b&gt;Camille Exemple&lt;/b&gt; : La motivation saisie" in html
    assert not MailTemplate.objects.exists()


def _apercu(admin_client, demarche, numero):
    return admin_client.post(_url(demarche, "refus"), {
        "subject": "Refus n° --numéro du dossier--", "body": "Projet : --Nom du projet-- de --demandeur--",
        "dossier_apercu": str(numero), "apercu": "1",
    }).content.decode()


def test_preview_with_a_test_dossier_of_the_demarche(admin_client, demarche, usager):
    dossier = factories.dossier_creer(
        procedure=demarche, user=usager, nom="Martin", prenom="Claire", for_procedure_preview=True
    )
    _champ(dossier, "Nom du projet", "Vélo cargo")
    html = _apercu(admin_client, demarche, dossier.pk)
    assert f"Aperçu avec le dossier n° {dossier.pk}" in html
    assert f"Objet : Refus n° {dossier.pk}" in html and "Projet : Vélo cargo de Claire Martin" in html
    assert not MailTemplate.objects.exists()


def test_preview_with_a_dossier_he_instructs(admin_client, demarche, administrateur, usager):
    dossier = factories.dossier_creer(procedure=demarche, user=usager, state=Dossier.State.EN_CONSTRUCTION, prenom="Paul")
    _champ(dossier, "Nom du projet", "Atelier")
    refused = _apercu(admin_client, demarche, dossier.pk)
    assert f"Aucun dossier n° {dossier.pk} de cette démarche n&#x27;est un dossier de test" in refused
    assert "Atelier" not in refused and "Aperçu avec" not in refused
    demarche.default_groupe.instructeurs.add(factories.InstructeurFactory(user=administrateur.user))
    assert "Projet : Atelier de Paul Martin" in _apercu(admin_client, demarche, dossier.pk)


def test_preview_never_reads_a_dossier_of_another_demarche(admin_client, demarche, administrateur):
    other = factories.procedure_creer(administrateur=administrateur, publier=False)
    dossier = factories.dossier_creer(procedure=other, for_procedure_preview=True, prenom="Zoé")
    html = _apercu(admin_client, demarche, dossier.pk)
    assert "n&#x27;est un dossier de test ou un dossier que vous instruisez." in html and "Zoé" not in html


def test_empty_fields_are_refused(admin_client, demarche):
    html = admin_client.post(_url(demarche, "refus"), {"subject": "", "body": ""}).content.decode()
    assert "Indiquez l&#x27;objet de l&#x27;e-mail." in html and "Rédigez le corps de l&#x27;e-mail." in html


def test_reset_to_the_default_text(admin_client, demarche):
    MailTemplate.objects.create(procedure=demarche, kind="refus", subject="Refus", body="Refusé.")
    response = admin_client.post(_url(demarche, "refus", "email_retablir"))
    assert response.status_code == 302
    assert not MailTemplate.objects.exists()
    html = admin_client.get(_url(demarche, "refus")).content.decode()
    assert "Nous sommes au regret de vous informer" in html


def test_unknown_kind_is_404(admin_client, demarche):
    assert admin_client.get(_url(demarche, "brouillon_cree")).status_code == 404
    assert admin_client.post(_url(demarche, "inconnu", "email_retablir")).status_code == 404


def test_a_champ_added_to_the_draft_gives_a_tag_before_its_publication(demarche, administrateur):
    services.type_de_champ_ajouter(procedure=demarche, administrateur=administrateur, type_champ="text", libelle="Montant")
    assert "--Montant--" in [b.tag for b in mail_templates.balises_disponibles(demarche)]


# --- What the usager receives -------------------------------------------------------------------


def _dossier_rempli(demarche, usager):
    dossier = factories.dossier_creer(procedure=demarche, user=usager, nom="Martin", prenom="Claire")
    _champ(dossier, "Nom du projet", "Vélo cargo")
    _champ(dossier, "Projet collectif", "true")
    _champ(dossier, "Avis du service", "Favorable")
    return dossier


def test_every_tag_in_the_accuse_de_reception(demarche, usager, administrateur):
    body = "\n".join(f"{b.name}={b.tag}" for b in mail_templates.balises_disponibles(demarche))
    services.mail_template_enregistrer(
        procedure=demarche, administrateur=administrateur, kind="accuse_de_reception",
        subject="Reçu : --numéro du dossier-- (--libellé démarche--)", body=body,
    )
    dossier = _dossier_rempli(demarche, usager)
    transitions.passer_en_construction(dossier=dossier, user=usager)
    dossier.refresh_from_db()
    email = OutgoingEmail.objects.get(kind="accuse_de_reception", dossier_id=dossier.pk)
    assert email.subject == f"Reçu : {dossier.pk} (Subvention vélo)"
    lines = dict(line.split("=", 1) for line in email.body.splitlines())
    depot = timezone.localtime(dossier.depose_at)
    assert lines == {
        "numéro du dossier": str(dossier.pk),
        "libellé démarche": "Subvention vélo",
        "date de dépôt": f"{depot.day} {['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][depot.month - 1]} {depot.year}",
        "date de passage en instruction": "",
        "date de décision": "",
        "motivation": "",
        "lien dossier": lines["lien dossier"],
        "lien messagerie": lines["lien messagerie"],
        "lien attestation": "",  # no attestation for a deposit
        "nom du service": demarche.service.nom,
        "demandeur": "Claire Martin",
        "civilité": "Mme",
        "nom": "Martin",
        "prénom": "Claire",
        "Nom du projet": "Vélo cargo",
        "Projet collectif": "Oui",
        "Avis du service": "Favorable",
    }
    assert lines["lien dossier"].endswith(reverse("dossiers:show", args=[dossier.pk]))
    assert lines["lien messagerie"].endswith(reverse("dossiers:messagerie", args=[dossier.pk]))
    # the copy in the messagerie is the custom text
    copy = Commentaire.objects.get(dossier=dossier, is_automatic=True)
    assert copy.body == email.body


@pytest.mark.parametrize("kind,transition", [
    ("passage_en_instruction", "passer_en_instruction"),
    ("acceptation", "accepter"),
    ("refus", "refuser"),
    ("sans_suite", "classer_sans_suite"),
    ("reexamen", "repasser_en_instruction"),
])
def test_each_decision_email_uses_the_custom_text(demarche, usager, instructeur, administrateur, kind, transition,
                                                 django_capture_on_commit_callbacks, mailoutbox):
    services.mail_template_enregistrer(
        procedure=demarche, administrateur=administrateur, kind=kind,
        subject="Dossier --numéro du dossier--", body="Décision du --date de décision-- : --motivation-- (--Avis du service--)",
    )
    dossier = _dossier_rempli(demarche, usager)
    state = Dossier.State.EN_CONSTRUCTION if kind == "passage_en_instruction" else Dossier.State.EN_INSTRUCTION
    if kind == "reexamen":
        state = Dossier.State.REFUSE
    Dossier.objects.filter(pk=dossier.pk).update(state=state, motivation="Pièce manquante" if kind == "reexamen" else "")
    dossier.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        if transition in ("passer_en_instruction", "accepter", "repasser_en_instruction"):
            getattr(transitions, transition)(dossier=dossier, instructeur=instructeur)
        else:
            getattr(transitions, transition)(dossier=dossier, instructeur=instructeur, motivation="Hors délai")
    email = OutgoingEmail.objects.get(kind=kind, dossier_id=dossier.pk)
    assert email.subject == f"Dossier {dossier.pk}"
    assert email.body.startswith("Décision du ") and email.body.endswith("(Favorable)")
    if kind in ("refus", "sans_suite"):
        assert ": Hors délai (" in email.body
    assert Commentaire.objects.filter(dossier=dossier, is_automatic=True, body=email.body).exists()
    assert [m.subject for m in mailoutbox if m.to == [usager.email]] == [f"Dossier {dossier.pk}"]


@pytest.mark.parametrize("activated", [True, False])
def test_the_attestation_link_tag_of_the_acceptance_email(demarche, usager, instructeur, administrateur, activated,
                                                         django_capture_on_commit_callbacks):
    from demarches.documents.models import AttestationTemplate

    AttestationTemplate.objects.create(procedure=demarche, kind="acceptation", activated=activated, title="A", body="B")
    services.mail_template_enregistrer(
        procedure=demarche, administrateur=administrateur, kind="acceptation",
        subject="Dossier --numéro du dossier--", body="Attestation : [--lien attestation--]",
    )
    dossier = _dossier_rempli(demarche, usager)
    Dossier.objects.filter(pk=dossier.pk).update(state=Dossier.State.EN_INSTRUCTION)
    dossier.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    body = OutgoingEmail.objects.get(kind="acceptation", dossier_id=dossier.pk).body
    lien = body.split("[")[1].rstrip("]")
    if activated:
        assert lien.endswith(reverse("documents:attestation", args=[dossier.pk])) and lien.startswith("http")
    else:
        assert body == "Attestation : []"


def test_the_attestation_link_tag_is_listed_and_previewed(admin_client, demarche):
    html = admin_client.get(_url(demarche, "acceptation")).content.decode()
    assert "--lien attestation--" in html
    response = admin_client.post(
        _url(demarche, "acceptation"),
        {"subject": "Objet", "body": "Lien : --lien attestation--", "apercu": "1"},
    )
    assert reverse("documents:attestation", args=[123456]) in response.content.decode()


def test_other_demarches_keep_the_default_text(demarche, usager, administrateur):
    services.mail_template_enregistrer(
        procedure=demarche, administrateur=administrateur, kind="accuse_de_reception", subject="Perso", body="Perso",
    )
    other = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    dossier = factories.dossier_creer(procedure=other, user=usager)
    transitions.passer_en_construction(dossier=dossier, user=usager)
    email = OutgoingEmail.objects.get(kind="accuse_de_reception", dossier_id=dossier.pk)
    assert email.subject.startswith(f"Votre dossier n° {dossier.pk} a bien été déposé")


def test_service_refuses_unknown_tags(demarche, administrateur):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.mail_template_enregistrer(
            procedure=demarche, administrateur=administrateur, kind="refus", subject="ok", body="--inconnue--",
        )
    assert error.value.message_dict == {"body": [
        "La balise --inconnue-- n'existe pas pour cette démarche. Copiez une balise de la liste des balises disponibles."
    ]}


def test_a_default_template_with_other_apps_tags_still_gives_a_tag_text(monkeypatch):
    from django.template import engines

    template = engines["django"].from_string("x")
    template.template.source = (
        "Dossier {{ dossier.pk }}{% load static %}{% get_static_prefix as prefix %}{% if prefix %} ({{ prefix }}){% endif %}."
    )
    monkeypatch.setattr(mail_templates, "get_template", lambda name: template)
    assert mail_templates.texte_par_defaut("refus")[1] == "Dossier --numéro du dossier--."
    # a template that cannot be rendered at all: a plain text with tags
    template.template.source = "{% if %}"
    body = mail_templates.texte_par_defaut("refus")[1]
    assert body.startswith("Bonjour,\n\nVotre dossier n° --numéro du dossier-- a été refusé")
    assert "--lien dossier--" in body
