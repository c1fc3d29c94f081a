import datetime

import pytest
from django.utils import timezone

from demarches.dossiers.models import Champ, Dossier, Follow, Traitement
from demarches.instruction import services as instruction_services
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State

CHAMPS = [
    ("header_section", "Le projet", False),
    ("text", "Nom du projet", True),
    ("integer_number", "Nombre de participants", False),
    ("decimal_number", "Budget", False),
    ("date", "Date de l'événement", False),
    ("checkbox", "J'accepte les conditions", False),
    ("multiple_drop_down_list", "Thèmes", False, {"choices": ["Culture", "Sport", "Santé"]}),
    ("textarea", "Description", False),
]
CHAMP_HEADERS = [
    "Nom du projet", "Nombre de participants", "Budget", "Date de l'événement", "J'accepte les conditions", "Thèmes",
    "Description",
]


def remplir(dossier, **values_by_libelle):
    """Store champ values as the usager's form would (parsed by the field registry)."""
    definitions = {tdc.libelle: tdc for tdc in dossier.revision.types_de_champ.all()}
    for libelle, raw in values_by_libelle.items():
        tdc = definitions[libelle]
        stored = tdc.field_type.parse(raw if isinstance(raw, list) else [raw], options=tdc.options)
        Champ.objects.update_or_create(
            dossier=dossier, stable_id=tdc.stable_id, row_id="",
            defaults={"type_de_champ": tdc, "value": stored.value, "data": stored.data},
        )


@pytest.fixture
def demarche(administrateur, instructeur):
    """A published démarche with champs of several types and one annotation privée."""
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, publier=False,
        libelle="Subvention aux projets associatifs",
    )
    procedure_services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Note interne", private=True
    )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="subvention-projets")


def deposer(procedure, *, state=S.EN_CONSTRUCTION, **fields):
    return factories.dossier_creer(procedure=procedure, state=state, **fields)


@pytest.fixture
def dossier_complet(demarche, instructeur):
    """An accepted dossier with every champ filled, followed by the instructeur, with one avis."""
    dossier = deposer(demarche, state=S.EN_INSTRUCTION, civilite="M.", nom="Dupont", prenom="Jean")
    remplir(
        dossier,
        **{
            "Nom du projet": "Festival « Été & Musique » <2026>",
            "Nombre de participants": "120",
            "Budget": "1500,50",
            "Date de l'événement": "2026-07-14",
            "J'accepte les conditions": "true",
            "Thèmes": ["Culture", "Santé"],
            "Description": "Première ligne\nDeuxième  ligne",
            "Note interne": "Dossier prioritaire",
        },
    )
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    labels = {label.name: label.pk for label in instruction_services.labels_de_la_procedure(demarche)}
    instruction_services.dossier_labels_definir(
        dossier=dossier, instructeur=instructeur, label_ids=[labels["Complet"], labels["Urgent"]]
    )
    expert = factories.UserFactory(email="experte@exemple.fr")
    avis = avis_donne(dossier, instructeur, expert)
    moment = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30))
    Dossier.objects.filter(pk=dossier.pk).update(
        state=S.ACCEPTE, processed_at=moment, en_instruction_at=moment - datetime.timedelta(days=3),
        motivation="Projet conforme",
    )
    Traitement.objects.create(
        dossier=dossier, state=S.ACCEPTE, processed_at=moment, instructeur_email=instructeur.user.email,
        motivation="Projet conforme",
    )
    dossier.refresh_from_db()
    dossier.avis_demande = avis
    return dossier


def avis_donne(dossier, instructeur, expert_user):
    avis = instruction_services.avis_demander(
        dossier=dossier, instructeur=instructeur, expert_email=expert_user.email, introduction="Le budget est-il réaliste ?"
    )
    avis.answer = "Oui, il est réaliste."
    avis.answered_at = timezone.now()
    avis.save(update_fields=["answer", "answered_at"])
    return avis
