"""Download links on the usager, instructeur and expert pages."""

from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from demarches.dossiers import transitions

from .conftest import deposer, instruire
from .test_attestations import activer

pytestmark = pytest.mark.django_db


def test_the_usager_dossier_page_links_to_the_dossier_pdf_and_the_receipt(client, procedure):
    dossier = deposer(procedure)
    client.force_login(dossier.user)

    html = unescape(client.get(reverse("dossiers:show", args=[dossier.pk])).content.decode())

    assert "Télécharger mon dossier (PDF)" in html
    assert reverse("documents:dossier_pdf", args=[dossier.pk]) in html
    assert reverse("documents:accuse_depot", args=[dossier.pk]) in html
    assert reverse("documents:attestation", args=[dossier.pk]) not in html


def test_the_merci_page_links_to_the_receipt(client, procedure):
    dossier = deposer(procedure)
    client.force_login(dossier.user)

    html = unescape(client.get(reverse("dossiers:merci", args=[dossier.pk])).content.decode())

    assert "Télécharger l'accusé de dépôt" in html and reverse("documents:accuse_depot", args=[dossier.pk]) in html
    assert "Télécharger mon dossier (PDF)" in html


def test_the_attestation_link_appears_once_accepted_with_an_activated_template(client, procedure, instructeur, administrateur):
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)
    client.force_login(dossier.user)

    html = unescape(client.get(reverse("dossiers:show", args=[dossier.pk])).content.decode())

    assert "Télécharger l'attestation d'acceptation" in html
    assert reverse("documents:attestation", args=[dossier.pk]) in html


def test_the_instructeur_dossier_page_links_to_both_pdfs_and_the_attestation(client, procedure, instructeur, administrateur):
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    client.force_login(instructeur.user)
    page = reverse("instruction:dossier", args=[procedure.pk, dossier.pk])
    pdf = reverse("documents:dossier_pdf_instructeur", args=[procedure.pk, dossier.pk])

    html = unescape(client.get(page).content.decode())
    assert f'href="{pdf}"' in html and f'href="{pdf}?annotations=1&avis=1"' in html
    assert "L'attestation" not in html

    transitions.accepter(dossier=dossier, instructeur=instructeur)
    html = unescape(client.get(page).content.decode())
    assert reverse("documents:attestation_instructeur", args=[procedure.pk, dossier.pk]) in html


def test_the_expert_link_partial_points_to_his_pdf(procedure, instructeur):
    from demarches.instruction import services as instruction_services
    from tests import factories

    dossier = instruire(deposer(procedure), instructeur)
    avis = instruction_services.avis_demander(
        dossier=dossier, instructeur=instructeur, expert_email=factories.UserFactory().email, introduction="?"
    )
    html = render_to_string("documents/_liens_expert.html", {"avis": avis})
    assert reverse("documents:dossier_pdf_expert", args=[avis.pk]) in html


def test_the_demarche_card_links_to_the_editor_and_tells_what_is_activated(procedure, administrateur):
    from demarches.documents.models import AttestationKind

    html = unescape(render_to_string("documents/_carte_attestation.html", {"procedure": procedure}))
    assert reverse("documents:attestation_modele", args=[procedure.pk]) in html
    assert "Attestation d'acceptation : désactivée. Attestation de refus : désactivée." in html

    activer(procedure, administrateur, AttestationKind.REFUS)
    html = unescape(render_to_string("documents/_carte_attestation.html", {"procedure": procedure}))
    assert "Attestation d'acceptation : désactivée. Attestation de refus : activée." in html
