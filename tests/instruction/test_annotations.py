"""Annotations privées: defined by the administrateur, written by the instructeurs following the
dossier, read by the other instructeurs, never shown to the usager nor to the experts."""

import pytest
from django.urls import reverse

from demarches.accounts.models import Expert
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.instruction import services
from demarches.instruction.models import Avis
from demarches.procedures import services as procedure_services
from demarches.procedures.models import TypeDeChamp
from tests import factories
from tests.instruction.conftest import autre_procedure

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(administrateur, instructeur):
    """A published démarche with one public champ and two private annotations."""
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], publier=False)
    for type_champ, libelle in (("textarea", "Avis du service"), ("integer_number", "Montant accordé")):
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle, private=True
        )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="annotations")


@pytest.fixture
def dossier(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    return dossier


def _annotation(dossier, libelle):
    return dossier.revision.private_types_de_champ().get(libelle=libelle)


def _url(dossier):
    return reverse("instruction:annotations", args=[dossier.procedure_id, dossier.pk])


# --- the administrateur's editor -------------------------------------------------------------------


def test_the_administrateur_adds_an_annotation_with_the_champs_editor(client, administrateur):
    # given a démarche being built
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False)
    client.force_login(administrateur.user)
    # when he adds a champ on the « Annotations privées » page
    response = client.post(
        reverse("procedures:annotations", args=[procedure.pk]),
        {"nouveau-type_champ": "text", "nouveau-libelle": "Référence interne"},
    )
    # then it is a private champ of the draft revision, listed there and not among the public champs
    assert response.status_code == 302 and response.url == reverse("procedures:annotations", args=[procedure.pk])
    tdc = procedure.draft_revision.types_de_champ.get(libelle="Référence interne")
    assert tdc.private is True
    page = client.get(reverse("procedures:annotations", args=[procedure.pk])).content.decode()
    assert "<h1>Annotations privées</h1>" in page and "Référence interne" in page
    assert "Référence interne" not in client.get(reverse("procedures:champs", args=[procedure.pk])).content.decode()


