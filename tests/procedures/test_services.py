"""Services of the procedures app: form schema on the draft revision, instructeurs, lifecycle."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from demarches.accounts.models import Instructeur
from demarches.audit.models import OperationLog
from demarches.procedures import services
from demarches.procedures.models import InstructeurInvitation, TypeDeChamp
from tests import factories

pytestmark = pytest.mark.django_db


def _libelles(revision):
    return list(revision.public_types_de_champ().values_list("libelle", flat=True))


def _positions(revision):
    return list(revision.public_types_de_champ().values_list("position", flat=True))


@pytest.fixture
def trois_champs(administrateur):
    return factories.procedure_creer(
        administrateur=administrateur, publier=False,
        champs=[("text", "Nom", True), ("email", "Courriel", False), ("date", "Date de naissance", False)],
    )


def test_modifier_change_the_draft_champ(trois_champs, administrateur):
    # given
    tdc = trois_champs.draft_revision.public_types_de_champ().get(libelle="Nom")
    # when
    services.type_de_champ_modifier(
        procedure=trois_champs, administrateur=administrateur, stable_id=tdc.stable_id, type_champ="drop_down_list",
        libelle=" Ville ", description="Votre ville", mandatory=False, options={"choices": ["Paris", " ", "Lyon"]},
    )
    # then
    tdc.refresh_from_db()
    assert (tdc.type_champ, tdc.libelle, tdc.description, tdc.mandatory) == ("drop_down_list", "Ville", "Votre ville", False)
    assert tdc.options == {"choices": ["Paris", "Lyon"]}


def test_choice_types_need_at_least_one_option(trois_champs, administrateur):
    tdc = trois_champs.draft_revision.public_types_de_champ().first()
    with pytest.raises(ValidationError) as error:
        services.type_de_champ_modifier(
            procedure=trois_champs, administrateur=administrateur, stable_id=tdc.stable_id, type_champ="drop_down_list",
            libelle="Ville", options={"choices": ["--separator--"]},
        )
    assert "options" in error.value.error_dict


def test_deplacer_swaps_with_neighbour_and_renumbers(trois_champs, administrateur):
    revision = trois_champs.draft_revision
    dernier = revision.public_types_de_champ().get(libelle="Date de naissance")
    services.type_de_champ_deplacer(procedure=trois_champs, administrateur=administrateur, stable_id=dernier.stable_id, direction="haut")
    assert _libelles(revision) == ["Nom", "Date de naissance", "Courriel"]
    premier = revision.public_types_de_champ().get(libelle="Nom")
    services.type_de_champ_deplacer(procedure=trois_champs, administrateur=administrateur, stable_id=premier.stable_id, direction="haut")
    assert _libelles(revision) == ["Nom", "Date de naissance", "Courriel"]
    services.type_de_champ_deplacer(procedure=trois_champs, administrateur=administrateur, stable_id=premier.stable_id, direction="bas")
    assert _libelles(revision) == ["Date de naissance", "Nom", "Courriel"]
    assert _positions(revision) == [1, 2, 3]


def test_supprimer_renumbers_positions(trois_champs, administrateur):
    revision = trois_champs.draft_revision
    milieu = revision.public_types_de_champ().get(libelle="Courriel")
    services.type_de_champ_supprimer(procedure=trois_champs, administrateur=administrateur, stable_id=milieu.stable_id)
    assert _libelles(revision) == ["Nom", "Date de naissance"]
    assert _positions(revision) == [1, 2]


def test_champ_services_refuse_another_administrateur(trois_champs):
    intrus = factories.AdministrateurFactory()
    tdc = trois_champs.draft_revision.public_types_de_champ().first()
    with pytest.raises(PermissionDenied):
        services.type_de_champ_supprimer(procedure=trois_champs, administrateur=intrus, stable_id=tdc.stable_id)
    with pytest.raises(PermissionDenied):
        services.type_de_champ_ajouter(procedure=trois_champs, administrateur=intrus, type_champ="text", libelle="X")
    assert trois_champs.draft_revision.types_de_champ.count() == 3


def test_published_revision_is_never_written(procedure, administrateur):
    # given a published démarche
    published = procedure.published_revision
    frozen = list(published.types_de_champ.values_list("stable_id", "libelle", "position"))
    stable_id = frozen[0][0]
    # when the administrateur edits, adds, moves and deletes
    services.type_de_champ_modifier(procedure=procedure, administrateur=administrateur, stable_id=stable_id, type_champ="text", libelle="Nouveau libellé")
    services.type_de_champ_ajouter(procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Ajouté")
    services.type_de_champ_deplacer(procedure=procedure, administrateur=administrateur, stable_id=stable_id, direction="bas")
    # then only the draft changed
    assert list(published.types_de_champ.values_list("stable_id", "libelle", "position")) == frozen
    assert _libelles(procedure.draft_revision) == ["Ajouté", "Nouveau libellé"]
    services.type_de_champ_supprimer(procedure=procedure, administrateur=administrateur, stable_id=stable_id)
    assert list(published.types_de_champ.values_list("stable_id", "libelle", "position")) == frozen


def test_a_frozen_draft_is_refused(procedure, administrateur):
    # A draft revision that somehow got frozen must not be edited.
    procedure.draft_revision = procedure.published_revision
    with pytest.raises(ValidationError):
        services.type_de_champ_ajouter(procedure=procedure, administrateur=administrateur, type_champ="text", libelle="X")


def test_modifier_logs_an_operation(trois_champs, administrateur):
    tdc = trois_champs.draft_revision.public_types_de_champ().first()
    services.type_de_champ_supprimer(procedure=trois_champs, administrateur=administrateur, stable_id=tdc.stable_id)
    entry = OperationLog.objects.filter(procedure_id=trois_champs.pk).last()
    assert entry.operation == OperationLog.Operation.PROCEDURE_MODIFIER
    assert entry.data["action"] == "type_de_champ_supprimer"


def test_affecter_existing_user_creates_instructeur_profile(
    procedure_en_test, administrateur, mailoutbox, django_capture_on_commit_callbacks
):
    # given a user without instructeur profile
    user = factories.UserFactory(email="agent@exemple.fr")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = services.instructeur_affecter(procedure=procedure_en_test, administrateur=administrateur, email="AGENT@exemple.fr ")
    # then
    assert isinstance(result, Instructeur) and result.user == user
    assert procedure_en_test.default_groupe.instructeurs.filter(pk=result.pk).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["agent@exemple.fr"]
    assert "Vous avez été affecté à la démarche" in mailoutbox[0].subject
    assert "/procedures/" in mailoutbox[0].body
    assert OperationLog.objects.filter(operation=OperationLog.Operation.INSTRUCTEUR_AFFECTER, procedure_id=procedure_en_test.pk).exists()


def test_affecter_twice_is_an_error(procedure_en_test, administrateur, instructeur):
    with pytest.raises(ValidationError) as error:
        services.instructeur_affecter(procedure=procedure_en_test, administrateur=administrateur, email=instructeur.user.email)
    assert "déjà instructeur" in error.value.error_dict["email"][0].messages[0]


def test_affecter_unknown_email_invites_once(procedure_en_test, administrateur, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.instructeur_affecter(procedure=procedure_en_test, administrateur=administrateur, email="nouvelle@exemple.fr")
        again = services.instructeur_affecter(procedure=procedure_en_test, administrateur=administrateur, email="nouvelle@exemple.fr")
    assert isinstance(first, InstructeurInvitation) and first.pk == again.pk
    assert InstructeurInvitation.objects.count() == 1
    assert len(mailoutbox) == 2  # the invitation is sent again


def test_retirer_instructeur(procedure_en_test, administrateur, instructeur):
    services.instructeur_retirer(procedure=procedure_en_test, administrateur=administrateur, instructeur=instructeur)
    assert not procedure_en_test.default_groupe.instructeurs.exists()
    with pytest.raises(ValidationError):
        services.instructeur_retirer(procedure=procedure_en_test, administrateur=administrateur, instructeur=instructeur)


def test_procedure_modifier_keeps_public_once_published(procedure, administrateur):
    services.procedure_modifier(procedure=procedure, administrateur=administrateur, libelle="Nouveau titre", for_individual=True)
    procedure.refresh_from_db()
    assert procedure.libelle == "Nouveau titre"
    with pytest.raises(ValidationError) as error:
        services.procedure_modifier(procedure=procedure, administrateur=administrateur, for_individual=False)
    assert "for_individual" in error.value.error_dict


def test_duree_conservation_is_bounded(administrateur):
    with pytest.raises(ValidationError):
        services.procedure_creer(administrateur=administrateur, libelle="X", description="Y", duree_conservation_dossiers=37)


def test_service_of_another_administrateur_is_refused(administrateur):
    autre = factories.ServiceFactory()
    with pytest.raises(PermissionDenied):
        services.procedure_creer(administrateur=administrateur, libelle="X", description="Y", service=autre)


def test_republication_freezes_a_new_revision(procedure, administrateur):
    first = procedure.published_revision
    services.type_de_champ_ajouter(procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Ajouté")
    procedure = services.procedure_publier(procedure=procedure, administrateur=administrateur, path=procedure.path)
    assert procedure.published_revision != first and procedure.published_revision.is_frozen
    assert first.is_frozen
    assert _libelles(procedure.published_revision) == ["Nom du projet", "Ajouté"]
    assert TypeDeChamp.objects.filter(revision=first).count() == 1


def test_path_suggestion():
    assert services.path_suggestion("Demande d'aide à l'achat d'un vélo !") == "demande-daide-a-lachat-dun-velo"
    assert services.path_suggestion("!!!") == "demarche"
