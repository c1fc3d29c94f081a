"""Super-admin registrations: lists and change pages load; frozen revisions are read-only."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["service", "procedure", "procedurerevision", "typedechamp", "groupeinstructeur", "instructeurinvitation"])
def test_changelists_load(staff_client, procedure, model):
    assert staff_client.get(reverse(f"admin:procedures_{model}_changelist")).status_code == 200


def test_change_pages_load(staff_client, procedure):
    assert staff_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk])).status_code == 200
    assert staff_client.get(reverse("admin:procedures_procedurerevision_change", args=[procedure.draft_revision_id])).status_code == 200


def test_published_revision_is_read_only(staff_client, procedure):
    tdc = procedure.published_revision.types_de_champ.get()
    url = reverse("admin:procedures_typedechamp_change", args=[tdc.pk])
    staff_client.post(url, {"libelle": "Modifié", "type_champ": "text", "stable_id": tdc.stable_id, "position": 1,
                            "revision": tdc.revision_id, "options": "{}"})
    tdc.refresh_from_db()
    assert tdc.libelle == "Nom du projet"
