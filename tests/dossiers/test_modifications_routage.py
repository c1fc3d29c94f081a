"""« Déposer les modifications » of a dossier en construction: the dossier is routed again when the
answer to the routing champ changed, and a pending « demande de correction » is resolved."""

import html

import pytest
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services, services_modification, transitions
from demarches.dossiers.models import Champ, CorrectionDemande, Dossier, Follow
from demarches.procedures import groupes
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def monde(db, administrateur):
    """A published démarche routed on « Secteur » (Nord → défaut, Sud → « Groupe Sud »), and a dossier
    deposited with « Nord », followed by an instructeur of the default groupe."""
    nord, sud = factories.InstructeurFactory(), factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[nord], publier=False,
        champs=[("text", "Nom du projet", True, {}), ("drop_down_list", "Secteur", True, {"choices": ["Nord", "Sud"]})],
    )
    groupe_sud = groupes.groupe_instructeur_creer(procedure=procedure, administrateur=administrateur, label="Groupe Sud")
    groupe_sud.instructeurs.add(sud)
    secteur = procedure.draft_revision.types_de_champ.get(libelle="Secteur")
    groupes.routage_definir(
        procedure=procedure, administrateur=administrateur, stable_id=secteur.stable_id, regles={"Sud": groupe_sud.pk}
    )
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="routee")
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    revision = dossier.revision
    nom = revision.types_de_champ.get(libelle="Nom du projet")
    secteur = revision.types_de_champ.get(libelle="Secteur")
    Champ.objects.create(dossier=dossier, type_de_champ=nom, stable_id=nom.stable_id, value="Projet")
    Champ.objects.create(dossier=dossier, type_de_champ=secteur, stable_id=secteur.stable_id, value="Nord")
    assert services.dossier_deposer(dossier=dossier, user=owner) == []
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == procedure.default_groupe
    Follow.objects.create(instructeur=nord, dossier=dossier)
    OutgoingEmail.objects.all().delete()
    return {"dossier": dossier, "owner": owner, "nord": nord, "sud": sud, "groupe_sud": groupe_sud,
            "nom": nom, "secteur": secteur, "procedure": procedure}


def _deposer_modifications(client, monde, **answers):
    dossier = monde["dossier"]
    client.force_login(monde["owner"])
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    data = {monde["nom"].html_id: "Projet", monde["secteur"].html_id: "Nord"}
    data.update({monde[key].html_id: value for key, value in answers.items()})
    return client.post(copie_url, {**data, "action": "deposer_modifications"})


# --- Re-routage ---------------------------------------------------------------------------------


def test_a_changed_routing_answer_moves_the_dossier_to_its_new_groupe(client, monde, run_on_commit):
    dossier, nord, sud = monde["dossier"], monde["nord"], monde["sud"]
    # when the usager answers « Sud » and deposits the modifications
    response = _deposer_modifications(client, monde, secteur="Sud")
    assert response.url == reverse("dossiers:show", args=[dossier.pk])
    dossier.refresh_from_db()
    # then the dossier is in the groupe « Sud », as a new deposit with that answer would be
    assert dossier.groupe_instructeur == monde["groupe_sud"]
    assert groupes.groupe_de_routage(dossier) == monde["groupe_sud"]
    # the follower of the old groupe no longer follows it and is told; the new groupe is told as for a new dossier
    assert not Follow.objects.filter(dossier=dossier).exists()
    assert list(OutgoingEmail.objects.filter(kind="dossier_reroute").values_list("to", flat=True)) == [nord.user.email]
    assert "Groupe Sud" in OutgoingEmail.objects.get(kind="dossier_reroute").body
    assert list(OutgoingEmail.objects.filter(kind="nouveau_dossier").values_list("to", flat=True)) == [sud.user.email]
    assert not OutgoingEmail.objects.filter(kind="modifications_instructeur").exists()
    # an audit entry tells the move and why
    log = OperationLog.objects.get(dossier_id=dossier.pk, operation=groupes.OPERATION_GROUPE_CHANGER)
    assert log.automatic and log.actor_email == monde["owner"].email
    assert log.data["reroutage"] and log.data["nouveau_label"] == "Groupe Sud" and log.data["ancien_label"] == "défaut"
    assert log.data["suivis_retires"] == [nord.user.email]


def test_after_the_move_only_the_new_groupe_reaches_the_dossier(client, monde):
    dossier, nord, sud = monde["dossier"], monde["nord"], monde["sud"]
    _deposer_modifications(client, monde, secteur="Sud")
    url = reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk])
    client.force_login(sud.user)
    assert client.get(url).status_code == 200
    client.force_login(nord.user)
    assert client.get(url).status_code in (403, 404)


def test_an_unchanged_routing_answer_keeps_the_groupe_and_tells_the_followers(client, monde, run_on_commit):
    dossier = monde["dossier"]
    _deposer_modifications(client, monde, nom="Projet renommé")
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == monde["procedure"].default_groupe
    assert Follow.objects.filter(dossier=dossier, instructeur=monde["nord"]).exists()
    assert not OperationLog.objects.filter(dossier_id=dossier.pk, operation=groupes.OPERATION_GROUPE_CHANGER).exists()
    assert list(OutgoingEmail.objects.filter(kind="modifications_instructeur").values_list("to", flat=True)) == [
        monde["nord"].user.email
    ]


