from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Avis(models.Model):
    """An external opinion an instructeur asks an expert to give on a dossier."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="avis")
    expert = models.ForeignKey("accounts.Expert", on_delete=models.CASCADE, related_name="avis")
    claimant = models.ForeignKey(
        "accounts.Instructeur", on_delete=models.SET_NULL, null=True, blank=True, related_name="avis_demandes",
        verbose_name="demandé par",
    )
    introduction = models.TextField("message à l'expert")
    introduction_file = models.FileField(
        "pièce jointe à la demande", upload_to="avis/demandes/%Y/%m/", max_length=500, blank=True
    )
    question_label = models.CharField("question (réponse oui/non)", max_length=500, blank=True)
    confidentiel = models.BooleanField(
        "confidentiel", default=False, help_text="Visible des seuls instructeurs, jamais des autres experts."
    )
    answer = models.TextField("avis", blank=True)
    question_answer = models.BooleanField("réponse à la question", null=True, blank=True)
    piece_justificative = models.FileField("pièce jointe à l'avis", upload_to="avis/reponses/%Y/%m/", max_length=500, blank=True)
    answered_at = models.DateTimeField("donné le", null=True, blank=True)
    reminded_at = models.DateTimeField("relancé le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The expert's two lists ("à donner", "donnés"), newest first.
            models.Index(fields=["expert", "answered_at", "-created_at"], name="avis_expert_list_idx"),
        ]

    def __str__(self):
        return f"Avis n° {self.pk} sur le dossier n° {self.dossier_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_pending(self) -> bool:
        return self.answered_at is None and self.revoked_at is None


class Label(models.Model):
    """A coloured label of a démarche that its instructeurs put on dossiers ("À relancer", "Urgent"…)."""

    class Color(models.TextChoices):
        # DSFR illustrative colours (fr-badge--<colour>).
        PURPLE_GLYCINE = "purple-glycine", "violet glycine"
        PINK_TUILE = "pink-tuile", "rose tuile"
        GREEN_EMERAUDE = "green-emeraude", "vert émeraude"
        BLUE_ECUME = "blue-ecume", "bleu écume"
        ORANGE_TERRE_BATTUE = "orange-terre-battue", "orange terre battue"
        YELLOW_TOURNESOL = "yellow-tournesol", "jaune tournesol"
        GREEN_MENTHE = "green-menthe", "vert menthe"
        BLUE_CUMULUS = "blue-cumulus", "bleu cumulus"
        PINK_MACARON = "pink-macaron", "rose macaron"
        BROWN_CAFE_CREME = "brown-cafe-creme", "brun café crème"
        BEIGE_GRIS_GALET = "beige-gris-galet", "beige gris galet"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="labels")
    name = models.CharField("nom", max_length=50)
    color = models.CharField("couleur", max_length=30, choices=Color.choices, default=Color.BLUE_ECUME)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["procedure", "name"], name="unique_label_per_procedure")]

    def __str__(self):
        return self.name


class DossierLabel(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="dossier_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="dossier_labels")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label_id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "label"], name="unique_label_per_dossier")]
        indexes = [
            # The dashboard filter ?label=<id>: the dossiers carrying one label.
            models.Index(fields=["label", "dossier"], name="dossier_label_filter_idx"),
        ]


# --- dossier list of a démarche: preferences, denormalised values, bulk actions -------------------


class ListePreference(models.Model):
    """What an instructeur chose for the dossier list of one démarche: columns, filters and sort."""

    instructeur = models.ForeignKey("accounts.Instructeur", on_delete=models.CASCADE, related_name="liste_preferences")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    # Column keys in display order ("numero", "demandeur", "champ:12"…): see instruction/liste/colonnes.py.
    colonnes = models.JSONField(default=list)
    # [{"colonne": "champ:12", "operateur": "contient", "valeur": "…"} …]: see instruction/liste/filtres.py.
    filtres = models.JSONField(default=list)
    tri_colonne = models.CharField(max_length=40, blank=True, default="")
    tri_sens = models.CharField(max_length=4, blank=True, default="desc")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instructeur", "procedure"], name="unique_liste_preference")
        ]


class ValeurIndexee(models.Model):
    """One champ (or annotation) value of a dossier, normalised for filtering and sorting the list.

    Champ rows keep the usager's text; this copy holds a lower-case, accent-free prefix of the
    displayed value, and a typed number or date when the champ has one, each with its index
    (stable_id first: a filter or a sort always names one champ). Rebuilt by
    instruction.liste.indexation after every change of the dossier.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="valeurs_indexees")
    stable_id = models.PositiveIntegerField()
    texte = models.CharField(max_length=200, blank=True, default="")
    nombre = models.DecimalField(max_digits=30, decimal_places=6, null=True, blank=True)
    date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "stable_id"], name="unique_valeur_indexee_par_champ")
        ]
        indexes = [
            models.Index(fields=["stable_id", "texte", "dossier"], name="valeur_indexee_texte_idx"),
            models.Index(fields=["stable_id", "nombre", "dossier"], name="valeur_indexee_nombre_idx"),
            models.Index(fields=["stable_id", "date", "dossier"], name="valeur_indexee_date_idx"),
        ]


