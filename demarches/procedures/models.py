import uuid

from django.conf import settings
from django.db import models

from demarches.fields import registry


def _fichier_upload_to(instance, filename):
    """Files of a démarche (logo, notice, délibération): a random folder, the original name kept."""
    return f"procedures/fichiers/{uuid.uuid4().hex}/{filename}"


class Service(models.Model):
    """The administration in charge of a démarche, shown at the bottom of its pages."""

    class TypeOrganisme(models.TextChoices):
        ADMINISTRATION_CENTRALE = "administration_centrale", "Administration centrale"
        ASSOCIATION = "association", "Association"
        COLLECTIVITE_TERRITORIALE = "collectivite_territoriale", "Collectivité territoriale"
        ETABLISSEMENT_ENSEIGNEMENT = "etablissement_enseignement", "Établissement d'enseignement"
        OPERATEUR_ETAT = "operateur_d_etat", "Opérateur d'État"
        SERVICE_DECONCENTRE = "service_deconcentre_de_l_etat", "Service déconcentré de l'État"
        AUTRE = "autre", "Autre"

    nom = models.CharField("nom du service", max_length=255)
    organisme = models.CharField("organisme", max_length=255, blank=True)
    type_organisme = models.CharField("type d'organisme", max_length=40, blank=True, choices=TypeOrganisme.choices)
    email = models.EmailField("adresse électronique de contact")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    horaires = models.CharField("horaires", max_length=255, blank=True)
    adresse = models.TextField("adresse postale", blank=True)
    administrateur = models.ForeignKey("accounts.Administrateur", on_delete=models.PROTECT, related_name="services")

    def __str__(self):
        return self.nom


class Procedure(models.Model):
    class State(models.TextChoices):
        BROUILLON = "brouillon", "en test"
        PUBLIEE = "publiee", "publiée"
        CLOSE = "close", "close"
        DEPUBLIEE = "depubliee", "dépubliée"

    libelle = models.CharField("titre de la démarche", max_length=255)
    description = models.TextField("description")
    path = models.SlugField("adresse de la démarche", max_length=200, unique=True, null=True, blank=True)
    lien_site = models.CharField("où les usagers trouveront le lien de la démarche", max_length=500, blank=True)
    test_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.BROUILLON, db_index=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="procedures")
    administrateurs = models.ManyToManyField("accounts.Administrateur", related_name="procedures")
    for_individual = models.BooleanField("destinée aux particuliers", default=True)
    # Personne physique: the identity step also asks the usager's birth date.
    demander_date_naissance = models.BooleanField("demander la date de naissance", default=False)
    declarative_with_state = models.CharField(
        "démarche déclarative", max_length=20, blank=True,
        choices=[("", "non"), ("en_instruction", "en instruction"), ("accepte", "accepté")],
    )
    duree_conservation_dossiers = models.PositiveSmallIntegerField("durée de conservation (mois)", default=12)
    # Routing (procedures/groupes.py): stable_id of the « choix simple » champ whose answer chooses the groupe.
    routing_stable_id = models.PositiveIntegerField("champ de routage", null=True, blank=True)
    # Last day on which dossiers can be deposited; the démarche is closed automatically at the midnight ending it.
    auto_archive_on = models.DateField("date limite de dépôt", null=True, blank=True, db_index=True)
    draft_revision = models.ForeignKey("ProcedureRevision", on_delete=models.PROTECT, null=True, related_name="+")
    published_revision = models.ForeignKey("ProcedureRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its administrateurs (soft delete): out of their lists and of the catalogue.
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Description shown to usagers (see description.py for the checks).
    logo = models.FileField("logo", upload_to=_fichier_upload_to, blank=True, max_length=500)
    notice = models.FileField("notice", upload_to=_fichier_upload_to, blank=True, max_length=500)
    lien_notice = models.URLField("lien vers la notice", blank=True, max_length=500)
    cadre_juridique = models.TextField("cadre juridique", blank=True)
    deliberation = models.FileField("délibération", upload_to=_fichier_upload_to, blank=True, max_length=500)
    lien_dpo = models.CharField("contact du délégué à la protection des données", max_length=500, blank=True)
    monavis_embed = models.TextField("code du bouton MonAvis", blank=True)
    duree_estimee_minutes = models.PositiveSmallIntegerField("temps de remplissage estimé (minutes)", null=True, blank=True)
    # Why it was closed; a démarche « remplacée » sends its usagers to the new one.
    closing_reason = models.CharField(
        "motif de clôture", max_length=20, blank=True,
        choices=[("remplacee", "remplacée par une autre démarche"), ("autre", "autre motif")],
    )
    closing_details = models.TextField("précisions sur la clôture", blank=True)
    replaced_by_procedure = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="procedures_remplacees",
        verbose_name="démarche de remplacement",
    )

    class Meta:
        verbose_name = "démarche"

    def __str__(self):
        return f"n° {self.pk} — {self.libelle}"

    @property
    def is_en_test(self):
        return self.state == self.State.BROUILLON

    @property
    def accepts_dossiers(self):
        return self.state in (self.State.BROUILLON, self.State.PUBLIEE, self.State.DEPUBLIEE)

    @property
    def active_revision(self):
        """The revision new dossiers start on: the published one, or the draft while en test."""
        return self.published_revision if self.published_revision_id else self.draft_revision

    @property
    def noms_fichiers(self) -> dict:
        """The original names of the logo, notice and délibération (empty when there is none)."""
        return {name: getattr(self, name).name.rsplit("/", 1)[-1] for name in ("logo", "notice", "deliberation")}

    @property
    def dpo_est_email(self) -> bool:
        return "@" in self.lien_dpo and not self.lien_dpo.startswith(("http://", "https://"))

    @property
    def monavis_html(self) -> str:
        """The MonAvis button, sanitised again at display (it was checked when saved)."""
        from .description import monavis_nettoyer

        return monavis_nettoyer(self.monavis_embed) if self.monavis_embed else ""

    @property
    def default_groupe(self):
        return self.groupes_instructeurs.order_by("id").first()


