"""Hooked into the dossier state machine through settings.DOSSIER_STATE_CHANGE_HANDLERS.

Called after the transition's transaction has committed. A failure here must never fail the
request that changed the state: it is logged, and the documents are made on demand later (the
download views deliver a missing attestation or accusé de dépôt when asked).
"""

import logging

from . import services, tasks

logger = logging.getLogger(__name__)

DECISIONS_AVEC_ATTESTATION = ("accepter", "accepter_automatiquement", "refuser")


def dossier_etat_change(dossier_id: int, transition_name: str) -> None:
    try:
        if transition_name == "passer_en_construction":
            # Synchronous and cheap (one digest): the proof must date from the deposit itself.
            services.accuse_depot_enregistrer(dossier_id=dossier_id)
        elif transition_name in DECISIONS_AVEC_ATTESTATION:
            tasks.attestation_generer.delay(dossier_id)
        elif transition_name == "repasser_en_instruction":
            services.attestation_annuler(dossier_id=dossier_id)
    except Exception:
        logger.exception(
            "Documents du dossier %s après « %s » : échec, ils seront produits à la demande", dossier_id, transition_name
        )
