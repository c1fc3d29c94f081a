"""Co-administrateurs: add by e-mail, remove, never the last one."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demarches.core.models import OutgoingEmail
from demarches.procedures import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_add_a_co_administrateur_by_email(admin_client, procedure, administrateur):
    co = factories.AdministrateurFactory()
    url = reverse("procedures:administrateurs", args=[procedure.pk])
    response = admin_client.post(url, {"email": f"  {co.user.email.upper()} "})
    assert response.status_code == 302
    assert set(procedure.administrateurs.all()) == {administrateur, co}
    email = OutgoingEmail.objects.get(kind="administrateur_ajoute")
    assert email.to == co.user.email and procedure.libelle in email.subject
    assert reverse("procedures:show", args=[procedure.pk]) in email.body
    # he now sees it on his dashboard
    admin_client.force_login(co.user)
    assert reverse("procedures:show", args=[procedure.pk]) in admin_client.get(reverse("procedures:index")).content.decode()


@pytest.mark.parametrize("email,message", [
    ("inconnu@exemple.fr", "Aucun administrateur n&#x27;a l&#x27;adresse inconnu@exemple.fr"),
    ("pas une adresse", "Saisissez une adresse électronique valide"),
    ("", "Indiquez l&#x27;adresse électronique de l&#x27;administrateur."),
])
def test_add_errors_are_shown_next_to_the_field(admin_client, procedure, email, message):
    html = admin_client.post(reverse("procedures:administrateurs", args=[procedure.pk]), {"email": email}).content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert procedure.administrateurs.count() == 1


def test_a_simple_usager_cannot_be_added(procedure, administrateur, usager):
    with pytest.raises(ValidationError, match="doit d'abord obtenir un compte administrateur"):
        services.administrateur_ajouter(procedure=procedure, administrateur=administrateur, email=usager.email)


def test_already_administrateur(procedure, administrateur):
    with pytest.raises(ValidationError, match="administre déjà cette démarche"):
        services.administrateur_ajouter(procedure=procedure, administrateur=administrateur, email=administrateur.user.email)


def test_remove_a_co_administrateur_but_never_the_last_one(admin_client, procedure, administrateur):
    co = factories.AdministrateurFactory()
    procedure.administrateurs.add(co)
    page = admin_client.get(reverse("procedures:administrateurs", args=[procedure.pk])).content.decode()
    assert page.count("Retirer<span") == 2
    response = admin_client.post(reverse("procedures:administrateur_retirer", args=[procedure.pk, co.pk]))
    assert response.status_code == 302
    assert list(procedure.administrateurs.all()) == [administrateur]
    page = admin_client.get(reverse("procedures:administrateurs", args=[procedure.pk])).content.decode()
    assert "Seul administrateur : ne peut pas être retiré" in page
    response = admin_client.post(reverse("procedures:administrateur_retirer", args=[procedure.pk, administrateur.pk]), follow=True)
    assert "Une démarche doit toujours avoir au moins un administrateur" in response.content.decode()
    assert list(procedure.administrateurs.all()) == [administrateur]


def test_leaving_a_demarche_sends_back_to_the_dashboard(admin_client, procedure, administrateur):
    co = factories.AdministrateurFactory()
    procedure.administrateurs.add(co)
    response = admin_client.post(reverse("procedures:administrateur_retirer", args=[procedure.pk, administrateur.pk]))
    assert response["Location"] == reverse("procedures:index")
    assert list(procedure.administrateurs.all()) == [co]
    assert admin_client.get(reverse("procedures:show", args=[procedure.pk])).status_code == 404


def test_removing_someone_who_is_not_administrateur_is_404(admin_client, procedure):
    other = factories.AdministrateurFactory()
    assert admin_client.post(reverse("procedures:administrateur_retirer", args=[procedure.pk, other.pk])).status_code == 404