def test_a_groupe_chosen_by_an_instructeur_is_kept(client, monde, administrateur):
    dossier = monde["dossier"]
    autre = groupes.groupe_instructeur_creer(procedure=monde["procedure"], administrateur=administrateur, label="Autre")
    groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=monde["nord"].user, groupe=autre)
    _deposer_modifications(client, monde, secteur="Sud")
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == autre
    assert _valeur(dossier, monde["secteur"]) == "Sud"


def test_a_closed_target_groupe_sends_the_dossier_to_the_default_one(client, monde, administrateur):
    dossier = monde["dossier"]
    # deposited in « Sud » first
    _deposer_modifications(client, monde, secteur="Sud")
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == monde["groupe_sud"]
    groupes.groupe_instructeur_modifier(groupe=monde["groupe_sud"], administrateur=administrateur, closed=True)
    # back to « Nord »: the default groupe
    _deposer_modifications(client, monde, secteur="Nord")
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == monde["procedure"].default_groupe


def test_another_usager_cannot_deposit_the_modifications(client, monde):
    dossier = monde["dossier"]
    client.force_login(monde["owner"])
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    client.post(copie_url, {monde["secteur"].html_id: "Sud"}, HTTP_HX_REQUEST="true")
    client.force_login(factories.UserFactory())
    response = client.post(copie_url, {monde["secteur"].html_id: "Sud", "action": "deposer_modifications"})
    assert response.status_code in (403, 404)
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == monde["procedure"].default_groupe
    assert _valeur(dossier, monde["secteur"]) == "Nord"


def _valeur(dossier, tdc):
    return Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id, row_id="").value


# --- Correction ---------------------------------------------------------------------------------


@pytest.fixture
def correction(monde):
    dossier, nord = monde["dossier"], monde["nord"]
    transitions.passer_en_instruction(dossier=dossier, instructeur=nord)
    transitions.repasser_en_construction_avec_correction(
        dossier=dossier, instructeur=nord, message="Le nom du projet est incomplet.", reason="incomplete",
    )
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION
    return CorrectionDemande.objects.get(dossier=dossier)


def test_depositing_modifications_resolves_the_pending_correction(client, monde, correction):
    dossier = monde["dossier"]
    client.force_login(monde["owner"])
    show = reverse("dossiers:show", args=[dossier.pk])
    content = page(client.get(show))
    assert 'id="correction-demandee"' in content and "Le nom du projet est incomplet." in content
    # the working copy's page recalls the correction and what depositing does
    copie_page = page(client.get(client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url))
    assert 'id="correction-a-effectuer"' in copie_page and "Le nom du projet est incomplet." in copie_page
    assert "la correction sera signalée comme effectuée" in copie_page
    # when the usager corrects his dossier and deposits the modifications
    _deposer_modifications(client, monde, nom="Projet complet")
    # then the correction is done, the banner is gone
    correction.refresh_from_db()
    assert not correction.is_pending and correction.resolved_at is not None
    assert 'id="correction-demandee"' not in page(client.get(show))
    log = OperationLog.objects.get(dossier_id=dossier.pk, operation="correction_effectuer")
    assert log.actor_email == monde["owner"].email and log.data["correction"] == correction.pk
    # and the instructeur reads « correction effectuée » (not « en attente de correction »)
    client.force_login(monde["nord"].user)
    content = page(client.get(reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk])))
    assert "correction effectuée le " in content and "en attente de correction" not in content
    # a new correction may be asked again once the dossier is en instruction
    transitions.passer_en_instruction(dossier=dossier, instructeur=monde["nord"])
    dossier.refresh_from_db()
    assert transitions.can_demander_correction(dossier, monde["nord"].user)


def test_abandoning_the_modifications_leaves_the_correction_pending(client, monde, correction):
    dossier = monde["dossier"]
    client.force_login(monde["owner"])
    client.get(reverse("dossiers:brouillon", args=[dossier.pk]))
    copie = Dossier.objects.get(editing_fork_origin=dossier)
    services_modification.dossier_modifications_abandonner(copie=copie, user=monde["owner"])
    correction.refresh_from_db()
    assert correction.is_pending
    client.force_login(monde["nord"].user)
    content = page(client.get(reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk])))
    assert "en attente de correction" in content and "correction effectuée" not in content


def test_a_deposit_with_errors_leaves_the_correction_pending(client, monde, correction):
    response = _deposer_modifications(client, monde, nom="")
    assert response.status_code == 200
    correction.refresh_from_db()
    assert correction.is_pending


def test_the_correction_badge_is_not_shown_once_the_dossier_is_en_instruction_again(client, monde, correction):
    """Passing en instruction also closes the correction: the usager did not make it, so no « effectuée »."""
    dossier, nord = monde["dossier"], monde["nord"]
    transitions.passer_en_instruction(dossier=dossier, instructeur=nord)
    client.force_login(nord.user)
    content = page(client.get(reverse("instruction:dossier", args=[dossier.procedure_id, dossier.pk])))
    assert "correction effectuée" not in content and "en attente de correction" not in content
