"""Labels of a démarche: defaults created on first use, set on dossiers, shown and filtered on the dashboard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Dossier
from demarches.instruction import selectors, services
from demarches.instruction.models import Avis, DossierLabel, Label
from tests import factories
from tests.instruction.conftest import autre_procedure, dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db


def _label(procedure, name):
    return next(label for label in services.labels_de_la_procedure(procedure) if label.name == name)


def test_the_default_labels_are_created_once_on_first_use(procedure):
    assert not Label.objects.filter(procedure=procedure).exists()
    names = [label.name for label in services.labels_de_la_procedure(procedure)]
    assert names == ["À examiner", "À relancer", "Complet", "À signer", "Urgent"]
    services.labels_de_la_procedure(procedure)
    assert Label.objects.filter(procedure=procedure).count() == 5


def test_an_instructeur_creates_a_custom_label(procedure, instructeur):
    label = services.label_creer(procedure=procedure, instructeur=instructeur, name="  Pièce  manquante ", color="green-menthe")
    assert label.name == "Pièce manquante"
    assert [lbl.name for lbl in services.labels_de_la_procedure(procedure)][-1] == "Pièce manquante"
    with pytest.raises(ValidationError) as error:
        services.label_creer(procedure=procedure, instructeur=instructeur, name="urgent", color="rouge")
    assert error.value.message_dict == {
        "name": ["Un label porte déjà ce nom sur cette démarche."], "color": ["Choisissez une couleur dans la liste."]
    }


def test_setting_labels_on_a_dossier_from_its_page(instructeur_client, procedure, dossier):
    urgent, complet = _label(procedure, "Urgent"), _label(procedure, "Complet")
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert f'id="label-{urgent.pk}"' in page and "Enregistrer les labels" in page
    response = instructeur_client.post(dossier_url(dossier, "instruction:labels"), {"labels": [urgent.pk, complet.pk]})
    assert response.status_code == 302
    assert set(DossierLabel.objects.filter(dossier=dossier).values_list("label_id", flat=True)) == {urgent.pk, complet.pk}
    # unticking one removes it; the change is logged
    instructeur_client.post(dossier_url(dossier, "instruction:labels"), {"labels": [complet.pk]})
    assert list(DossierLabel.objects.filter(dossier=dossier).values_list("label_id", flat=True)) == [complet.pk]
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=services.LABELS_MODIFIER).count() == 2
    page = instructeur_client.get(dossier_url(dossier)).content.decode()
    assert f'fr-badge--{complet.color}">Complet</p>' in page


def test_creating_a_label_from_the_dossier_puts_it_on_the_dossier(instructeur_client, procedure, dossier):
    response = instructeur_client.post(
        dossier_url(dossier, "instruction:label_creer"), {"name": "Subvention", "color": "yellow-tournesol"}
    )
    assert response.status_code == 302
    assert [lbl.name for lbl in selectors.labels_du_dossier(dossier)] == ["Subvention"]
    response = instructeur_client.post(dossier_url(dossier, "instruction:label_creer"), {"name": "", "color": "blue-ecume"}, follow=True)
    assert "Donnez un nom au label." in response.content.decode()


def test_labels_of_another_demarche_are_ignored(instructeur, procedure, dossier):
    autre = autre_procedure()
    etranger = services.labels_de_la_procedure(autre)[0]
    services.dossier_labels_definir(dossier=dossier, instructeur=instructeur, label_ids=[etranger.pk, "x"])
    assert not DossierLabel.objects.filter(dossier=dossier).exists()


def test_the_dashboard_shows_and_filters_by_label(instructeur_client, instructeur, procedure):
    urgent = _label(procedure, "Urgent")
    marque = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    autre = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    services.dossier_labels_definir(dossier=marque, instructeur=instructeur, label_ids=[urgent.pk])
    url = reverse("instruction:procedure", args=[procedure.pk])
    # the table shows the labels
    response = instructeur_client.get(url + "?statut=tous")
    assert {d.pk for d in response.context["page"]} == {marque.pk, autre.pk}
    assert f'fr-badge--{urgent.color} fr-mb-1v">Urgent</p>' in response.content.decode()
    # the filter keeps only the labelled dossier, and the counters follow it
    response = instructeur_client.get(url + f"?statut=tous&label={urgent.pk}")
    html = response.content.decode()
    assert [d.pk for d in response.context["page"]] == [marque.pk]
    assert {t["tab"].key: t["count"] for t in response.context["tabs"]}["tous"] == 1
    assert "Retirer le filtre label : Urgent" in html
    assert f"?statut=a-suivre&amp;label={urgent.pk}" in html or f"?statut=a-suivre&label={urgent.pk}" in html
    # an unknown label is no filter at all
    response = instructeur_client.get(url + "?statut=tous&label=999999")
    assert len(response.context["page"]) == 2


def test_the_dashboard_labels_cost_one_query_whatever_the_number_of_rows(instructeur, procedure):
    urgent, complet = _label(procedure, "Urgent"), _label(procedure, "Complet")
    for _ in range(5):
        dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
        services.dossier_labels_definir(dossier=dossier, instructeur=instructeur, label_ids=[urgent.pk, complet.pk])
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.dossiers_du_tableau(instructeur, procedure, "tous"))
        names = [[dl.label.name for dl in row.dossier_labels.all()] for row in rows]
    assert names == [["Complet", "Urgent"]] * 5
    assert len(queries) == 2


ROLES = ("instructeur d'une autre démarche", "usager", "expert du dossier")


def _login(client, role, dossier):
    if role == "instructeur d'une autre démarche":
        other = factories.InstructeurFactory()
        autre_procedure().default_groupe.instructeurs.add(other)
        client.force_login(other.user)
    elif role == "usager":
        client.force_login(dossier.user)
    else:
        avis = Avis.objects.create(dossier=dossier, expert=Expert.objects.create(user=factories.UserFactory()), introduction="?")
        client.force_login(avis.expert.user)


@pytest.mark.parametrize("role", ROLES)
def test_label_actions_are_refused_to_everybody_else(client, procedure, dossier, role):
    urgent = _label(procedure, "Urgent")
    _login(client, role, dossier)
    assert client.post(dossier_url(dossier, "instruction:labels"), {"labels": [urgent.pk]}).status_code == 404
    assert client.post(dossier_url(dossier, "instruction:label_creer"), {"name": "Pirate", "color": "blue-ecume"}).status_code == 404
    assert not DossierLabel.objects.filter(dossier=dossier).exists()
    assert not Label.objects.filter(name="Pirate").exists()


def test_label_services_check_the_instructeur(procedure, dossier):
    intrus = factories.InstructeurFactory()
    with pytest.raises(PermissionDenied):
        services.label_creer(procedure=procedure, instructeur=intrus, name="Pirate", color="blue-ecume")
    with pytest.raises(PermissionDenied):
        services.dossier_labels_definir(dossier=dossier, instructeur=intrus, label_ids=[])
