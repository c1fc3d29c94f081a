"""E-mails of the dossier's life. Each usager e-mail is also copied into the messagerie."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from demarches.core.emails import email_envoyer
from demarches.procedures import mail_templates

from .models import Commentaire, Dossier

SUBJECTS = {
    "brouillon_cree": "Retrouvez votre brouillon pour la démarche « {libelle} »",
    "accuse_de_reception": "Votre dossier n° {numero} a bien été déposé ({libelle})",
    "passage_en_instruction": "Votre dossier n° {numero} va être examiné ({libelle})",
    "acceptation": "Votre dossier n° {numero} a été accepté ({libelle})",
    "refus": "Votre dossier n° {numero} a été refusé ({libelle})",
    "sans_suite": "Votre dossier n° {numero} a été classé sans suite ({libelle})",
    "reexamen": "Votre dossier n° {numero} est à nouveau en cours d'examen ({libelle})",
    "nouveau_message": "Nouveau message concernant votre dossier n° {numero}",
    "nouveau_dossier": "Nouveau dossier déposé sur la démarche « {libelle} »",
    "nouveau_message_instructeur": "Nouveau message de l'usager sur le dossier n° {numero}",
}
DECISION_KINDS = {Dossier.State.ACCEPTE: "acceptation", Dossier.State.REFUSE: "refus", Dossier.State.SANS_SUITE: "sans_suite"}


def _instructeurs_voulus(instructeur_ids, procedure_id: int, preference: str) -> set[int]:
    """The instructeurs who accept this instant e-mail: the instruction app keeps their « gestion des
    notifications » and plugs its filter in through INSTRUCTEURS_NOTIFICATIONS_FILTRE (dossiers does not import it)."""
    dotted = getattr(settings, "INSTRUCTEURS_NOTIFICATIONS_FILTRE", "")
    return import_string(dotted)(instructeur_ids, procedure_id, preference) if dotted else set(instructeur_ids)


def _context(dossier: Dossier) -> dict:
    return {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "service": dossier.procedure.service,
        "dossier_url": settings.SITE_URL + reverse("dossiers:show", args=[dossier.pk]),
        "brouillon_url": settings.SITE_URL + reverse("dossiers:brouillon", args=[dossier.pk]),
        "messagerie_url": settings.SITE_URL + reverse("dossiers:messagerie", args=[dossier.pk]),
    }


def _to_usager(dossier: Dossier, kind: str, *, copy_to_messagerie: bool = True, extra: dict | None = None):
    # The démarche's own text (procedures.MailTemplate, tags replaced) wins over the default one.
    custom = mail_templates.mail_personnalise(dossier, kind)
    subject = custom[0] if custom else SUBJECTS[kind].format(numero=dossier.pk, libelle=dossier.procedure.libelle)
    email = email_envoyer(
        to=dossier.user.email,
        subject=subject,
        template="procedures/emails/personnalise" if custom else f"dossiers/emails/{kind}",
        context={"corps": custom[1]} if custom else {**_context(dossier), **(extra or {})},
        kind=kind,
        dossier_id=dossier.pk,
    )
    if copy_to_messagerie:
        Commentaire.objects.create(dossier=dossier, email=settings.DEFAULT_FROM_EMAIL, body=email.body, is_automatic=True)
    return email


def brouillon_cree(dossier: Dossier):
    _to_usager(dossier, "brouillon_cree", copy_to_messagerie=False)


def accuse_de_reception(dossier: Dossier):
    _to_usager(dossier, "accuse_de_reception")


def passage_en_instruction(dossier: Dossier):
    _to_usager(dossier, "passage_en_instruction")


def decision(dossier: Dossier):
    _to_usager(dossier, DECISION_KINDS[dossier.state])


def reexamen(dossier: Dossier):
    _to_usager(dossier, "reexamen")


def nouveau_message_a_l_usager(dossier: Dossier, commentaire):
    _to_usager(dossier, "nouveau_message", copy_to_messagerie=False, extra={"commentaire": commentaire})


def nouveau_dossier_aux_instructeurs(dossier: Dossier):
    if dossier.groupe_instructeur is None:
        return
    instructeurs = list(dossier.groupe_instructeur.instructeurs.select_related("user"))
    voulus = _instructeurs_voulus([i.pk for i in instructeurs], dossier.procedure_id, "email_nouveau_dossier")
    for instructeur in (i for i in instructeurs if i.pk in voulus):
        email_envoyer(
            to=instructeur.user.email,
            subject=SUBJECTS["nouveau_dossier"].format(numero=dossier.pk, libelle=dossier.procedure.libelle),
            template="dossiers/emails/nouveau_dossier",
            context={**_context(dossier), "instruction_url": settings.SITE_URL + reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk])},
            kind="nouveau_dossier",
            dossier_id=dossier.pk,
        )


def nouveau_message_aux_instructeurs(dossier: Dossier, commentaire):
    follows = list(dossier.follows.select_related("instructeur__user"))
    voulus = _instructeurs_voulus([f.instructeur_id for f in follows], dossier.procedure_id, "email_message")
    for follow in (f for f in follows if f.instructeur_id in voulus):
        email_envoyer(
            to=follow.instructeur.user.email,
            subject=SUBJECTS["nouveau_message_instructeur"].format(numero=dossier.pk, libelle=dossier.procedure.libelle),
            template="dossiers/emails/nouveau_message_instructeur",
            context={
                **_context(dossier),
                "commentaire": commentaire,
                "instruction_url": settings.SITE_URL + reverse("instruction:messagerie", args=[dossier.procedure_id, dossier.pk]),
            },
            kind="nouveau_message_instructeur",
            dossier_id=dossier.pk,
        )


def invitation_envoyee(invitation):
    """To the invited co-editor: who invites her, the optional message, and how to reach the dossier."""
    dossier = invitation.dossier
    next_path = reverse("dossiers:brouillon" if dossier.state == Dossier.State.BROUILLON else "dossiers:show", args=[dossier.pk])
    email_envoyer(
        to=invitation.email,
        subject=f"{dossier.user.email} vous invite à modifier son dossier n° {dossier.pk} ({dossier.procedure.libelle})",
        template="dossiers/emails/invitation",
        context={
            **_context(dossier),
            "invitation": invitation,
            "invitation_url": settings.SITE_URL + next_path,
            "signup_url": settings.SITE_URL + reverse("account_signup") + "?" + urlencode({"next": next_path}),
        },
        kind="invitation_dossier",
        dossier_id=dossier.pk,
    )


def modifications_aux_instructeurs(dossier: Dossier, libelles: list[str]):
    """« Déposer les modifications »: the instructeurs who follow the dossier (or, when nobody follows it
    yet, those of its group) learn which champs changed."""
    follows = list(dossier.follows.select_related("instructeur__user"))
    if follows:
        destinataires = [follow.instructeur.user.email for follow in follows]
    elif dossier.groupe_instructeur is not None:
        destinataires = [i.user.email for i in dossier.groupe_instructeur.instructeurs.select_related("user")]
    else:
        destinataires = []
    url = settings.SITE_URL + reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk])
    for email in destinataires:
        email_envoyer(
            to=email,
            subject=f"Le dossier n° {dossier.pk} a été modifié par l'usager ({dossier.procedure.libelle})",
            template="dossiers/emails/modifications_instructeur",
            context={**_context(dossier), "libelles": libelles, "instruction_url": url},
            kind="modifications_instructeur",
            dossier_id=dossier.pk,
        )


def dossier_supprime_aux_instructeurs(dossier: Dossier):
    """An en construction dossier withdrawn by its usager: its followers are told it is gone."""
    for follow in dossier.follows.select_related("instructeur__user"):
        email_envoyer(
            to=follow.instructeur.user.email,
            subject=f"Le dossier n° {dossier.pk} a été supprimé par l'usager ({dossier.procedure.libelle})",
            template="dossiers/emails/dossier_supprime_instructeur",
            context=_context(dossier),
            kind="dossier_supprime_instructeur",
            dossier_id=dossier.pk,
        )


def expiration_prochaine(dossier: Dossier):
    """A month before a brouillon or a processed dossier is deleted: how to keep it longer."""
    brouillon = dossier.state == Dossier.State.BROUILLON
    page = "dossiers:brouillon" if brouillon else "dossiers:show"
    email_envoyer(
        to=dossier.user.email,
        subject=f"Votre {'brouillon' if brouillon else 'dossier'} n° {dossier.pk} va bientôt être supprimé ({dossier.procedure.libelle})",
        template="dossiers/emails/expiration_prochaine",
        context={**_context(dossier), "conserver_url": settings.SITE_URL + reverse(page, args=[dossier.pk])},
        kind="expiration_prochaine",
        dossier_id=dossier.pk,
    )
