"""The optional code QR of the attestation: chosen in the editor, printed (with its caption) only when
on, carried by export → import and clone; the verification page keeps answering for every code."""

import io
import json
from collections import Counter
from html import unescape

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ContentStream

from demarches.audit.models import OperationLog
from demarches.documents import pdfs, renderers, selectors, services
from demarches.documents.models import AttestationKind, AttestationTemplate
from demarches.dossiers import transitions
from demarches.procedures import definitions
from demarches.procedures import services as procedure_services
from tests import factories

from .conftest import deposer, instruire, pdf_text, response_bytes

pytestmark = pytest.mark.django_db

CAPTION = "Vérifier l'authenticité de ce document"


def path_operators(content: bytes) -> int:
    """How many path segments (moveto, lineto) the pages draw: the code QR is drawn as vector paths,
    while the texts of an attestation without logo nor signature draw none."""
    reader = PdfReader(io.BytesIO(content))
    counter = Counter()
    for page in reader.pages:
        assert not page.images, "no raster image expected without logo nor signature"
        for _operands, operator in ContentStream(page.get_contents(), reader).operations:
            counter[operator] += 1
    return counter[b"m"] + counter[b"l"]


def enregistrer(procedure, administrateur, *, qr_code: bool, kind=AttestationKind.ACCEPTATION):
    default = selectors.attestation_modele(procedure, kind)
    return services.attestation_modele_enregistrer(
        procedure=procedure, administrateur=administrateur, kind=kind, activated=True,
        title=default.title, body=default.body, qr_code=qr_code,
    )


def accepter(procedure, instructeur, django_capture_on_commit_callbacks):
    dossier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Avis favorable.")
    return dossier.attestations.get(revoked_at__isnull=True)


@pytest.fixture
def admin_client(client, administrateur):
    client.force_login(administrateur.user)
    return client


def editor_url(procedure):
    return reverse("documents:attestation_modele", args=[procedure.pk])


def post(client, procedure, **data):
    fields = {"activated": "on", "title": "Attestation d'acceptation",
              "body": "Dossier n° --numéro du dossier-- accepté."}
    fields.update(data)
    return client.post(editor_url(procedure), {k: v for k, v in fields.items() if v is not None})


def test_a_template_prints_the_code_qr_unless_told_otherwise(procedure):
    assert AttestationTemplate._meta.get_field("qr_code").default is True
    assert selectors.attestation_modele(procedure, AttestationKind.ACCEPTATION).qr_code is True


def test_the_editor_offers_the_option_checked_by_default_with_its_hint(admin_client, procedure):
    html = unescape(admin_client.get(editor_url(procedure)).content.decode())

    start = html.index('<div class="fr-checkbox-group fr-mb-3w">\n  <input type="checkbox" name="qr_code"')
    block = html[start:html.index("</div>", html.index("fr-messages-group", start)) + 6]
    assert 'id="id_qr_code"' in block and "checked" in block
    assert '<label class="fr-label" for="id_qr_code">Imprimer un code QR de vérification' in block
    assert 'aria-describedby="id_qr_code_helptext"' in block
    assert '<span class="fr-hint-text" id="id_qr_code_helptext">' in block
    assert "page publique où chacun peut vérifier" in block


def test_the_editor_saves_the_option_and_the_preview_follows_it(admin_client, procedure, administrateur):
    assert post(admin_client, procedure, qr_code=None).status_code == 302

    template = AttestationTemplate.objects.get(procedure=procedure, kind=AttestationKind.ACCEPTATION)
    assert template.qr_code is False
    log = OperationLog.objects.filter(operation="attestation_modele_modifier").latest("id")
    assert log.data["qr_code"] is False
    html = unescape(admin_client.get(editor_url(procedure)).content.decode())
    checkbox = html[html.index('name="qr_code"') - 30:html.index('name="qr_code"') + 120]
    assert "checked" not in checkbox
    apercu = response_bytes(admin_client.get(reverse("documents:attestation_apercu", args=[procedure.pk])))
    text = pdf_text(apercu)
    assert "Dossier n° 123456 accepté." in text
    assert CAPTION not in text and "/verifier/" not in text and "Code de vérification" not in text
    assert path_operators(apercu) == 0

    assert post(admin_client, procedure, qr_code="on").status_code == 302

    template.refresh_from_db()
    assert template.qr_code is True
    log = OperationLog.objects.filter(operation="attestation_modele_modifier").latest("id")
    assert log.data["qr_code"] is True and "qr_code" in log.data["changes"]
    apercu = response_bytes(admin_client.get(reverse("documents:attestation_apercu", args=[procedure.pk])))
    text = pdf_text(apercu)
    assert CAPTION in text and "Code de vérification : APER-CUAP-ERCU-APER" in text
    assert path_operators(apercu) > 100, "the modules of the code QR"