class DossierTexte(models.Model):
    """The searchable text of a dossier (number, demandeur, every champ and annotation), lower-case
    and without accents; on PostgreSQL a trigram GIN index serves the "contains" of the search."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="texte_indexe"
    )
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    texte = models.TextField(blank=True, default="")
    # Dossier.updated_at when this copy was made: a different value means the copy is stale.
    source_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["procedure", "source_updated_at"], name="dossier_texte_proc_idx")]


class ActionGroupee(models.Model):
    """A bulk action an instructeur started on up to 500 dossiers of a list, run by a background job."""

    class Action(models.TextChoices):
        PASSER_EN_INSTRUCTION = "passer_en_instruction", "Passer en instruction"
        ACCEPTER = "accepter", "Accepter"
        REFUSER = "refuser", "Refuser"
        CLASSER_SANS_SUITE = "classer_sans_suite", "Classer sans suite"
        ARCHIVER = "archiver", "Archiver"
        SUIVRE = "suivre", "Suivre"

    class Status(models.TextChoices):
        EN_ATTENTE = "en_attente", "en attente"
        EN_COURS = "en_cours", "en cours"
        TERMINEE = "terminee", "terminée"

    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    instructeur = models.ForeignKey("accounts.Instructeur", on_delete=models.CASCADE, related_name="actions_groupees")
    action = models.CharField(max_length=30, choices=Action.choices)
    motivation = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.EN_ATTENTE)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["instructeur", "procedure", "-created_at"], name="action_groupee_liste_idx")]


class ActionGroupeeDossier(models.Model):
    """The outcome of a bulk action on one dossier: recorded in the same transaction as the action
    itself, so a job resumed after a crash never acts twice on a dossier."""

    class Outcome(models.TextChoices):
        A_FAIRE = "a_faire", "à faire"
        REUSSI = "reussi", "réussi"
        ECHOUE = "echoue", "échoué"

    action_groupee = models.ForeignKey(ActionGroupee, on_delete=models.CASCADE, related_name="dossiers")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.A_FAIRE)
    message = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["action_groupee", "dossier"], name="unique_dossier_par_action_groupee")
        ]
        indexes = [models.Index(fields=["action_groupee", "outcome"], name="action_groupee_outcome_idx")]


class PreferencesNotification(models.Model):
    """What an instructeur wants to receive by e-mail about one démarche (« gestion des notifications »).

    Without a row, the defaults below apply: an e-mail at each new dossier, message and avis, plus the weekly summary.
    """

    instructeur = models.ForeignKey("accounts.Instructeur", on_delete=models.CASCADE, related_name="preferences_notification")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    email_nouveau_dossier = models.BooleanField("à chaque nouveau dossier déposé", default=True)
    email_message = models.BooleanField("à chaque nouveau message d'un usager sur un dossier que je suis", default=True)
    email_avis = models.BooleanField("à chaque avis donné par un expert sur un dossier que je suis", default=True)
    recapitulatif_quotidien = models.BooleanField(
        "un récapitulatif quotidien de l'activité (du lundi au vendredi, le matin)", default=False
    )
    recapitulatif_hebdomadaire = models.BooleanField("un bilan hebdomadaire (le lundi)", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [
            models.UniqueConstraint(fields=["instructeur", "procedure"], name="unique_preferences_notification")
        ]

    def __str__(self):
        return f"{self.instructeur} — démarche n° {self.procedure_id}"


# How long a dossier deleted for the administration stays in « supprimés récemment », restorable
# (the reference platform's two weeks, like the usager's corbeille).
SUPPRESSION_RESTAURABLE_DELAI = timedelta(days=getattr(settings, "DOSSIER_SUPPRESSION_ADMINISTRATION_JOURS", 14))


class SuppressionAdministration(models.Model):
    """« Supprimer le dossier » for the administration: a terminated dossier leaves the instructeurs'
    lists, counters and exports, while its usager still sees it. Restorable for
    instruction.services.SUPPRESSION_RESTAURABLE_DELAI; purged once the usager deleted it too."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, primary_key=True, related_name="suppression_administration"
    )
    instructeur = models.ForeignKey(
        "accounts.Instructeur", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="supprimé par",
    )
    created_at = models.DateTimeField("supprimé le", db_index=True)

    class Meta:
        verbose_name = "dossier supprimé pour l'administration"
        verbose_name_plural = "dossiers supprimés pour l'administration"

    def __str__(self):
        return f"Dossier n° {self.dossier_id} supprimé pour l'administration"


class CompteurChangement(models.Model):
    """One change to what a démarche's tab counters count that the dossier's last update does not
    tell (a follow, a label, a deletion, a groupe's members): the journal that the counters
    remembered by every process read (instruction/compteurs.py). `tranche` is the slice of dossier
    numbers to count again; none: every slice. Written in the change's transaction, purged after
    compteurs.HORIZON."""

    # No constraint: a dossier deleted with its démarche writes here while the démarche goes.
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    tranche = models.IntegerField(null=True)
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["procedure", "cree_le"], name="compteur_changement_idx")]
        verbose_name = "changement des compteurs"
        verbose_name_plural = "changements des compteurs"

    def __str__(self):
        return f"Démarche {self.procedure_id}, tranche {self.tranche}"
