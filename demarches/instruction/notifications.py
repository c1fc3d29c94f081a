"""E-mails to instructeurs according to their « gestion des notifications »: instant ones are filtered here,
the daily digest and the weekly summary are composed here (sent only when there is something to say)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from demarches.accounts.models import Instructeur
from demarches.core.emails import email_envoyer
from demarches.dossiers.models import Commentaire, Dossier, Follow
from demarches.procedures.models import Procedure

from .models import Avis, PreferencesNotification

S = Dossier.State
INSTANTANEES = ("email_nouveau_dossier", "email_message", "email_avis")


def preferences(instructeur, procedure) -> PreferencesNotification:
    """The instructeur's choices on this démarche (the defaults when he never changed them)."""
    return PreferencesNotification.objects.filter(instructeur=instructeur, procedure=procedure).first() or (
        PreferencesNotification(instructeur=instructeur, procedure=procedure)
    )


def preferences_enregistrer(*, instructeur, procedure, **choix) -> PreferencesNotification:
    prefs, _ = PreferencesNotification.objects.update_or_create(instructeur=instructeur, procedure=procedure, defaults=choix)
    return prefs


def sans_refus(instructeur_ids, procedure_id: int, preference: str) -> set[int]:
    """Among these instructeurs, those who did not turn this instant e-mail off for the démarche (one query)."""
    assert preference in INSTANTANEES
    ids = set(instructeur_ids)
    refus = PreferencesNotification.objects.filter(
        procedure_id=procedure_id, instructeur_id__in=ids, **{preference: False}
    ).values_list("instructeur_id", flat=True)
    return ids - set(refus)


# --- digests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activite:
    procedure: Procedure
    lignes: list[tuple[str, int]]

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("instruction:procedure", args=[self.procedure.pk])

    def __bool__(self) -> bool:
        return any(n for _, n in self.lignes)


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return singulier if n == 1 else pluriel


def activite_quotidienne(instructeur, procedure, since: datetime) -> Activite:
    groupes = procedure.groupes_instructeurs.filter(instructeurs=instructeur)
    dossiers = Dossier.objects.filter(groupe_instructeur__in=groupes, for_procedure_preview=False)
    suivis = dossiers.filter(follows__instructeur=instructeur)
    nouveaux = dossiers.filter(state=S.EN_CONSTRUCTION, depose_at__gte=since).count()
    messages = Commentaire.objects.filter(
        dossier__in=suivis, created_at__gte=since, instructeur__isnull=True, is_automatic=False
    ).count()
    avis = Avis.objects.filter(dossier__in=suivis, answered_at__gte=since).count()
    modifies = suivis.filter(last_champ_updated_at__gte=since, state=S.EN_CONSTRUCTION).count()
    return Activite(
        procedure,
        [
            (_pluriel(nouveaux, "nouveau dossier déposé", "nouveaux dossiers déposés"), nouveaux),
            (_pluriel(modifies, "dossier suivi modifié par l'usager", "dossiers suivis modifiés par l'usager"), modifies),
            (_pluriel(messages, "nouveau message d'usager", "nouveaux messages d'usagers"), messages),
            (_pluriel(avis, "avis d'expert reçu", "avis d'experts reçus"), avis),
        ],
    )


def activite_hebdomadaire(instructeur, procedure, since: datetime) -> Activite:
    groupes = procedure.groupes_instructeurs.filter(instructeurs=instructeur)
    counts = Dossier.objects.filter(groupe_instructeur__in=groupes, for_procedure_preview=False).aggregate(
        deposes=Count("pk", filter=Q(depose_at__gte=since)),
        en_instruction=Count("pk", filter=Q(en_instruction_at__gte=since)),
        acceptes=Count("pk", filter=Q(processed_at__gte=since, state=S.ACCEPTE)),
        refuses=Count("pk", filter=Q(processed_at__gte=since, state=S.REFUSE)),
        sans_suite=Count("pk", filter=Q(processed_at__gte=since, state=S.SANS_SUITE)),
    )
    return Activite(
        procedure,
        [
            (_pluriel(counts["deposes"], "dossier déposé", "dossiers déposés"), counts["deposes"]),
            (_pluriel(counts["en_instruction"], "dossier passé en instruction", "dossiers passés en instruction"), counts["en_instruction"]),
            (_pluriel(counts["acceptes"], "dossier accepté", "dossiers acceptés"), counts["acceptes"]),
            (_pluriel(counts["refuses"], "dossier refusé", "dossiers refusés"), counts["refuses"]),
            (_pluriel(counts["sans_suite"], "dossier classé sans suite", "dossiers classés sans suite"), counts["sans_suite"]),
        ],
    )


def _procedures_avec(instructeur, preference: str, default: bool) -> list[Procedure]:
    procedures = Procedure.objects.filter(groupes_instructeurs__instructeurs=instructeur).distinct().order_by("libelle", "pk")
    choix = dict(
        PreferencesNotification.objects.filter(instructeur=instructeur).values_list("procedure_id", preference)
    )
    return [p for p in procedures if choix.get(p.pk, default)]


def _envoyer(instructeur, *, sujet: str, template: str, activites: list[Activite], since: datetime) -> bool:
    activites = [a for a in activites if a]
    if not activites:
        return False
    email_envoyer(
        to=instructeur.user.email,
        subject=sujet,
        template=template,
        context={
            "activites": activites,
            "since": timezone.localtime(since),
            "notifications_url": settings.SITE_URL + reverse("instruction:procedures"),
        },
        kind=template.rsplit("/", 1)[-1],
    )
    return True


def debut_periode_quotidienne(now: datetime) -> datetime:
    """Since the previous digest: yesterday, or Friday's for Monday's digest."""
    return now - timedelta(days=3 if timezone.localtime(now).weekday() == 0 else 1)


def recapitulatifs_quotidiens_envoyer(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    since = debut_periode_quotidienne(now)
    sent = 0
    abonnes = Instructeur.objects.filter(preferences_notification__recapitulatif_quotidien=True).distinct().select_related("user")
    for instructeur in abonnes:
        procedures = _procedures_avec(instructeur, "recapitulatif_quotidien", default=False)
        sent += _envoyer(
            instructeur,
            sujet=f"Activité de vos démarches depuis le {timezone.localtime(since):%d/%m/%Y}",
            template="instruction/emails/recapitulatif_quotidien",
            activites=[activite_quotidienne(instructeur, p, since) for p in procedures],
            since=since,
        )
    return sent


def bilans_hebdomadaires_envoyer(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    since = now - timedelta(days=7)
    sent = 0
    instructeurs = Instructeur.objects.filter(groupes__isnull=False, user__is_active=True).distinct().select_related("user")
    for instructeur in instructeurs:
        procedures = _procedures_avec(instructeur, "recapitulatif_hebdomadaire", default=True)
        sent += _envoyer(
            instructeur,
            sujet="Votre bilan de la semaine",
            template="instruction/emails/bilan_hebdomadaire",
            activites=[activite_hebdomadaire(instructeur, p, since) for p in procedures],
            since=since,
        )
    return sent
