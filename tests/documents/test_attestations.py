"""Attestations delivered by the state machine's after-commit handler, revoked and delivered again."""

import pytest
from django.core.files.storage import default_storage

from demarches.audit.models import OperationLog
from demarches.documents import services
from demarches.documents.models import Attestation, AttestationKind, AttestationTemplate
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from tests import factories

from .conftest import deposer, instruire, pdf_text

pytestmark = pytest.mark.django_db
S = Dossier.State


def activer(procedure, administrateur, kind=AttestationKind.ACCEPTATION, **overrides):
    from demarches.documents import selectors

    default = selectors.attestation_modele(procedure, kind)
    return services.attestation_modele_enregistrer(
        procedure=procedure, administrateur=administrateur, kind=kind, activated=True,
        title=overrides.get("title", default.title), body=overrides.get("body", default.body),
    )


def test_acceptance_delivers_the_attestation_after_commit(procedure, instructeur, administrateur, django_capture_on_commit_callbacks):
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Tout est conforme.")
        assert not Attestation.objects.exists(), "delivered only once the decision is committed"

    attestation = Attestation.objects.get(dossier=dossier)
    dossier.refresh_from_db()
    assert attestation.kind == AttestationKind.ACCEPTATION
    assert attestation.decision_at == dossier.processed_at
    assert attestation.revoked_at is None
    text = pdf_text(attestation.file.read())
    assert "Attestation d'acceptation" in text
    assert f"le dossier n° {dossier.pk}" in text
    assert "Hélène Lefèvre" in text
    assert "Tout est conforme." in text
    assert attestation.code in text
    assert OperationLog.objects.filter(operation="attestation_delivrer", dossier_id=dossier.pk).count() == 1


def test_default_template_gives_a_clean_attestation_when_simply_activated(procedure, instructeur, administrateur, run_on_commit):
    """The administrateur only ticks « Activer » and saves the proposed text."""
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)

    attestation = services.attestation_generer(dossier_id=dossier.pk)

    text = pdf_text(attestation.file.read())
    assert "Ouverture d'une crèche" in text and f"n° {dossier.pk}" in text
    assert "--" not in text.replace("—", ""), "no tag left unreplaced"


def test_nothing_is_delivered_while_the_attestation_is_not_activated(procedure, instructeur, django_capture_on_commit_callbacks):
    dossier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur)
    assert not Attestation.objects.exists()
    assert not AttestationTemplate.objects.exists()


def test_a_refusal_gets_an_attestation_only_if_the_demarche_enabled_one(
    procedure, instructeur, administrateur, django_capture_on_commit_callbacks
):
    activer(procedure, administrateur, AttestationKind.ACCEPTATION)
    premier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.refuser(dossier=premier, instructeur=instructeur, motivation="Dossier incomplet.")
    assert not Attestation.objects.filter(dossier=premier).exists()

    activer(procedure, administrateur, AttestationKind.REFUS)
    second = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.refuser(dossier=second, instructeur=instructeur, motivation="Dossier incomplet.")
    attestation = Attestation.objects.get(dossier=second)
    assert attestation.kind == AttestationKind.REFUS
    text = pdf_text(attestation.file.read())
    assert "Attestation de refus" in text and "Motif du refus : Dossier incomplet." in text


def test_classer_sans_suite_delivers_nothing(procedure, instructeur, administrateur, django_capture_on_commit_callbacks):
    activer(procedure, administrateur, AttestationKind.ACCEPTATION)
    activer(procedure, administrateur, AttestationKind.REFUS)
    dossier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.classer_sans_suite(dossier=dossier, instructeur=instructeur, motivation="Demande retirée.")
    assert not Attestation.objects.exists()


def test_re_examination_revokes_the_attestation_and_the_new_decision_delivers_a_new_one(
    procedure, instructeur, administrateur, django_capture_on_commit_callbacks
):
    activer(procedure, administrateur, AttestationKind.ACCEPTATION)
    activer(procedure, administrateur, AttestationKind.REFUS)
    dossier = instruire(deposer(procedure), instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Accord.")
    acceptation = Attestation.objects.get(dossier=dossier)
    file_name = acceptation.file.name
    assert default_storage.exists(file_name)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur)
    acceptation.refresh_from_db()
    assert acceptation.revoked_at is not None
    assert not acceptation.file and not default_storage.exists(file_name), "the revoked PDF is deleted"

    with django_capture_on_commit_callbacks(execute=True):
        transitions.refuser(dossier=dossier, instructeur=instructeur, motivation="Finalement, pièce manquante.")
    refus = Attestation.objects.get(dossier=dossier, revoked_at__isnull=True)
    assert refus.kind == AttestationKind.REFUS and refus.code != acceptation.code
    assert "Finalement, pièce manquante." in pdf_text(refus.file.read())

    with django_capture_on_commit_callbacks(execute=True):
        transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Pièce reçue.")
    assert Attestation.objects.filter(dossier=dossier).count() == 3
    courante = Attestation.objects.get(dossier=dossier, revoked_at__isnull=True)
    assert courante.kind == AttestationKind.ACCEPTATION
    assert "Pièce reçue." in pdf_text(courante.file.read())
    assert OperationLog.objects.filter(operation="attestation_annuler", dossier_id=dossier.pk).count() == 2


def test_the_job_is_idempotent(procedure, instructeur, administrateur):
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)

    first = services.attestation_generer(dossier_id=dossier.pk)
    second = services.attestation_generer(dossier_id=dossier.pk)

    assert first.pk == second.pk
    assert Attestation.objects.count() == 1


def test_a_late_job_does_nothing_once_the_decision_is_undone(procedure, instructeur, administrateur):
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur)
    transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur)

    assert services.attestation_generer(dossier_id=dossier.pk) is None
    assert not Attestation.objects.exists()


def test_a_stale_attestation_is_replaced_even_if_its_revocation_was_missed(procedure, instructeur, administrateur):
    """Re-examined and decided again without the handlers having run (e.g. a crash after commit)."""
    activer(procedure, administrateur)
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Premier accord.")
    old = services.attestation_generer(dossier_id=dossier.pk)
    transitions.repasser_en_instruction(dossier=dossier, instructeur=instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Second accord.")

    new = services.attestation_generer(dossier_id=dossier.pk)

    old.refresh_from_db()
    assert new.pk != old.pk and old.revoked_at is not None
    assert "Second accord." in pdf_text(new.file.read())


def test_declarative_demarche_accepted_on_deposit_gets_its_attestation_and_receipt(administrateur, instructeur, django_capture_on_commit_callbacks):
    from .conftest import CHAMPS

    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, declarative_with_state="accepte"
    )
    activer(procedure, administrateur)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = deposer(procedure)

    assert dossier.state == S.ACCEPTE
    assert Attestation.objects.get(dossier=dossier).kind == AttestationKind.ACCEPTATION
    assert dossier.accuse_depot.content_digest
