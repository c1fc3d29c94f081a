"""Groupes d'instructeurs and routing: services (procedures/groupes.py) and the routing at deposit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import QueryDict

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import Dossier, Follow
from demarches.procedures import groupes
from demarches.procedures import services as procedure_services
from demarches.procedures.models import GroupeInstructeur
from tests import factories

DEPARTEMENTS = ["Ain", "Aisne", "Allier"]


@pytest.fixture
def demarche(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur],
        champs=[("drop_down_list", "Département", True, {"choices": DEPARTEMENTS}), ("text", "Nom du projet", False)],
        cadre_juridique="Article L. 112-8 du code des relations entre le public et l'administration",
    )


def champ_departement(procedure):
    return next(t for t in groupes.champs_de_routage(procedure) if t.libelle == "Département")


def deposer(procedure, reponse: str) -> Dossier:
    user = factories.UserFactory()
    dossier = dossier_services.dossier_creer(procedure=procedure, user=user)
    dossier_services.dossier_identite_enregistrer(dossier=dossier, user=user, civilite="Mme", nom="Martin", prenom="Claire")
    tdc = next(t for t in dossier.revision.public_types_de_champ() if t.libelle == "Département")
    posted = QueryDict(mutable=True)
    posted.setlist(tdc.html_id, [reponse])
    assert dossier_services.champs_enregistrer(dossier=dossier, user=user, posted=posted) == {}
    assert dossier_services.dossier_deposer(dossier=dossier, user=user) == []
    dossier.refresh_from_db()
    return dossier


def router(demarche, administrateur, regles):
    groupes.routage_definir(
        procedure=demarche, administrateur=administrateur, stable_id=champ_departement(demarche).stable_id,
        regles={option: (groupe.pk if groupe else None) for option, groupe in regles.items()},
    )


def test_creer_groupe_with_unique_label(demarche, administrateur):
    # Given a démarche with its default groupe
    groupe = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="  Ain  ")
    # Then the label is cleaned, and the same name (any case) is refused for a second groupe
    assert groupe.label == "Ain" and not groupe.closed
    with pytest.raises(ValidationError, match="existe déjà"):
        groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="ain")
    with pytest.raises(ValidationError, match="Indiquez le nom"):
        groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="   ")
    assert OperationLog.objects.filter(procedure_id=demarche.pk, data__action="groupe_instructeur_creer").count() == 1


def test_label_unique_in_database(demarche):
    GroupeInstructeur.objects.create(procedure=demarche, label="Nord")
    with pytest.raises(IntegrityError):
        GroupeInstructeur.objects.create(procedure=demarche, label="Nord")


def test_renommer_refuses_the_name_of_another_groupe(demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    with pytest.raises(ValidationError, match="existe déjà"):
        groupes.groupe_instructeur_modifier(groupe=ain, administrateur=administrateur, label=demarche.default_groupe.label)
    renamed = groupes.groupe_instructeur_modifier(groupe=ain, administrateur=administrateur, label="Département de l'Ain")
    assert renamed.label == "Département de l'Ain"


def test_only_an_administrateur_of_the_demarche_manages_groupes(demarche):
    other = factories.AdministrateurFactory()
    with pytest.raises(PermissionDenied):
        groupes.groupe_instructeur_creer(procedure=demarche, administrateur=other, label="Ain")
    with pytest.raises(PermissionDenied):
        groupes.groupe_instructeur_modifier(groupe=demarche.default_groupe, administrateur=other, closed=True)


def test_the_last_open_groupe_cannot_be_closed(demarche, administrateur):
    with pytest.raises(ValidationError, match="au moins un groupe doit rester ouvert|Au moins un groupe"):
        groupes.groupe_instructeur_modifier(groupe=demarche.default_groupe, administrateur=administrateur, closed=True)
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    groupes.groupe_instructeur_modifier(groupe=demarche.default_groupe, administrateur=administrateur, closed=True)
    with pytest.raises(ValidationError):
        groupes.groupe_instructeur_modifier(groupe=ain, administrateur=administrateur, closed=True)


def test_supprimer_only_an_empty_groupe_never_the_last(demarche, administrateur):
    defaut = demarche.default_groupe
    with pytest.raises(ValidationError, match="au moins un groupe"):
        groupes.groupe_instructeur_supprimer(groupe=defaut, administrateur=administrateur)
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    Dossier.objects.filter(pk=dossier.pk).update(groupe_instructeur=ain)
    with pytest.raises(ValidationError, match="a des dossiers"):
        groupes.groupe_instructeur_supprimer(groupe=ain, administrateur=administrateur)
    vide = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Allier")
    groupes.groupe_instructeur_supprimer(groupe=vide, administrateur=administrateur)
    assert not GroupeInstructeur.objects.filter(pk=vide.pk).exists()


def test_instructeur_affecter_to_a_given_groupe(demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    colleague = factories.InstructeurFactory()
    procedure_services.instructeur_affecter(procedure=demarche, administrateur=administrateur, email=colleague.user.email, groupe=ain)
    assert list(ain.instructeurs.all()) == [colleague]
    assert not demarche.default_groupe.instructeurs.filter(pk=colleague.pk).exists()
    with pytest.raises(ValidationError, match="déjà instructeur de ce groupe"):
        procedure_services.instructeur_affecter(procedure=demarche, administrateur=administrateur, email=colleague.user.email, groupe=ain)
    procedure_services.instructeur_retirer(procedure=demarche, administrateur=administrateur, instructeur=colleague, groupe=ain)
    assert not ain.instructeurs.exists()
    # A groupe of another démarche is refused
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    with pytest.raises(PermissionDenied):
        procedure_services.instructeur_affecter(
            procedure=autre, administrateur=administrateur, email=colleague.user.email, groupe=ain
        )


def test_routing_at_deposit(demarche, administrateur):
    # Given two groupes and a rule per answer
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    aisne = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Aisne")
    router(demarche, administrateur, {"Ain": ain, "Aisne": aisne, "Allier": None})
    demarche.refresh_from_db()
    # When usagers deposit, each dossier lands in the groupe of its answer; no rule → default groupe
    assert deposer(demarche, "Ain").groupe_instructeur == ain
    assert deposer(demarche, "Aisne").groupe_instructeur == aisne
    assert deposer(demarche, "Allier").groupe_instructeur == demarche.default_groupe


def test_closed_groupe_receives_no_new_dossier(demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    router(demarche, administrateur, {"Ain": ain})
    groupes.groupe_instructeur_modifier(groupe=ain, administrateur=administrateur, closed=True)
    demarche.refresh_from_db()
    assert deposer(demarche, "Ain").groupe_instructeur == demarche.default_groupe


def test_closed_default_groupe_sends_to_an_open_one(demarche, administrateur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    groupes.groupe_instructeur_modifier(groupe=demarche.default_groupe, administrateur=administrateur, closed=True)
    assert deposer(demarche, "Allier").groupe_instructeur == ain


def test_routage_rejects_unknown_option_and_foreign_groupe(demarche, administrateur):
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    stable_id = champ_departement(demarche).stable_id
    with pytest.raises(ValidationError, match="n'est pas une option"):
        groupes.routage_definir(procedure=demarche, administrateur=administrateur, stable_id=stable_id, regles={"Paris": None})
    with pytest.raises(ValidationError, match="n'appartient pas"):
        groupes.routage_definir(
            procedure=demarche, administrateur=administrateur, stable_id=stable_id, regles={"Ain": autre.default_groupe.pk}
        )
    with pytest.raises(ValidationError, match="choix simple"):
        groupes.routage_definir(procedure=demarche, administrateur=administrateur, stable_id=999999, regles={})


def test_changer_groupe_drops_followers_and_notifies(demarche, administrateur, instructeur):
    # Given a dossier en construction followed by an instructeur of the default groupe
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    membre = factories.InstructeurFactory()
    ain.instructeurs.add(membre)
    dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    # When the instructeur moves it to « Ain »
    groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=instructeur.user, groupe=ain)
    # Then it is in « Ain », the follower left, the new groupe's instructeur got an e-mail, the audit has it
    dossier.refresh_from_db()
    assert dossier.groupe_instructeur == ain
    assert not Follow.objects.filter(dossier=dossier).exists()
    emails = list(OutgoingEmail.objects.filter(kind="dossier_change_de_groupe"))
    assert [e.to for e in emails] == [membre.user.email]
    assert "affecté à votre groupe « Ain »" in emails[0].subject and f"/{dossier.pk}/" in emails[0].body
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation=groupes.OPERATION_GROUPE_CHANGER).exists()
    # And he may not move it again: he is no longer an instructeur of the dossier
    with pytest.raises(PermissionDenied):
        groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=instructeur.user, groupe=demarche.default_groupe)


def test_changer_groupe_guards(demarche, administrateur, instructeur):
    ain = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Ain")
    termine = factories.dossier_creer(procedure=demarche, state=Dossier.State.ACCEPTE)
    with pytest.raises(PermissionDenied):
        groupes.dossier_changer_groupe_instructeur(dossier=termine, user=instructeur.user, groupe=ain)
    dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_INSTRUCTION)
    with pytest.raises(ValidationError, match="déjà dans le groupe"):
        groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=instructeur.user, groupe=demarche.default_groupe)
    autre = factories.procedure_creer(administrateur=administrateur, publier=False)
    with pytest.raises(ValidationError, match="même démarche"):
        groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=instructeur.user, groupe=autre.default_groupe)
    clos = groupes.groupe_instructeur_creer(procedure=demarche, administrateur=administrateur, label="Allier", closed=True)
    with pytest.raises(ValidationError, match="clos"):
        groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=instructeur.user, groupe=clos)
    stranger = factories.InstructeurFactory()
    with pytest.raises(PermissionDenied):
        groupes.dossier_changer_groupe_instructeur(dossier=dossier, user=stranger.user, groupe=ain)
