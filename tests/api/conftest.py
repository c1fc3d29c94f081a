"""Fixtures of the API tests: a démarche with one champ of every type, filled dossiers, tokens, a client."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from demarches.api import services as api_services
from demarches.dossiers import services as dossier_services
from demarches.dossiers import transitions
from demarches.dossiers.models import Dossier
from demarches.instruction import services as instruction_services
from demarches.procedures import services as procedure_services
from tests import factories

CHAMPS = [
    ("text", "Nom du projet", True, {}),
    ("textarea", "Description du projet", False, {}),
    ("integer_number", "Nombre de participants", False, {}),
    ("decimal_number", "Budget prévisionnel", False, {}),
    ("date", "Date de début", False, {}),
    ("datetime", "Rendez-vous", False, {}),
    ("checkbox", "J'accepte les conditions", False, {}),
    ("yes_no", "Premier dépôt ?", False, {}),
    ("civilite", "Civilité du responsable", False, {}),
    ("email", "Courriel du responsable", False, {}),
    ("phone", "Téléphone du responsable", False, {}),
    ("drop_down_list", "Département", False, {"choices": ["Ain", "Aisne", "Allier"]}),
    ("multiple_drop_down_list", "Thèmes", False, {"choices": ["Sport", "Culture", "Santé"]}),
    ("header_section", "Pièces jointes", False, {}),
    ("explication", "Notice", False, {}),
    ("piece_justificative", "Justificatif de domicile", False, {}),
]
ANNOTATIONS = [
    ("text", "Avis du service", False, {}),
    ("checkbox", "Dossier complet", False, {}),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def creer_demarche(administrateur, instructeurs=(), libelle="Subvention aux associations sportives"):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=instructeurs, champs=[], publier=False, libelle=libelle
    )
    for type_champ, label, mandatory, options in CHAMPS:
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=label,
            mandatory=mandatory, options=options,
        )
    for type_champ, label, mandatory, options in ANNOTATIONS:
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=label,
            mandatory=mandatory, options=options, private=True,
        )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=f"subvention-{procedure.pk}")


def remplir(dossier, numero: int = 1, *, piece: bool = True):
    """Fill every champ of a dossier through the usager's services (the dossier must be en construction)."""
    tdcs = {tdc.type_champ: tdc for tdc in dossier.revision.public_types_de_champ()}
    values = {
        "text": [f"Projet n° {numero}"],
        "textarea": [f"Un projet associatif, numéro {numero}."],
        "integer_number": [str(10 + numero)],
        "decimal_number": [f"{numero},5"],
        "date": ["2026-03-15"],
        "datetime": ["2026-03-15T14:30"],
        "checkbox": ["true"],
        "yes_no": ["false"],
        "civilite": ["Mme"],
        "email": [f"responsable{numero}@exemple.fr"],
        "phone": ["01 23 45 67 89"],
        "drop_down_list": ["Aisne"],
        "multiple_drop_down_list": ["Sport", "Santé"],
    }
    posted = QueryDict(mutable=True)
    for key, items in values.items():
        posted.setlist(tdcs[key].html_id, items)
    errors = dossier_services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=posted)
    assert errors == {}
    if piece:
        dossier_services.piece_ajouter(
            dossier=dossier, user=dossier.user, type_de_champ=tdcs["piece_justificative"],
            uploaded=SimpleUploadedFile("domicile.pdf", PDF, content_type="application/pdf"),
        )
    return dossier


def dossier_en_construction(procedure, numero: int = 1, **fields) -> Dossier:
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION, **fields)
    return remplir(dossier, numero)


@pytest.fixture
def instructeur(db):
    return factories.InstructeurFactory()


@pytest.fixture
def administrateur(db):
    return factories.AdministrateurFactory()


@pytest.fixture
def demarche(administrateur, instructeur):
    return creer_demarche(administrateur, instructeurs=[instructeur])


@pytest.fixture
def dossier(demarche):
    return dossier_en_construction(demarche)


@pytest.fixture
def dossier_complet(demarche, instructeur, django_capture_on_commit_callbacks):
    """A dossier with everything the API shows: champs, file, messages, avis, traitements, follower."""
    dossier = dossier_en_construction(demarche, prenom="Claire", nom="Martin", civilite="Mme")
    expert_email = factories.UserFactory(email="experte@exemple.fr").email
    with django_capture_on_commit_callbacks(execute=True):
        transitions.passer_en_instruction(dossier=dossier, instructeur=instructeur)
        dossier_services.message_envoyer(dossier=dossier, user=instructeur.user, body="Merci pour votre dossier.", instructeur=instructeur)
        instruction_services.avis_demander(
            dossier=dossier, instructeur=instructeur, expert_email=expert_email, introduction="Qu'en pensez-vous ?"
        )
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def jeton(administrateur):
    """A read-write token over all the administrateur's démarches: (token, secret)."""
    return api_services.api_token_creer(administrateur=administrateur, name="Logiciel métier", write_access=True)


@pytest.fixture
def gql(client):
    """POST a GraphQL document; returns (status code, decoded JSON body)."""

    def post(secret, query, variables=None, *, legacy=False, operation_name=None, **extra):
        header = f"Bearer token={secret}" if legacy else f"Bearer {secret}"
        body = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        response = client.post(
            "/api/v2/graphql", data=json.dumps(body), content_type="application/json",
            **({"HTTP_AUTHORIZATION": header} if secret is not None else {}), **extra,
        )
        return response.status_code, response.json(), response

    return post