def test_the_editor_with_htmx_stays_on_the_annotations(client, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False)
    client.force_login(administrateur.user)
    response = client.post(
        reverse("procedures:annotations", args=[procedure.pk]),
        {"nouveau-type_champ": "text", "nouveau-libelle": "Référence interne"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Liste des annotations privées (1)" in html
    assert f'action="{reverse("procedures:annotations", args=[procedure.pk])}"' in html


def test_modifying_moving_and_deleting_an_annotation_comes_back_to_the_annotations(client, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False)
    for libelle in ("Première", "Seconde"):
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ="text", libelle=libelle, private=True
        )
    first, second = procedure.draft_revision.types_de_champ.filter(private=True).order_by("position")
    client.force_login(administrateur.user)
    annotations_url = reverse("procedures:annotations", args=[procedure.pk])
    response = client.post(
        reverse("procedures:champ_modifier", args=[procedure.pk, first.stable_id]),
        {f"champ-{first.stable_id}-type_champ": "text", f"champ-{first.stable_id}-libelle": "Renommée"},
    )
    assert response.url == annotations_url
    response = client.post(reverse("procedures:champ_deplacer", args=[procedure.pk, second.stable_id]), {"direction": "haut"})
    assert response.url == annotations_url
    ordered = list(procedure.draft_revision.types_de_champ.filter(private=True).order_by("position"))
    assert [t.libelle for t in ordered] == ["Seconde", "Renommée"]
    response = client.post(reverse("procedures:champ_supprimer", args=[procedure.pk, second.stable_id]))
    assert response.url == annotations_url
    assert list(TypeDeChamp.objects.filter(revision=procedure.draft_revision, private=True).values_list("libelle", flat=True)) == ["Renommée"]
    # the public editor is untouched
    assert procedure.draft_revision.public_types_de_champ().count() == 1


# --- the instructeur's tab --------------------------------------------------------------------------


def test_the_follower_fills_and_saves_the_annotations(instructeur_client, instructeur, dossier):
    # given the « Annotations privées » tab of a followed dossier
    page = instructeur_client.get(_url(dossier)).content.decode()
    avis_du_service, montant = _annotation(dossier, "Avis du service"), _annotation(dossier, "Montant accordé")
    assert 'id="onglet-annotations"' in page and "Sauvegarder" in page
    assert f'name="{avis_du_service.html_id}"' in page
    # when he saves them
    response = instructeur_client.post(_url(dossier), {avis_du_service.html_id: "Dossier solide", montant.html_id: "1500"})
    # then each annotation is a champ of the dossier, and the change is logged
    assert response.status_code == 302 and response.url == _url(dossier)
    values = dict(Champ.objects.filter(dossier=dossier).values_list("stable_id", "value"))
    assert values == {avis_du_service.stable_id: "Dossier solide", montant.stable_id: "1500"}
    log = OperationLog.objects.filter(dossier_id=dossier.pk, operation=services.ANNOTATIONS_MODIFIER).get()
    assert log.actor_email == instructeur.user.email
    assert "Dossier solide" in instructeur_client.get(_url(dossier)).content.decode()


def test_an_invalid_annotation_is_kept_with_a_french_error_next_to_it(instructeur_client, dossier):
    montant = _annotation(dossier, "Montant accordé")
    response = instructeur_client.post(_url(dossier), {montant.html_id: "mille euros"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["errors"][montant.stable_id]
    message = response.context["errors"][montant.stable_id]
    assert f'id="{montant.html_id}-error">{message}</p>' in html
    assert f'aria-describedby="{montant.html_id}-messages"' in html and 'aria-invalid="true"' in html
    assert "mille euros" in html
    assert "<title>Erreur : Annotations privées" in html


def test_autosave_with_htmx_answers_a_status(instructeur_client, dossier):
    avis_du_service = _annotation(dossier, "Avis du service")
    response = instructeur_client.post(_url(dossier), {avis_du_service.html_id: "Brouillon de note"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Annotations sauvegardées" in response.content.decode()
    assert Champ.objects.get(dossier=dossier, stable_id=avis_du_service.stable_id).value == "Brouillon de note"


def test_saving_nothing_new_logs_nothing(instructeur, dossier):
    avis_du_service = _annotation(dossier, "Avis du service")
    services.annotations_enregistrer(dossier=dossier, instructeur=instructeur, posted={avis_du_service.html_id: "Note"})
    services.annotations_enregistrer(dossier=dossier, instructeur=instructeur, posted={avis_du_service.html_id: "Note"})
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=services.ANNOTATIONS_MODIFIER).count() == 1


def test_another_instructeur_of_the_group_reads_them_without_editing(client, instructeur, dossier):
    # given annotations written by the follower
    avis_du_service = _annotation(dossier, "Avis du service")
    services.annotations_enregistrer(dossier=dossier, instructeur=instructeur, posted={avis_du_service.html_id: "Très bon projet"})
    collegue = factories.InstructeurFactory()
    dossier.procedure.default_groupe.instructeurs.add(collegue)
    client.force_login(collegue.user)
    # when a colleague who does not follow the dossier opens the tab
    html = client.get(_url(dossier)).content.decode()
    # then he reads them but has no form
    assert "Très bon projet" in html and "Suivez le dossier pour modifier" in html
    assert f'name="{avis_du_service.html_id}"' not in html
    # and his POST changes nothing
    client.post(_url(dossier), {avis_du_service.html_id: "Écrasé"})
    assert Champ.objects.get(dossier=dossier, stable_id=avis_du_service.stable_id).value == "Très bon projet"


def test_annotations_never_reach_the_usager_nor_the_experts(client, instructeur, dossier):
    avis_du_service = _annotation(dossier, "Avis du service")
    services.annotations_enregistrer(
        dossier=dossier, instructeur=instructeur, posted={avis_du_service.html_id: "Note strictement interne"}
    )
    avis = Avis.objects.create(dossier=dossier, expert=Expert.objects.create(user=factories.UserFactory()), introduction="?")
    # the usager's pages
    client.force_login(dossier.user)
    for name in ("dossiers:show", "dossiers:demande", "dossiers:messagerie"):
        response = client.get(reverse(name, args=[dossier.pk]))
        assert response.status_code == 200
        assert "Note strictement interne" not in response.content.decode()
        assert "Avis du service" not in response.content.decode()
    # the expert's page
    client.force_login(avis.expert.user)
    html = client.get(reverse("instruction:avis_detail", args=[avis.pk])).content.decode()
    assert "Note strictement interne" not in html and "Avis du service" not in html


ROLES = ("instructeur d'une autre démarche", "usager", "expert du dossier", "expert d'un autre dossier")


def _login(client, role, dossier):
    if role == "instructeur d'une autre démarche":
        other = factories.InstructeurFactory()
        autre_procedure().default_groupe.instructeurs.add(other)
        client.force_login(other.user)
    elif role == "usager":
        client.force_login(dossier.user)
    else:
        target = dossier if role == "expert du dossier" else factories.dossier_creer(procedure=dossier.procedure, state=S.EN_CONSTRUCTION)
        avis = Avis.objects.create(dossier=target, expert=Expert.objects.create(user=factories.UserFactory()), introduction="?")
        client.force_login(avis.expert.user)


@pytest.mark.parametrize("role", ROLES)
def test_annotations_url_is_refused_to_everybody_else(client, dossier, role):
    _login(client, role, dossier)
    avis_du_service = _annotation(dossier, "Avis du service")
    assert client.get(_url(dossier)).status_code == 404
    assert client.post(_url(dossier), {avis_du_service.html_id: "Intrusion"}).status_code == 404
    assert not Champ.objects.filter(dossier=dossier, value="Intrusion").exists()


def test_the_annotations_editor_is_refused_to_instructeurs(client, instructeur, procedure):
    client.force_login(instructeur.user)
    response = client.post(
        reverse("procedures:annotations", args=[procedure.pk]), {"nouveau-type_champ": "text", "nouveau-libelle": "Piraté"}
    )
    assert response.status_code in (302, 403, 404)
    assert not TypeDeChamp.objects.filter(libelle="Piraté").exists()