class ProcedureRevision(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"révision {self.pk} de la démarche {self.procedure_id}"

    @property
    def is_frozen(self):
        return self.published_at is not None

    def public_types_de_champ(self):
        return self.types_de_champ.filter(private=False, parent__isnull=True).order_by("position", "id")

    def private_types_de_champ(self):
        return self.types_de_champ.filter(private=True, parent__isnull=True).order_by("position", "id")


class TypeDeChamp(models.Model):
    """A field definition inside one revision; stable_id follows the field across revisions."""

    revision = models.ForeignKey(ProcedureRevision, on_delete=models.CASCADE, related_name="types_de_champ")
    stable_id = models.PositiveIntegerField(db_index=True)
    type_champ = models.CharField("type de champ", max_length=40, choices=registry.choices)
    libelle = models.CharField("libellé", max_length=500)
    description = models.TextField("description", blank=True)
    mandatory = models.BooleanField("obligatoire", default=False)
    private = models.BooleanField("annotation privée", default=False)
    position = models.PositiveIntegerField(default=0)
    options = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "stable_id"], name="unique_stable_id_per_revision")]

    def __str__(self):
        return self.libelle

    @property
    def field_type(self):
        return registry.get(self.type_champ)

    @property
    def html_id(self):
        return f"champ-{self.stable_id}"


class GroupeInstructeur(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="groupes_instructeurs")
    label = models.CharField("nom du groupe", max_length=255, default="défaut")
    instructeurs = models.ManyToManyField("accounts.Instructeur", related_name="groupes", blank=True)
    # A closed groupe keeps its dossiers but receives no new ones (routing skips it).
    closed = models.BooleanField("groupe clos", default=False)
    # Routing (procedures/groupes.py): the options of the démarche's routing champ that send a dossier here.
    routing_values = models.JSONField("valeurs de routage", default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["procedure", "label"], name="unique_groupe_label_per_procedure"),
        ]

    def __str__(self):
        return f"{self.label} ({self.procedure_id})"


class InstructeurInvitation(models.Model):
    """An e-mail invited to instruct; consumed when the person sets a password."""

    email = models.EmailField()
    token = models.UUIDField(default=uuid.uuid4, unique=True)
    groupe = models.ForeignKey(GroupeInstructeur, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)


class MailTemplate(models.Model):
    """The administrateur's own text for one of the six automatic e-mails of a démarche.

    Without one, the platform's default text (dossiers/emails/<kind>.txt) is sent.
    """

    class Kind(models.TextChoices):
        ACCUSE_DE_RECEPTION = "accuse_de_reception", "Accusé de réception"
        PASSAGE_EN_INSTRUCTION = "passage_en_instruction", "Accusé de passage en instruction"
        ACCEPTATION = "acceptation", "Accusé d'acceptation"
        REFUS = "refus", "Accusé de rejet du dossier"
        SANS_SUITE = "sans_suite", "Accusé de classement sans suite"
        REEXAMEN = "reexamen", "Accusé de réexamen"

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="mail_templates")
    kind = models.CharField("type d'e-mail", max_length=30, choices=Kind.choices)
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("corps du message")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "modèle d'e-mail"
        constraints = [models.UniqueConstraint(fields=["procedure", "kind"], name="unique_mail_template_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.procedure_id})"


class RegleIneligibilite(models.Model):
    """« Règles d'inéligibilité » of a démarche: when the condition holds on a dossier, it cannot be
    deposited and the usager reads the message. The condition has the format of fields/conditions.py
    and refers to the public champs by stable_id."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="regle_ineligibilite")
    active = models.BooleanField("règles d'inéligibilité activées", default=False)
    message = models.TextField("message affiché à l'usager inéligible", blank=True)
    condition = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "règles d'inéligibilité"

    def __str__(self):
        return f"règles d'inéligibilité de la démarche {self.procedure_id}"
