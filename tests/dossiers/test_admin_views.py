"""The super-admin pages of dossiers: searchable, filterable, read-only."""

import pytest
from django.urls import reverse

from demarches.dossiers import services
from demarches.dossiers.models import Dossier
from tests import factories


@pytest.fixture
def superuser_client(client, db):
    user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["dossier", "champ", "piecejointe", "commentaire", "traitement"])
def test_changelists_render_and_search(superuser_client, procedure, model, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    services.message_envoyer(dossier=dossier, user=dossier.user, body="Bonjour")
    url = reverse(f"admin:dossiers_{model}_changelist")
    assert superuser_client.get(url).status_code == 200
    assert superuser_client.get(url, {"q": str(dossier.pk)}).status_code == 200
    assert superuser_client.get(reverse(f"admin:dossiers_{model}_add")).status_code == 403


@pytest.mark.django_db
def test_dossier_admin_filters_and_shows_a_dossier_read_only(superuser_client, procedure):
    dossier = factories.dossier_creer(procedure=procedure)
    changelist = reverse("admin:dossiers_dossier_changelist")
    response = superuser_client.get(changelist, {"state__exact": "brouillon", "procedure__id__exact": procedure.pk})
    change_url = reverse("admin:dossiers_dossier_change", args=[dossier.pk])
    assert response.status_code == 200 and change_url in response.content.decode()
    response = superuser_client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert response.status_code == 200
    superuser_client.post(reverse("admin:dossiers_dossier_change", args=[dossier.pk]), {"state": "accepte"})
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.BROUILLON
