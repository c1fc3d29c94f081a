"""Writes on dossiers through their services."""

import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services
from demarches.dossiers.models import Commentaire, Dossier, PieceJointe
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4 test"

CHAMPS = [
    ("header_section", "Section", False, {}),
    ("text", "Nom du projet", True, {}),
    ("integer_number", "Nombre", False, {"min": 0}),
    ("checkbox", "J'accepte", True, {}),
    ("multiple_drop_down_list", "Activités", False, {"choices": ["A", "B"]}),
    ("piece_justificative", "Plan", True, {}),
]


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def posted(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS)


@pytest.fixture
def dossier(procedure, usager):
    return factories.dossier_creer(procedure=procedure, user=usager)


def tdc(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


def value(dossier, libelle):
    champ = dossier.champs.filter(stable_id=tdc(dossier, libelle).stable_id).first()
    return champ.value if champ else None


# dossier_creer ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dossier_creer_records_and_announces(procedure, usager, run_on_commit):
    dossier = services.dossier_creer(procedure=procedure, user=usager)
    assert dossier.state == S.BROUILLON and dossier.revision == procedure.published_revision
    assert not dossier.for_procedure_preview and dossier.expire_at
    assert OperationLog.objects.filter(operation="dossier_creer", dossier_id=dossier.pk).exists()
    assert OutgoingEmail.objects.filter(kind="brouillon_cree", to=usager.email).exists()


@pytest.mark.django_db
def test_dossier_creer_on_a_demarche_en_test_is_a_test_dossier(usager, administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], publier=False)
    dossier = services.dossier_creer(procedure=procedure, user=usager, for_test=True)
    assert dossier.for_procedure_preview and dossier.revision == procedure.draft_revision
    # even without the flag, a dossier on a démarche en test is a test dossier
    assert services.dossier_creer(procedure=procedure, user=usager).for_procedure_preview


@pytest.mark.django_db
def test_dossier_creer_on_a_closed_demarche_is_refused(procedure, usager, administrateur):
    procedure = procedure_services.procedure_clore(procedure=procedure, administrateur=administrateur)
    with pytest.raises(ValidationError, match="close"):
        services.dossier_creer(procedure=procedure, user=usager)


# identité, champs ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_identite_is_saved_stripped_and_only_by_the_owner(dossier):
    services.dossier_identite_enregistrer(
        dossier=dossier, user=dossier.user, civilite="M.", nom=" Dupont ", prenom="Jean"
    )
    dossier.refresh_from_db()
    assert (dossier.civilite, dossier.nom, dossier.prenom) == ("M.", "Dupont", "Jean")
    with pytest.raises(PermissionDenied):
        services.dossier_identite_enregistrer(
            dossier=dossier, user=factories.UserFactory(), civilite="M.", nom="X", prenom="Y"
        )


@pytest.mark.django_db
def test_champs_enregistrer_keeps_invalid_values_and_reports_them(dossier):
    nom, nombre = tdc(dossier, "Nom du projet"), tdc(dossier, "Nombre")
    errors = services.champs_enregistrer(
        dossier=dossier, user=dossier.user, posted=posted({nom.html_id: "Projet", nombre.html_id: "-4"})
    )
    assert errors == {nombre.stable_id: "La valeur doit être supérieure ou égale à 0."}
    assert value(dossier, "Nom du projet") == "Projet" and value(dossier, "Nombre") == "-4"
    dossier.refresh_from_db()
    assert dossier.last_champ_updated_at


@pytest.mark.django_db
def test_champs_enregistrer_leaves_champs_not_posted_untouched(dossier):
    nom, nombre = tdc(dossier, "Nom du projet"), tdc(dossier, "Nombre")
    services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=posted({nom.html_id: "Projet"}))
    services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=posted({nombre.html_id: "3"}))
    assert value(dossier, "Nom du projet") == "Projet" and value(dossier, "Nombre") == "3"


@pytest.mark.django_db
def test_present_marker_saves_an_unchecked_checkbox_and_empty_choices(dossier):
    case, activites = tdc(dossier, "J'accepte"), tdc(dossier, "Activités")
    services.champs_enregistrer(
        dossier=dossier, user=dossier.user, posted=posted({case.html_id: "true", activites.html_id: ["B", "A"]})
    )
    assert value(dossier, "J'accepte") == "true"
    assert dossier.champs.get(stable_id=activites.stable_id).data == ["A", "B"]
    services.champs_enregistrer(
        dossier=dossier, user=dossier.user,
        posted=posted({f"{case.html_id}-present": "1", f"{activites.html_id}-present": "1"}),
    )
    assert value(dossier, "J'accepte") == "" and value(dossier, "Activités") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.EN_INSTRUCTION, S.ACCEPTE, S.REFUSE, S.SANS_SUITE])
def test_champs_are_frozen_after_construction(procedure, state):
    dossier = factories.dossier_creer(procedure=procedure, state=state)
    with pytest.raises(PermissionDenied):
        services.champs_enregistrer(
            dossier=dossier, user=dossier.user, posted=posted({tdc(dossier, "Nom du projet").html_id: "X"})
        )
    with pytest.raises(PermissionDenied):
        services.piece_ajouter(dossier=dossier, user=dossier.user, type_de_champ=tdc(dossier, "Plan"), uploaded=pdf())


# pièces justificatives -------------------------------------------------------------------------


