import hashlib
import json

from django.db import models


class OperationLog(models.Model):
    """Append-only, hash-chained log of every state-changing operation."""

    class Operation(models.TextChoices):
        DOSSIER_CREER = "dossier_creer", "création du dossier"
        PASSER_EN_CONSTRUCTION = "passer_en_construction", "dépôt"
        PASSER_EN_INSTRUCTION = "passer_en_instruction", "passage en instruction"
        PASSER_AUTOMATIQUEMENT_EN_INSTRUCTION = "passer_automatiquement_en_instruction", "passage automatique en instruction"
        REPASSER_EN_CONSTRUCTION = "repasser_en_construction", "retour en construction"
        ACCEPTER = "accepter", "acceptation"
        ACCEPTER_AUTOMATIQUEMENT = "accepter_automatiquement", "acceptation automatique"
        REFUSER = "refuser", "refus"
        CLASSER_SANS_SUITE = "classer_sans_suite", "classement sans suite"
        REPASSER_EN_INSTRUCTION = "repasser_en_instruction", "retour en instruction"
        SUIVRE = "suivre", "suivi du dossier"
        NE_PLUS_SUIVRE = "ne_plus_suivre", "fin du suivi"
        MESSAGE_ENVOYER = "message_envoyer", "message"
        PROCEDURE_CREER = "procedure_creer", "création de la démarche"
        PROCEDURE_MODIFIER = "procedure_modifier", "modification de la démarche"
        PROCEDURE_PUBLIER = "procedure_publier", "publication de la démarche"
        PROCEDURE_CLORE = "procedure_clore", "clôture de la démarche"
        INSTRUCTEUR_AFFECTER = "instructeur_affecter", "affectation d'un instructeur"
        AVIS_DEMANDER = "avis_demander", "demande d'avis"
        AVIS_DONNER = "avis_donner", "avis donné"
        AVIS_RELANCER = "avis_relancer", "relance d'avis"
        AVIS_REVOQUER = "avis_revoquer", "avis révoqué"
        ATTESTATION_MODELE_MODIFIER = "attestation_modele_modifier", "modification du modèle d'attestation"
        ATTESTATION_DELIVRER = "attestation_delivrer", "attestation délivrée"
        ATTESTATION_ANNULER = "attestation_annuler", "attestation annulée"
        INVITATION_CREER = "invitation_creer", "invitation d'un co-éditeur"
        INVITATION_SUPPRIMER = "invitation_supprimer", "retrait d'une invitation"
        DOSSIER_SUPPRIMER = "dossier_supprimer", "suppression du dossier par l'usager"
        DOSSIER_RESTAURER = "dossier_restaurer", "restauration du dossier"
        DOSSIER_PURGER = "dossier_purger", "suppression définitive du dossier"
        DOSSIER_DUPLIQUER = "dossier_dupliquer", "duplication du dossier"
        DOSSIER_CONSERVER = "dossier_conserver", "prolongation de la conservation"
        COMPTE_SUPPRIMER = "compte_supprimer", "suppression du compte"
        ANNOTATIONS_MODIFIER = "annotations_modifier", "modification des annotations privées"
        DOSSIER_ARCHIVER = "dossier_archiver", "archivage du dossier"
        DOSSIER_DESARCHIVER = "dossier_desarchiver", "désarchivage du dossier"
        LABELS_MODIFIER = "labels_modifier", "modification des labels"
        CORRECTION_EFFECTUER = "correction_effectuer", "correction effectuée"
        DOSSIER_ENVOYER = "dossier_envoyer", "envoi du dossier à un instructeur"
        REPASSER_EN_CONSTRUCTION_AVEC_CORRECTION = "repasser_en_construction_avec_correction", "demande de correction"
        API_TOKEN_CREER = "api_token_creer", "création d'un jeton d'API"
        API_TOKEN_REVOQUER = "api_token_revoquer", "révocation d'un jeton d'API"
        WEBHOOK_CONFIGURER = "webhook_configurer", "configuration du webhook"
        WEBHOOK_SUPPRIMER = "webhook_supprimer", "suppression du webhook"
        WEBHOOK_SECRET_RENOUVELER = "webhook_secret_renouveler", "renouvellement du secret du webhook"
        PROCEDURE_ENVOYER_COPIE = "procedure_envoyer_copie", "envoi d'une copie de la démarche"
        PROCEDURE_REACTIVER = "procedure_reactiver", "réactivation de la démarche"
        DOSSIER_CHANGER_GROUPE = "dossier_changer_groupe", "changement de groupe instructeur"
        MESSAGE_SUPPRIMER = "message_supprimer", "suppression d'un message"
        DEMANDEUR_ENREGISTRER = "demandeur_enregistrer", "identification du demandeur"
        DOSSIER_MODIFICATION_COMMENCER = "dossier_modification_commencer", "début d'une modification du dossier"
        DOSSIER_MODIFICATIONS_DEPOSER = "dossier_modifications_deposer", "modifications déposées par l'usager"
        DOSSIER_MODIFICATIONS_ABANDONNER = "dossier_modifications_abandonner", "modifications abandonnées"
        COMPTE_VERROUILLER = "compte_verrouiller", "verrouillage du compte"
        COMPTE_DEVERROUILLER = "compte_deverrouiller", "déverrouillage du compte"
        DOSSIER_SUPPRIMER_ADMINISTRATION = "dossier_supprimer_administration", "suppression du dossier pour l'administration"
        DOSSIER_RESTAURER_ADMINISTRATION = "dossier_restaurer_administration", "restauration du dossier pour l'administration"

    operation = models.CharField(max_length=60, choices=Operation.choices)
    actor_email = models.CharField(max_length=254, blank=True)
    automatic = models.BooleanField(default=False)
    dossier_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    procedure_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)
    previous_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def compute_digest(self) -> str:
        payload = json.dumps(
            {
                "operation": self.operation,
                "actor": self.actor_email,
                "automatic": self.automatic,
                "dossier": self.dossier_id,
                "procedure": self.procedure_id,
                "data": self.data,
                "at": self.created_at.isoformat(),
                "previous": self.previous_digest,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()
