"""groupeInstructeurAjouterInstructeurs / SupprimerInstructeurs, through the administrateur's
services (same e-mails and invitations as the « Instructeurs » page of the démarche)."""

from typing import Optional

import strawberry
from django.db import transaction
from django.core.exceptions import ValidationError as DjangoValidationError

from demarches.accounts.models import Instructeur
from demarches.procedures import services as procedure_services

from ..common import ValidationError
from ..ids import decode_pk
from ..procedures import GroupeInstructeur
from .base import Refused, groupe_administre, messages_of, run


@strawberry.input(description="Un instructeur, désigné par son adresse électronique ou son identifiant.")
class ProfileInput:
    email: Optional[str] = strawberry.UNSET
    id: Optional[strawberry.ID] = strawberry.UNSET


@strawberry.type(description="Message d’alerte")
class WarningMessage:
    message: str = strawberry.field(description="La description de l’alerte")


@strawberry.input
class GroupeInstructeurAjouterInstructeursInput:
    groupe_instructeur_id: strawberry.ID = strawberry.field(description="Groupe instructeur ID.")
    instructeurs: list[ProfileInput] = strawberry.field(description="Instructeurs à ajouter.")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class GroupeInstructeurAjouterInstructeursPayload:
    groupe_instructeur: Optional[GroupeInstructeur]
    errors: Optional[list[ValidationError]]
    warnings: Optional[list[WarningMessage]]
    client_mutation_id: Optional[str]


@strawberry.input
class GroupeInstructeurSupprimerInstructeursInput:
    groupe_instructeur_id: strawberry.ID = strawberry.field(description="Groupe instructeur ID.")
    instructeurs: list[ProfileInput] = strawberry.field(description="Instructeurs à supprimer.")
    client_mutation_id: Optional[str] = strawberry.UNSET


@strawberry.type
class GroupeInstructeurSupprimerInstructeursPayload:
    groupe_instructeur: Optional[GroupeInstructeur]
    errors: Optional[list[ValidationError]]
    client_mutation_id: Optional[str]


def _email(profile: ProfileInput) -> str:
    if profile.email not in (None, strawberry.UNSET):
        return profile.email.strip().lower()
    if profile.id not in (None, strawberry.UNSET):
        pk = decode_pk(profile.id, "Instructeur")
        instructeur = Instructeur.objects.select_related("user").filter(pk=pk).first() if pk is not None else None
        if instructeur is None:
            raise Refused(f"Instructeur introuvable : « {profile.id} ».")
        return instructeur.user.email.lower()
    raise Refused("Chaque instructeur doit être désigné par « email » ou « id ».")


def groupe_instructeur_ajouter_instructeurs(
    info: strawberry.Info, input: GroupeInstructeurAjouterInstructeursInput
) -> Optional[GroupeInstructeurAjouterInstructeursPayload]:
    groupe = groupe_administre(info, input.groupe_instructeur_id)
    administrateur = info.context.administrateur
    warnings: list[WarningMessage] = []

    def action():
        emails = [_email(profile) for profile in input.instructeurs]
        for email in emails:
            try:
                procedure_services.instructeur_affecter(
                    procedure=groupe.procedure, administrateur=administrateur, email=email, groupe=groupe
                )
            except DjangoValidationError as error:
                # Already there, invalid address…: the others are still added, as in the reference.
                warnings.extend(WarningMessage(message=message) for message in messages_of(error))
        return groupe

    result, errors = run(action)
    return GroupeInstructeurAjouterInstructeursPayload(
        groupe_instructeur=GroupeInstructeur(m=result) if result else None, errors=errors, warnings=warnings or None,
        client_mutation_id=input.client_mutation_id or None,
    )


def groupe_instructeur_supprimer_instructeurs(
    info: strawberry.Info, input: GroupeInstructeurSupprimerInstructeursInput
) -> Optional[GroupeInstructeurSupprimerInstructeursPayload]:
    groupe = groupe_administre(info, input.groupe_instructeur_id)
    administrateur = info.context.administrateur

    def action():
        retires = []
        for email in [_email(profile) for profile in input.instructeurs]:
            instructeur = groupe.instructeurs.select_related("user").filter(user__email__iexact=email).first()
            if instructeur is None:
                raise Refused(f"{email} n'est pas instructeur de ce groupe.")
            retires.append(instructeur)
        with transaction.atomic():
            for instructeur in retires:
                procedure_services.instructeur_retirer(
                    procedure=groupe.procedure, administrateur=administrateur, instructeur=instructeur, groupe=groupe
                )
        return groupe

    result, errors = run(action)
    return GroupeInstructeurSupprimerInstructeursPayload(
        groupe_instructeur=GroupeInstructeur(m=result) if result else None, errors=errors,
        client_mutation_id=input.client_mutation_id or None,
    )


