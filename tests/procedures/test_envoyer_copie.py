"""« Envoyer une copie » of a démarche to another administrateur."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.procedures import services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


CADRE = "Loi n° 78-17 du 6 janvier 1978"


@pytest.fixture
def procedure(db, administrateur, instructeur):
    """A published démarche (with its cadre juridique, required for publication)."""
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], cadre_juridique=CADRE)


def test_send_a_copy_to_another_administrateur(admin_client, procedure_en_test, administrateur):
    destinataire = factories.AdministrateurFactory()
    show = admin_client.get(reverse("procedures:show", args=[procedure_en_test.pk])).content.decode()
    url = reverse("procedures:envoyer_copie", args=[procedure_en_test.pk])
    assert url in show and "Envoyer une copie" in show
    assert "Les instructeurs, les dossiers et l'adresse de publication ne sont pas copiés" in admin_client.get(url).content.decode()

    response = admin_client.post(url, {"email": f" {destinataire.user.email.upper()} "}, follow=True)

    assert "elle apparaît dans ses démarches « En test »" in response.content.decode()
    copie = Procedure.objects.exclude(pk=procedure_en_test.pk).get()
    assert list(copie.administrateurs.all()) == [destinataire]
    assert copie.state == "brouillon" and copie.libelle == procedure_en_test.libelle
    assert [t.libelle for t in copie.draft_revision.types_de_champ.all()] == [
        t.libelle for t in procedure_en_test.draft_revision.types_de_champ.all()
    ]
    # the original is untouched and still his alone
    assert list(procedure_en_test.administrateurs.all()) == [administrateur]
    # the service belongs to the sender: not given away
    assert copie.service_id is None
    email = OutgoingEmail.objects.get(kind="procedure_copie_recue")
    assert email.to == destinataire.user.email and administrateur.user.email in email.body
    assert reverse("procedures:show", args=[copie.pk]) in email.body
    entry = OperationLog.objects.get(operation="procedure_envoyer_copie")
    assert entry.procedure_id == procedure_en_test.pk
    assert entry.data == {"destinataire": destinataire.user.email, "copie": copie.pk}
    # it is in his « En test » tab
    admin_client.force_login(destinataire.user)
    index = admin_client.get(reverse("procedures:index") + "?statut=en-test").content.decode()
    assert reverse("procedures:show", args=[copie.pk]) in index
    assert admin_client.get(reverse("procedures:show", args=[procedure_en_test.pk])).status_code == 404


def test_a_published_demarche_copy_is_en_test_without_path(procedure, administrateur):
    destinataire = factories.AdministrateurFactory()
    copie = services.procedure_envoyer_copie(procedure=procedure, administrateur=administrateur, email=destinataire.user.email)
    assert copie.state == "brouillon" and copie.path is None and not copie.dossiers.exists()


@pytest.mark.parametrize("email,message", [
    ("inconnu@exemple.fr", "Aucun administrateur n&#x27;a l&#x27;adresse inconnu@exemple.fr"),
    ("pas une adresse", "Saisissez une adresse électronique valide"),
    ("", "Indiquez l&#x27;adresse électronique de l&#x27;administrateur destinataire."),
])
def test_errors_next_to_the_field(admin_client, procedure_en_test, email, message):
    response = admin_client.post(reverse("procedures:envoyer_copie", args=[procedure_en_test.pk]), {"email": email})
    html = response.content.decode()
    assert response.status_code == 200
    block = html.split('id="id_email-messages"', 1)[1].split("</div>", 1)[0]
    assert message in block and 'aria-invalid="true"' in html
    assert Procedure.objects.count() == 1
    assert not OutgoingEmail.objects.filter(kind="procedure_copie_recue").exists()


def test_a_simple_usager_or_oneself_cannot_receive_a_copy(procedure_en_test, administrateur, usager):
    with pytest.raises(ValidationError, match="Aucun administrateur"):
        services.procedure_envoyer_copie(procedure=procedure_en_test, administrateur=administrateur, email=usager.email)
    with pytest.raises(ValidationError, match="votre propre adresse"):
        services.procedure_envoyer_copie(procedure=procedure_en_test, administrateur=administrateur, email=administrateur.user.email)


def test_only_his_administrateurs_send_a_copy(client, procedure_en_test):
    autre = factories.AdministrateurFactory()
    with pytest.raises(PermissionDenied):
        services.procedure_envoyer_copie(procedure=procedure_en_test, administrateur=autre, email=autre.user.email)
    client.force_login(autre.user)
    url = reverse("procedures:envoyer_copie", args=[procedure_en_test.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": autre.user.email}).status_code == 404
    assert Procedure.objects.count() == 1
    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == 403