@pytest.mark.django_db
def test_piece_ajouter_then_supprimer(dossier):
    plan = tdc(dossier, "Plan")
    piece = services.piece_ajouter(dossier=dossier, user=dossier.user, type_de_champ=plan, uploaded=pdf())
    assert piece.filename == "plan.pdf" and piece.size == len(PDF)
    assert piece.champ.data == ["plan.pdf"]
    path = piece.file.path
    services.piece_supprimer(piece=piece, user=dossier.user)
    assert not PieceJointe.objects.exists()
    assert dossier.champs.get(stable_id=tdc(dossier, "Plan").stable_id).data is None
    assert not os.path.exists(path)


@pytest.mark.django_db
def test_piece_ajouter_refuses_bad_files_and_too_many(dossier, settings):
    plan = tdc(dossier, "Plan")
    with pytest.raises(ValidationError, match="ne correspond pas"):
        services.piece_ajouter(
            dossier=dossier, user=dossier.user, type_de_champ=plan, uploaded=SimpleUploadedFile("x.pdf", b"nope")
        )
    settings.PIECE_JUSTIFICATIVE_MAX_FILES = 1
    services.piece_ajouter(dossier=dossier, user=dossier.user, type_de_champ=plan, uploaded=pdf())
    with pytest.raises(ValidationError, match="plus de 1 fichier à ce champ"):
        services.piece_ajouter(dossier=dossier, user=dossier.user, type_de_champ=plan, uploaded=pdf("b.pdf"))
    assert PieceJointe.objects.count() == 1


# dépôt -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dossier_erreurs_lists_missing_and_invalid_in_form_order(dossier):
    services.champs_enregistrer(
        dossier=dossier, user=dossier.user, posted=posted({tdc(dossier, "Nombre").html_id: "-1"})
    )
    errors = services.dossier_erreurs(dossier)
    assert [(e.type_de_champ.libelle, e.message) for e in errors] == [
        ("Nom du projet", "Ce champ est obligatoire : il doit être rempli."),
        ("Nombre", "La valeur doit être supérieure ou égale à 0."),
        ("J'accepte", "Ce champ est obligatoire : il doit être rempli."),
        ("Plan", "Ce champ est obligatoire : il doit être rempli."),
    ]


@pytest.mark.django_db
def test_dossier_deposer_changes_nothing_while_incomplete(dossier, run_on_commit):
    errors = services.dossier_deposer(dossier=dossier, user=dossier.user)
    assert len(errors) == 3
    dossier.refresh_from_db()
    assert dossier.state == S.BROUILLON and not dossier.traitements.exists()


@pytest.mark.django_db
def test_dossier_deposer_requires_the_identity(dossier):
    Dossier.objects.filter(pk=dossier.pk).update(nom="")
    dossier.refresh_from_db()
    with pytest.raises(ValidationError, match="identité"):
        services.dossier_deposer(dossier=dossier, user=dossier.user)


@pytest.mark.django_db
def test_dossier_deposer_complete(dossier, run_on_commit):
    services.champs_enregistrer(
        dossier=dossier, user=dossier.user,
        posted=posted({tdc(dossier, "Nom du projet").html_id: "P", tdc(dossier, "J'accepte").html_id: "true"}),
    )
    services.piece_ajouter(dossier=dossier, user=dossier.user, type_de_champ=tdc(dossier, "Plan"), uploaded=pdf())
    assert services.dossier_deposer(dossier=dossier, user=dossier.user) == []
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION and dossier.depose_at
    assert OutgoingEmail.objects.filter(kind="accuse_de_reception", dossier_id=dossier.pk).exists()
    assert Commentaire.objects.filter(dossier=dossier, is_automatic=True).exists()


# messagerie ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_message_envoyer_by_the_usager(procedure, instructeur, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    commentaire = services.message_envoyer(dossier=dossier, user=dossier.user, body="  Bonjour  ", piece_jointe=pdf())
    assert commentaire.body == "Bonjour" and commentaire.email == dossier.user.email
    assert commentaire.piece_jointe_filename == "plan.pdf" and not commentaire.is_automatic
    dossier.refresh_from_db()
    assert dossier.last_commentaire_at == commentaire.created_at


@pytest.mark.django_db
def test_message_envoyer_errors_are_by_field(procedure, settings):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    with pytest.raises(ValidationError) as error:
        services.message_envoyer(dossier=dossier, user=dossier.user, body=" ")
    assert "body" in error.value.message_dict
    settings.MESSAGE_ATTACHMENT_MAX_SIZE = 3
    with pytest.raises(ValidationError) as error:
        services.message_envoyer(dossier=dossier, user=dossier.user, body="Texte", piece_jointe=pdf())
    assert "trop volumineux" in error.value.message_dict["piece_jointe"][0]
    assert not Commentaire.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state, archived", [(S.BROUILLON, False), (S.ACCEPTE, True)])
def test_message_envoyer_refused_on_brouillon_or_archived(procedure, state, archived):
    dossier = factories.dossier_creer(procedure=procedure, state=state, archived=archived)
    with pytest.raises(PermissionDenied):
        services.message_envoyer(dossier=dossier, user=dossier.user, body="Bonjour")


@pytest.mark.django_db
def test_message_envoyer_refused_to_another_usager(procedure):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    with pytest.raises(PermissionDenied):
        services.message_envoyer(dossier=dossier, user=factories.UserFactory(), body="Bonjour")
