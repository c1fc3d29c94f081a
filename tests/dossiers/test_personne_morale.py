"""Personne morale: the SIRET identity step, the registry's answer, the degraded mode, the deposit."""

import html

import pytest
from django.http import QueryDict
from django.urls import reverse

from demarches.dossiers import services
from demarches.dossiers.models import Dossier
from demarches.referentiels import adapters
from demarches.referentiels.adapters.entreprise import EntrepriseAdapter
from tests import factories

S = Dossier.State
SIRET = "81234567600017"  # BOULANGERIE MARTIN in the offline registry


class RegistreEnPanne(EntrepriseAdapter):
    id = "en_panne"

    def etablissement(self, siret):
        raise adapters.ServiceIndisponible("timeout")


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure_entreprises(db, administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], for_individual=False,
        champs=[("text", "Nom du projet", True, {})],
    )


@pytest.fixture
def brouillon(procedure_entreprises, usager):
    return factories.dossier_creer(procedure=procedure_entreprises, user=usager)


@pytest.fixture
def logged(client, usager):
    client.force_login(usager)
    return client


def test_commencer_a_demarche_for_companies_leads_to_the_siret_step(logged, procedure_entreprises):
    response = logged.post(reverse("dossiers:commencer", kwargs={"path": procedure_entreprises.path}))
    dossier = Dossier.objects.get()
    assert response.url == reverse("dossiers:identite", args=[dossier.pk])
    content = page(logged.get(response.url))
    assert "Identifier votre établissement" in content and 'name="siret"' in content


def test_the_form_is_not_reachable_before_the_siret_is_given(logged, brouillon):
    response = logged.get(reverse("dossiers:brouillon", args=[brouillon.pk]))
    assert response.url == reverse("dossiers:identite", args=[brouillon.pk])


@pytest.mark.parametrize(
    "saisie, message",
    [
        ("1234", "exactement 14 chiffres"),
        ("81234567600018", "clé de contrôle"),
        ("", "Renseignez le numéro SIRET"),
    ],
)
def test_an_invalid_siret_is_refused_with_its_reason(logged, brouillon, saisie, message):
    response = logged.post(reverse("dossiers:identite", args=[brouillon.pk]), {"siret": saisie, "action": "rechercher"})
    assert response.status_code == 200 and message in page(response)
    brouillon.refresh_from_db()
    assert brouillon.siret == ""


def test_an_unknown_siret_is_refused(logged, brouillon):
    response = logged.post(reverse("dossiers:identite", args=[brouillon.pk]), {"siret": "73282932000074"})
    assert "Aucun établissement ne correspond" in page(response)


def test_a_known_siret_shows_the_etablissement_then_continue_stores_it(logged, brouillon):
    url = reverse("dossiers:identite", args=[brouillon.pk])
    # given the usager types the SIRET with spaces
    response = logged.post(url, {"siret": "812 345 676 00017", "action": "rechercher"})
    content = page(response)
    # then the établissement is shown, nothing stored yet
    assert "BOULANGERIE MARTIN" in content and "12 Rue de la République" in content and "10.71C" in content
    assert "Continuer avec ces informations" in content and "Utiliser un autre numéro SIRET" in content
    brouillon.refresh_from_db()
    assert brouillon.siret == ""
    # when he continues
    response = logged.post(url, {"siret": SIRET, "action": "confirmer"})
    assert response.url == reverse("dossiers:brouillon", args=[brouillon.pk])
    brouillon.refresh_from_db()
    assert brouillon.siret == SIRET and brouillon.etablissement["etat"] == "ok"
    assert brouillon.demandeur == "BOULANGERIE MARTIN"
    # and the form shows the demandeur with a way to change it
    content = page(logged.get(reverse("dossiers:brouillon", args=[brouillon.pk])))
    assert "Établissement demandeur" in content and "BOULANGERIE MARTIN" in content


def test_use_another_siret_shows_an_empty_form(logged, brouillon):
    Dossier.objects.filter(pk=brouillon.pk).update(siret=SIRET, etablissement={"etat": "ok", "etablissement": {}})
    content = page(logged.get(reverse("dossiers:identite", args=[brouillon.pk]) + "?autre=1"))
    assert f'value="{SIRET}"' not in content and 'name="siret"' in content


def test_registry_down_gives_a_clearly_marked_degraded_mode(logged, brouillon):
    url = reverse("dossiers:identite", args=[brouillon.pk])
    with adapters.remplacer("entreprise", RegistreEnPanne()):
        content = page(logged.post(url, {"siret": SIRET, "action": "rechercher"}))
        assert "momentanément indisponibles" in content and "Continuer avec ce numéro SIRET" in content
        logged.post(url, {"siret": SIRET, "action": "confirmer"})
        brouillon.refresh_from_db()
        assert brouillon.siret == SIRET and brouillon.etablissement_indisponible
        content = page(logged.get(reverse("dossiers:brouillon", args=[brouillon.pk])))
        assert "non disponibles" in content


def test_deposit_requires_the_siret_then_looks_the_etablissement_up_again(brouillon, usager, run_on_commit):
    tdc = brouillon.revision.types_de_champ.get(libelle="Nom du projet")
    services.champs_enregistrer(dossier=brouillon, user=usager, posted=QueryDict(f"{tdc.html_id}=Projet"))
    with pytest.raises(Exception, match="SIRET"):
        services.dossier_deposer(dossier=brouillon, user=usager)
    Dossier.objects.filter(pk=brouillon.pk).update(siret=SIRET, etablissement={"etat": "indisponible", "tente_le": ""})
    brouillon.refresh_from_db()
    assert services.dossier_deposer(dossier=brouillon, user=usager) == []
    brouillon.refresh_from_db()
    assert brouillon.state == S.EN_CONSTRUCTION
    assert brouillon.etablissement["etat"] == "ok"
    assert brouillon.etablissement["etablissement"]["raison_sociale"] == "BOULANGERIE MARTIN"


def test_a_demarche_for_individuals_never_takes_a_siret(logged, usager, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    response = logged.post(reverse("dossiers:identite", args=[dossier.pk]), {"siret": SIRET, "action": "confirmer"})
    assert response.status_code == 200  # the individual identity form, with its errors
    dossier.refresh_from_db()
    assert dossier.siret == ""


@pytest.mark.parametrize("who", ["other_usager", "instructeur_autre", "anonymous"])
def test_only_owner_and_invitees_reach_the_siret_step(client, brouillon, who):
    url = reverse("dossiers:identite", args=[brouillon.pk])
    if who == "other_usager":
        client.force_login(factories.UserFactory())
    elif who == "instructeur_autre":
        autre = factories.InstructeurFactory()
        factories.procedure_creer(instructeurs=[autre])
        client.force_login(autre.user)
    response = client.post(url, {"siret": SIRET, "action": "confirmer"})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "login" in response.url or "connexion" in response.url
    brouillon.refresh_from_db()
    assert brouillon.siret == ""


def test_an_invitee_may_give_the_siret(client, brouillon):
    invitee = factories.UserFactory()
    brouillon.invitations.create(email=invitee.email, invited_by=brouillon.user)
    client.force_login(invitee)
    response = client.post(reverse("dossiers:identite", args=[brouillon.pk]), {"siret": SIRET, "action": "confirmer"})
    assert response.status_code == 302
    brouillon.refresh_from_db()
    assert brouillon.siret == SIRET
