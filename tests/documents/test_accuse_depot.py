"""The accusé de dépôt: recorded when the deposit commits, with the digest of what was deposited."""

import hashlib
import json

import pytest
from django.urls import reverse

from demarches.documents import contenu, services
from demarches.documents.models import AccuseDepot
from demarches.dossiers.models import Dossier
from tests import factories

from .conftest import deposer, pdf_text, remplir, response_bytes

pytestmark = pytest.mark.django_db


def test_the_deposit_records_the_time_and_the_digest_of_the_content(procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(procedure)

    accuse = AccuseDepot.objects.get(dossier=dossier)
    assert accuse.depose_at == dossier.depose_at
    assert accuse.content_digest == hashlib.sha256(contenu.contenu_depose(dossier)).hexdigest()
    assert accuse.demandeur == "Hélène Lefèvre"
    assert accuse.procedure_libelle == "Ouverture d'une crèche"
    # The accusé de réception e-mail carries the receipt: the PDF was rendered for it
    assert accuse.file


def test_the_canonical_content_lists_every_champ_in_form_order(procedure):
    dossier = deposer(procedure)

    payload = json.loads(contenu.contenu_depose(dossier))

    assert payload["format"] == contenu.CONTENU_FORMAT
    assert payload["dossier"] == dossier.pk
    assert [c["libelle"] for c in payload["champs"]] == [
        "Nom du projet", "Description", "Nombre de places", "Date d'ouverture", "Établissement existant", "Plan des locaux",
    ]
    assert payload["champs"][0]["value"] == "Les petits pas"
    assert payload["champs"][-1]["pieces"][0][0] == "plan-des-locaux.pdf"


def test_a_later_change_gives_another_digest_but_the_receipt_keeps_the_deposited_one(procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(procedure)
    recorded = dossier.accuse_depot.content_digest

    remplir(dossier, dossier.user, {"Nombre de places": "30"})  # still en construction: the usager may edit

    assert contenu.empreinte(dossier) != recorded
    dossier.accuse_depot.refresh_from_db()
    assert dossier.accuse_depot.content_digest == recorded
    assert services.accuse_depot_enregistrer(dossier_id=dossier.pk).content_digest == recorded


def test_the_owner_downloads_the_same_stored_pdf_every_time(client, procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(procedure)
    client.force_login(dossier.user)
    url = reverse("documents:accuse_depot", args=[dossier.pk])

    first = client.get(url)
    second = client.get(url)

    assert first.status_code == 200
    assert first["Content-Disposition"] == f'attachment; filename="accuse-de-depot-dossier-{dossier.pk}.pdf"'
    content = response_bytes(first)
    assert content == response_bytes(second)
    accuse = AccuseDepot.objects.get(dossier=dossier)
    assert accuse.file_digest == hashlib.sha256(content).hexdigest()
    assert accuse.content_digest in pdf_text(content).replace(" ", "")


def test_a_dossier_deposited_before_receipts_existed_gets_one_on_demand(client, procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_INSTRUCTION)
    client.force_login(dossier.user)

    response = client.get(reverse("documents:accuse_depot", args=[dossier.pk]))

    assert response.status_code == 200
    text = pdf_text(response_bytes(response))
    assert "calculée le" in text or "calculée au moment du dépôt" in text
    assert AccuseDepot.objects.get(dossier=dossier).content_digest in text.replace(" ", "")
