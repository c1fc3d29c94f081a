"""Date limite de dépôt: set by the administrateur, démarche closed by the periodic job."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers.models import Dossier
from demarches.procedures import services, tasks
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db
S = Dossier.State


def _form(procedure, **changes):
    return {
        "libelle": procedure.libelle, "description": procedure.description, "for_individual": "1",
        "declarative_with_state": "", "duree_conservation_dossiers": "12",
        "service_choice": str(procedure.service_id), **changes,
    }


def test_administrateur_sets_the_date(admin_client, procedure):
    date = timezone.localdate() + datetime.timedelta(days=30)
    response = admin_client.post(reverse("procedures:modifier", args=[procedure.pk]), _form(procedure, auto_archive_on=date.isoformat()))
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.auto_archive_on == date
    html = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "(clôture automatique à minuit)" in html
    # and it can be removed
    admin_client.post(reverse("procedures:modifier", args=[procedure.pk]), _form(procedure, auto_archive_on=""))
    procedure.refresh_from_db()
    assert procedure.auto_archive_on is None


def test_a_past_date_is_refused_next_to_the_field(admin_client, procedure):
    hier = timezone.localdate() - datetime.timedelta(days=1)
    response = admin_client.post(reverse("procedures:modifier", args=[procedure.pk]), _form(procedure, auto_archive_on=hier.isoformat()))
    html = response.content.decode()
    assert "La date limite de dépôt ne peut pas être déjà passée." in html
    assert 'aria-describedby="id_auto_archive_on_helptext id_auto_archive_on-messages"' in html
    procedure.refresh_from_db()
    assert procedure.auto_archive_on is None


def test_job_closes_at_the_midnight_ending_the_date(procedure, instructeur):
    today = timezone.localdate()
    Procedure.objects.filter(pk=procedure.pk).update(auto_archive_on=today - datetime.timedelta(days=1))
    encore_ouverte = factories.procedure_creer(instructeurs=[instructeur])
    Procedure.objects.filter(pk=encore_ouverte.pk).update(auto_archive_on=today)
    dossiers = {state: factories.dossier_creer(procedure=procedure, state=state) for state in (S.BROUILLON, S.EN_CONSTRUCTION, S.EN_INSTRUCTION)}
    autre = factories.dossier_creer(procedure=encore_ouverte, state=S.EN_CONSTRUCTION)

    assert tasks.procedures_clore_a_date_limite.delay().get() == [procedure.pk]

    procedure.refresh_from_db()
    assert procedure.state == Procedure.State.CLOSE and procedure.closed_at is not None
    assert not procedure.accepts_dossiers
    states = {state: Dossier.objects.get(pk=d.pk).state for state, d in dossiers.items()}
    assert states == {S.BROUILLON: S.BROUILLON, S.EN_CONSTRUCTION: S.EN_INSTRUCTION, S.EN_INSTRUCTION: S.EN_INSTRUCTION}
    moved = Dossier.objects.get(pk=dossiers[S.EN_CONSTRUCTION].pk)
    assert moved.traitements.filter(state=S.EN_INSTRUCTION).exists()
    assert OutgoingEmail.objects.filter(kind="passage_en_instruction", dossier_id=moved.pk).count() == 1
    log = OperationLog.objects.filter(operation=OperationLog.Operation.PROCEDURE_CLORE, procedure_id=procedure.pk).get()
    assert log.automatic and log.data["action"] == "date_limite"
    # the démarche whose date is today stays open until tonight
    assert Procedure.objects.get(pk=encore_ouverte.pk).state == Procedure.State.PUBLIEE
    assert Dossier.objects.get(pk=autre.pk).state == S.EN_CONSTRUCTION
    # idempotent
    assert services.procedures_clore_a_date_limite() == []
    assert OutgoingEmail.objects.filter(kind="passage_en_instruction").count() == 1


def test_job_ignores_demarches_en_test_or_already_closed(administrateur, instructeur):
    hier = timezone.localdate() - datetime.timedelta(days=1)
    en_test = factories.procedure_creer(administrateur=administrateur, publier=False)
    close = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur])
    services.procedure_clore(procedure=close, administrateur=administrateur)
    Procedure.objects.update(auto_archive_on=hier)
    assert services.procedures_clore_a_date_limite() == []
    assert Procedure.objects.get(pk=en_test.pk).state == Procedure.State.BROUILLON


def test_a_brouillon_can_no_longer_be_deposited_after_the_date(procedure, usager):
    from django.core.exceptions import ValidationError

    from demarches.dossiers import transitions

    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    Procedure.objects.filter(pk=procedure.pk).update(auto_archive_on=timezone.localdate() - datetime.timedelta(days=1))
    services.procedures_clore_a_date_limite()
    with pytest.raises(ValidationError, match="close"):
        transitions.passer_en_construction(dossier=Dossier.objects.get(pk=dossier.pk), user=usager)
