"""The preview shows a pièce justificative exactly as the usager's form does: formats, limits, model file."""

from django.urls import reverse

from demarches.dossiers.forms import champ_widgets
from demarches.dossiers.models import Dossier
from demarches.procedures.editeur_apercu import champs_apercu
from tests import factories

OPTIONS = {"formats": ["pdf"], "modele": {"chemin": "modeles/plan.pdf", "nom": "plan.pdf"}}


def test_preview_and_usager_form_show_the_same_pieces_justificatives(admin_client, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("piece_justificative", "Plan des locaux", True, OPTIONS)]
    )
    (tdc,) = procedure.active_revision.types_de_champ.all()
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.BROUILLON)

    (usager,) = champ_widgets(dossier, [(tdc, None)])
    (apercu,), _ = champs_apercu([tdc])

    for widget in (usager, apercu):
        assert widget.accept == ".pdf"
        assert widget.formats_label == "Documents PDF"
        assert widget.modele_url == reverse("procedures:modele_telecharger", args=[procedure.pk, tdc.stable_id])
    page = admin_client.get(reverse("procedures:apercu", args=[procedure.pk])).content.decode()
    assert "Formats acceptés : Documents PDF." in page and "Télécharger le modèle" in page
