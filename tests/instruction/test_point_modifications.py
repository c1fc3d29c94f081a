"""The orange dot of « modifications déposées »: lit for the followers when the usager deposits modifications
of his dossier en construction, on the list, on the « Demande » tab and on the démarches dashboard, until
the follower opens the demande."""

import html
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from demarches.dossiers import services as dossier_services
from demarches.dossiers import services_modification
from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.instruction import pastilles, selectors, services
from tests import factories

from .conftest import dossier_url

S = Dossier.State
POINT = "(modifications déposées)"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def monde(db, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", True, {})]
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, state=S.BROUILLON)
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    Champ.objects.create(dossier=dossier, type_de_champ=nom, stable_id=nom.stable_id, value="Projet initial")
    assert dossier_services.dossier_deposer(dossier=dossier, user=owner) == []
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION
    collegue = factories.InstructeurFactory()
    procedure.default_groupe.instructeurs.add(collegue)
    return {"procedure": procedure, "dossier": dossier, "owner": owner, "nom": nom, "collegue": collegue}


def deposer_modifications(monde, valeur="Projet modifié"):
    dossier, owner, nom = monde["dossier"], monde["owner"], monde["nom"]
    copie = services_modification.dossier_modification_commencer(dossier=dossier, user=owner)
    posted = QueryDict(mutable=True)
    posted[nom.html_id] = valeur
    dossier_services.champs_enregistrer(dossier=copie, user=owner, posted=posted)
    assert services_modification.dossier_modifications_deposer(copie=copie, user=owner) == []
    dossier.refresh_from_db()
    return dossier


def _liste(client, procedure, statut="suivis"):
    return page(client.get(reverse("instruction:procedure", args=[procedure.pk]), {"statut": statut}))


def test_following_a_dossier_lights_no_dot(instructeur_client, instructeur, monde):
    Follow.objects.create(instructeur=instructeur, dossier=monde["dossier"])
    assert POINT not in _liste(instructeur_client, monde["procedure"])
    assert "instruction-dot" not in page(instructeur_client.get(reverse("instruction:procedures")))


def test_deposited_modifications_light_the_dot_until_the_follower_opens_the_demande(
    instructeur_client, instructeur, monde
):
    # given the instructeur follows the dossier and has read it
    procedure = monde["procedure"]
    Follow.objects.create(instructeur=instructeur, dossier=monde["dossier"])
    instructeur_client.get(dossier_url(monde["dossier"]))
    # when the usager deposits modifications
    dossier = deposer_modifications(monde)
    # then the dot is on the dossier in the list
    assert POINT in _liste(instructeur_client, procedure)
    # on the démarches dashboard, in the « suivis » column
    dashboard = page(instructeur_client.get(reverse("instruction:procedures")))
    assert "instruction-dot" in dashboard and "avec des nouveautés" in dashboard
    # and on the « Demande » tab while he reads another tab
    messagerie = page(instructeur_client.get(dossier_url(dossier, "instruction:messagerie")))
    assert POINT in messagerie
    # when he opens the demande, it tells him what happened, once
    demande = page(instructeur_client.get(dossier_url(dossier)))
    assert "Le demandeur a déposé des modifications" in demande
    # then every dot is out
    assert POINT not in _liste(instructeur_client, procedure)
    assert "instruction-dot" not in page(instructeur_client.get(reverse("instruction:procedures")))
    assert POINT not in page(instructeur_client.get(dossier_url(dossier, "instruction:messagerie")))
    assert "Le demandeur a déposé des modifications" not in page(instructeur_client.get(dossier_url(dossier)))


def test_each_follower_has_his_own_dot_and_non_followers_none(client, instructeur, monde):
    collegue, dossier = monde["collegue"], monde["dossier"]
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    Follow.objects.create(instructeur=collegue, dossier=dossier)
    autre = factories.InstructeurFactory()
    monde["procedure"].default_groupe.instructeurs.add(autre)
    deposer_modifications(monde)
    # the colleague reads it: his dot goes, not the instructeur's
    client.force_login(collegue.user)
    client.get(dossier_url(dossier))
    assert POINT not in _liste(client, monde["procedure"])
    dossier.refresh_from_db()
    assert pastilles.dossier_modifications_non_vues(instructeur, dossier)
    assert not pastilles.dossier_modifications_non_vues(collegue, dossier)
    # an instructeur who does not follow it sees no dot (the dossier is not among his « suivis »)
    assert not pastilles.dossier_modifications_non_vues(autre, dossier)
    client.force_login(autre.user)
    assert POINT not in _liste(client, monde["procedure"], "tous")


def test_abandoned_or_unchanged_modifications_light_no_dot(instructeur, monde):
    dossier, owner = monde["dossier"], monde["owner"]
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    # abandoned
    copie = services_modification.dossier_modification_commencer(dossier=dossier, user=owner)
    services_modification.dossier_modifications_abandonner(copie=copie, user=owner)
    # deposited without any change
    deposer_modifications(monde, valeur="Projet initial")
    dossier.refresh_from_db()
    assert not pastilles.dossier_modifications_non_vues(instructeur, dossier)
    ligne = selectors.dossiers_de_la_liste(instructeur, monde["procedure"], "suivis").get()
    assert not ligne.modifications_non_vues


def test_dashboard_dot_follows_the_column_and_leaves_archived_or_deleted_dossiers(instructeur, monde):
    procedure, dossier = monde["procedure"], monde["dossier"]
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    deposer_modifications(monde)
    ligne = selectors.procedures_avec_compteurs(instructeur).get(pk=procedure.pk)
    assert ligne.nouveautes_suivis and not ligne.nouveautes_traites
    # decided afterwards without being read: the dot moves to « traités »
    Dossier.objects.filter(pk=dossier.pk).update(state=S.ACCEPTE, processed_at=timezone.now())
    ligne = selectors.procedures_avec_compteurs(instructeur).get(pk=procedure.pk)
    assert ligne.nouveautes_traites and not ligne.nouveautes_suivis
    # deleted for the administration: out of the lists, out of the dots
    services.dossier_supprimer_pour_administration(dossier=Dossier.objects.get(pk=dossier.pk), instructeur=instructeur)
    ligne = selectors.procedures_avec_compteurs(instructeur).get(pk=procedure.pk)
    assert not ligne.nouveautes_traites and not ligne.nouveautes_suivis


def test_new_usager_message_lights_the_messagerie_tab_dot(instructeur_client, instructeur, monde):
    dossier = monde["dossier"]
    Follow.objects.create(instructeur=instructeur, dossier=dossier, created_at=timezone.now() - timedelta(hours=1))
    assert "(nouveau message)" not in page(instructeur_client.get(dossier_url(dossier)))
    dossier_services.message_envoyer(dossier=dossier, user=monde["owner"], body="Une précision")
    assert "(nouveau message)" in page(instructeur_client.get(dossier_url(dossier)))
    instructeur_client.get(dossier_url(dossier, "instruction:messagerie"))
    assert "(nouveau message)" not in page(instructeur_client.get(dossier_url(dossier)))