def test_an_attestation_without_code_qr_has_no_verification_block_but_its_code_is_still_verifiable(
    client, procedure, instructeur, administrateur, django_capture_on_commit_callbacks
):
    enregistrer(procedure, administrateur, qr_code=True)
    avec = accepter(procedure, instructeur, django_capture_on_commit_callbacks)
    enregistrer(procedure, administrateur, qr_code=False)
    sans = accepter(procedure, instructeur, django_capture_on_commit_callbacks)

    avec_pdf, sans_pdf = avec.file.read(), sans.file.read()
    avec_text, sans_text = pdf_text(avec_pdf), pdf_text(sans_pdf)
    assert CAPTION in avec_text and avec.code in avec_text
    assert renderers.verification_url(avec.code) in avec_text.replace(" ", "")
    assert path_operators(avec_pdf) > 100
    assert "Le service soussigné atteste que le dossier" in sans_text
    assert CAPTION not in sans_text and sans.code not in sans_text and "/verifier/" not in sans_text
    assert path_operators(sans_pdf) == 0
    # Both documents were issued here: the page confirms them, the earlier one printed with its code QR included.
    for attestation in (avec, sans):
        response = client.get(reverse("documents:verifier", args=[attestation.code]))
        assert response.status_code == 200
        assert "Document authentique" in unescape(response.content.decode())


def test_attestation_pdf_prints_the_code_qr_only_when_the_template_asks_for_it(procedure):
    template = selectors.attestation_modele(procedure, AttestationKind.REFUS)
    rendus = {}
    for qr_code in (True, False):
        template.qr_code = qr_code
        rendus[qr_code] = pdfs.attestation_apercu_pdf(template)
    assert CAPTION in pdf_text(rendus[True]) and path_operators(rendus[True]) > 100
    assert CAPTION not in pdf_text(rendus[False]) and path_operators(rendus[False]) == 0


@pytest.fixture
def source(procedure, administrateur):
    enregistrer(procedure, administrateur, qr_code=False)
    enregistrer(procedure, administrateur, qr_code=True, kind=AttestationKind.REFUS)
    return procedure


def _qr_codes(procedure) -> dict:
    return dict(AttestationTemplate.objects.filter(procedure=procedure).values_list("kind", "qr_code"))


def test_the_exported_document_carries_the_option_and_reading_it_keeps_it(source):
    document = json.loads(json.dumps(definitions.exporter(source)))

    assert [(a["kind"], a["qr_code"]) for a in document["attestations"]] == [("acceptation", False), ("refus", True)]
    lues = definitions.lire(document)["attestations"]
    assert [(a["kind"], a["qr_code"]) for a in lues] == [("acceptation", False), ("refus", True)]
    # A document written before the option existed keeps the code QR.
    for attestation in document["attestations"]:
        attestation.pop("qr_code")
    assert [a["qr_code"] for a in definitions.lire(document)["attestations"]] == [True, True]


def test_export_import_and_clone_keep_the_option(source, administrateur):
    document = json.loads(json.dumps(definitions.exporter(source)))
    autre = factories.AdministrateurFactory()
    importee = procedure_services.procedure_importer(administrateur=autre, document=document)
    copie = procedure_services.procedure_cloner(procedure=source, administrateur=administrateur)

    for procedure in (importee, copie):
        assert _qr_codes(procedure) == {"acceptation": False, "refus": True}
        assert definitions.exporter(procedure)["attestations"] == document["attestations"]
