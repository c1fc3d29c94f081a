"""« Groupes d'instructeurs » pages of the administrateur: create, rename, close, delete, instructeurs, routing."""

import pytest
from django.urls import reverse

from demarches.procedures import groupes
from demarches.procedures.models import GroupeInstructeur, InstructeurInvitation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demarche(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False, libelle="Subvention vélo",
        champs=[("drop_down_list", "Département", True, {"choices": ["Ain", "Aisne"]})],
    )


def url(name, demarche, *args):
    return reverse(f"procedures:{name}", args=[demarche.pk, *args])


def test_show_links_to_groupes(admin_client, demarche):
    content = admin_client.get(reverse("procedures:show", args=[demarche.pk])).content.decode()
    assert url("groupes", demarche) in content


def test_create_groupe_then_duplicate_name_is_refused(admin_client, demarche):
    response = admin_client.post(url("groupes", demarche), {"label": "Ain"})
    groupe = GroupeInstructeur.objects.get(procedure=demarche, label="Ain")
    assert response.status_code == 302 and response["Location"] == url("groupe", demarche, groupe.pk)
    response = admin_client.post(url("groupes", demarche), {"label": "AIN"})
    assert response.status_code == 200
    assert "Un groupe nommé « AIN » existe déjà" in response.content.decode()
    assert demarche.groupes_instructeurs.count() == 2


def test_list_shows_groupes_and_routing_form(admin_client, demarche, administrateur):
    groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    content = admin_client.get(url("groupes", demarche)).content.decode()
    assert "Groupes de la démarche (2)" in content
    assert "Champ qui choisit le groupe" in content and "Département" in content


def test_routing_form_sets_champ_then_rules(admin_client, demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    tdc = groupes.champs_de_routage(demarche)[0]
    admin_client.post(url("routage", demarche), {"stable_id": str(tdc.stable_id)})
    demarche.refresh_from_db()
    assert demarche.routing_stable_id == tdc.stable_id
    content = admin_client.get(url("groupes", demarche)).content.decode()
    assert "Si l'usager répond « Ain »" in content
    admin_client.post(url("routage", demarche), {"stable_id": str(tdc.stable_id), "regle-0": str(ain.pk), "regle-1": ""})
    ain.refresh_from_db()
    assert ain.routing_values == ["Ain"]
    # Turning routing off clears the rules
    admin_client.post(url("routage", demarche), {"stable_id": ""})
    ain.refresh_from_db()
    demarche.refresh_from_db()
    assert demarche.routing_stable_id is None and ain.routing_values == []


def test_rename_close_reopen_delete(admin_client, demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    admin_client.post(url("groupe", demarche, ain.pk), {"groupe-label": "Département de l'Ain"})
    ain.refresh_from_db()
    assert ain.label == "Département de l'Ain"
    admin_client.post(url("groupe_clore", demarche, ain.pk), {"closed": "1"})
    ain.refresh_from_db()
    assert ain.closed
    admin_client.post(url("groupe_clore", demarche, ain.pk), {"closed": "0"})
    ain.refresh_from_db()
    assert not ain.closed
    response = admin_client.post(url("groupe_supprimer", demarche, ain.pk))
    assert response["Location"] == url("groupes", demarche)
    assert not GroupeInstructeur.objects.filter(pk=ain.pk).exists()


def test_last_groupe_cannot_be_deleted(admin_client, demarche):
    defaut = demarche.default_groupe
    response = admin_client.post(url("groupe_supprimer", demarche, defaut.pk), follow=True)
    assert "au moins un groupe" in response.content.decode()
    assert GroupeInstructeur.objects.filter(pk=defaut.pk).exists()


def test_add_and_remove_instructeurs_of_a_groupe(admin_client, demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    colleague = factories.InstructeurFactory()
    admin_client.post(url("groupe_instructeur_ajouter", demarche, ain.pk), {"instructeur-email": colleague.user.email})
    admin_client.post(url("groupe_instructeur_ajouter", demarche, ain.pk), {"instructeur-email": "nouveau@exemple.fr"})
    assert list(ain.instructeurs.all()) == [colleague]
    assert InstructeurInvitation.objects.filter(groupe=ain, email="nouveau@exemple.fr").exists()
    content = admin_client.get(url("groupe", demarche, ain.pk)).content.decode()
    assert colleague.user.email in content and "nouveau@exemple.fr" in content
    response = admin_client.post(url("groupe_instructeur_ajouter", demarche, ain.pk), {"instructeur-email": "pas-une-adresse"})
    assert response.status_code == 200 and "Saisissez une adresse électronique valide" in response.content.decode()
    admin_client.post(url("groupe_instructeur_retirer", demarche, ain.pk, colleague.pk))
    assert not ain.instructeurs.exists()


def test_another_administrateur_gets_404(client, demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    other = factories.AdministrateurFactory()
    client.force_login(other.user)
    for name, args, method in [
        ("groupes", (), "get"), ("groupes", (), "post"), ("routage", (), "post"), ("groupe", (ain.pk,), "get"),
        ("groupe_clore", (ain.pk,), "post"), ("groupe_supprimer", (ain.pk,), "post"),
        ("groupe_instructeur_ajouter", (ain.pk,), "post"),
    ]:
        response = getattr(client, method)(url(name, demarche, *args), {"label": "X", "closed": "1"})
        assert response.status_code == 404, name
    assert GroupeInstructeur.objects.filter(pk=ain.pk, closed=False).exists()


def test_groupe_of_another_demarche_is_404(admin_client, demarche, administrateur):
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    response = admin_client.get(url("groupe", demarche, autre.default_groupe.pk))
    assert response.status_code == 404


def test_groupes_page_queries_do_not_grow_with_groupes(admin_client, demarche, administrateur, django_assert_max_num_queries):
    for label in ("Ain", "Aisne", "Allier", "Ardèche", "Ardennes"):
        groupe = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label=label)
        groupe.instructeurs.add(factories.InstructeurFactory())
    with django_assert_max_num_queries(15):
        response = admin_client.get(url("groupes", demarche))
    assert response.status_code == 200 and "Groupes de la démarche (6)" in response.content.decode()
