"""Writes of the form editor beyond the basic ones of services.py: typed options with the model
file of a pièce justificative, champs of repetition blocks, reordering in one go (drag and drop),
conditions, and the démarche's règles d'inéligibilité.

Same rules as services.py: keyword-only, atomic, the acting administrateur given, draft revision only.
"""

import posixpath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.text import get_valid_filename

from demarches.fields import conditions as champ_conditions
from demarches.fields import options as champ_options
from demarches.fields import registry

from . import services
from .models import Procedure, RegleIneligibilite, TypeDeChamp

MODELE_TAILLE_MAX = 20 * 1024 * 1024


def _modele_enregistrer(procedure: Procedure, stable_id: int, fichier) -> dict:
    if fichier.size > MODELE_TAILLE_MAX:
        raise ValidationError({"modele": "Le modèle dépasse 20 Mo : allégez-le ou découpez-le."})
    if fichier.size == 0:
        raise ValidationError({"modele": "Le fichier du modèle est vide."})
    nom = get_valid_filename(posixpath.basename(fichier.name or "modele"))[:120] or "modele"
    chemin = default_storage.save(f"modeles/{procedure.pk}/{stable_id}/{nom}", fichier)
    return {"nom": nom, "chemin": chemin, "taille": fichier.size}


def _options_verifiees(type_champ: str, options: dict) -> dict:
    """Re-check the declared options (the form did it; the API or imports may not have)."""
    field_type = registry.get(type_champ)
    cleaned, errors = champ_options.verifier(field_type, options)
    if errors:
        raise ValidationError({("options" if key == "choices" else key): message for key, message in errors.items()})
    return cleaned


@transaction.atomic
def champ_ajouter(
    *, procedure: Procedure, administrateur, type_champ: str, libelle: str, mandatory: bool = False,
    description: str = "", options: dict | None = None, private: bool = False, parent_stable_id: int | None = None,
) -> TypeDeChamp:
    """A new champ at the end of the form, or at the end of a repetition block's champs."""
    options = _options_verifiees(type_champ, dict(options or {}))
    if parent_stable_id is None:
        return services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle,
            mandatory=mandatory, description=description, options=options, private=private,
        )
    services._require_admin(procedure, administrateur)
    revision = services._draft(procedure)
    parent = services._draft_type_de_champ(revision, parent_stable_id)
    field_type = registry.get(type_champ)
    if not parent.field_type.has_children:
        raise ValidationError("Ce champ n'est pas un bloc répétable : il ne peut pas contenir de champs.")
    if field_type.has_children or field_type.accepts_files:
        raise ValidationError({"type_champ": "Un bloc répétable ne peut contenir ni un autre bloc, ni une pièce justificative."})
    libelle, options = services._clean_type_de_champ(type_champ=type_champ, libelle=libelle, options=options)
    position = (parent.children.aggregate(m=Max("position"))["m"] or 0) + 1
    tdc = TypeDeChamp.objects.create(
        revision=revision, stable_id=services.next_stable_id(), type_champ=type_champ, libelle=libelle,
        mandatory=mandatory, description=description.strip(), options=options, private=parent.private,
        position=position, parent=parent,
    )
    services._log_champ(procedure, administrateur, "type_de_champ_ajouter", tdc)
    return tdc


@transaction.atomic
def champ_enregistrer(
    *, procedure: Procedure, administrateur, stable_id: int, type_champ: str, libelle: str, mandatory: bool = False,
    description: str = "", options: dict | None = None, modele=None, modele_supprimer: bool = False,
) -> TypeDeChamp:
    """Save a champ from the editor: its options replace the previous ones (the condition stays)."""
    services._require_admin(procedure, administrateur)
    tdc = services._draft_type_de_champ(services._draft(procedure), stable_id)
    options = _options_verifiees(type_champ, dict(options or {}))
    if tdc.parent_id is not None:
        field_type = registry.get(type_champ)
        if field_type.has_children or field_type.accepts_files:
            raise ValidationError({"type_champ": "Un bloc répétable ne peut contenir ni un autre bloc, ni une pièce justificative."})
    if tdc.children.exists() and not registry.get(type_champ).has_children:
        raise ValidationError({"type_champ": "Ce bloc contient des champs : supprimez-les avant de changer son type."})
    kept = {key: value for key, value in (tdc.options or {}).items() if key == "condition"}
    if type_champ == tdc.type_champ and not modele_supprimer and "modele" in (tdc.options or {}):
        kept["modele"] = tdc.options["modele"]
    if modele is not None:
        kept["modele"] = _modele_enregistrer(procedure, tdc.stable_id, modele)
    # type_de_champ_modifier merges into the previous options: replace them wholesale first.
    TypeDeChamp.objects.filter(pk=tdc.pk).update(options={})
    return services.type_de_champ_modifier(
        procedure=procedure, administrateur=administrateur, stable_id=stable_id, type_champ=type_champ,
        libelle=libelle, mandatory=mandatory, description=description, options={**options, **kept},
    )


@transaction.atomic
def champs_reordonner(*, procedure: Procedure, administrateur, stable_ids: list[int], parent_stable_id: int | None = None,
                      private: bool = False) -> None:
    """Put the champs of one list (the form, the annotations or one block's champs) in the given order."""
    services._require_admin(procedure, administrateur)
    revision = services._draft(procedure)
    parent_id = None
    if parent_stable_id is not None:
        parent = services._draft_type_de_champ(revision, parent_stable_id)
        parent_id, private = parent.pk, parent.private
    siblings = list(revision.types_de_champ.filter(private=private, parent_id=parent_id).order_by("position", "id"))
    by_id = {tdc.stable_id: tdc for tdc in siblings}
    try:
        wanted = [int(stable_id) for stable_id in stable_ids]
    except (TypeError, ValueError):
        raise ValidationError("L'ordre demandé est illisible : rechargez la page.") from None
    if sorted(wanted) != sorted(by_id):
        raise ValidationError("Le formulaire a changé entre-temps : rechargez la page pour réordonner les champs.")
    services._renumber(revision, private=private, parent_id=parent_id, ordered=[by_id[s] for s in wanted])
    services.operation_enregistrer(
        operation=services.OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "types_de_champ_reordonner", "ordre": wanted, "revision": revision.pk},
    )


# --- Conditions ------------------------------------------------------------------------------------


def sources_de_condition(champs: list[TypeDeChamp], stable_id: int | None) -> list[TypeDeChamp]:
    """The champs a condition of the champ `stable_id` may refer to: the fillable champs placed
    before it (all of the list when stable_id is None: règles d'inéligibilité)."""
    sources = []
    for tdc in champs:
        if tdc.stable_id == stable_id:
            break
        if tdc.field_type.fillable and not tdc.field_type.accepts_files:
            sources.append(tdc)
    return sources


def sources_d_annotation(champs_publics: list[TypeDeChamp], annotations: list[TypeDeChamp], stable_id: int | None) -> list[TypeDeChamp]:
    """The champs a condition of the annotation privée `stable_id` may refer to: every fillable public
    champ (the usager filled them before the instruction) and the annotations placed before it."""
    return sources_de_condition(champs_publics, None) + sources_de_condition(annotations, stable_id)


def erreurs_de_condition(condition, sources: list[TypeDeChamp]) -> list[str]:
    return champ_conditions.valider(
        condition, {tdc.stable_id: (tdc.libelle, tuple(tdc.field_type.condition_operators)) for tdc in sources}
    )


@transaction.atomic
def condition_enregistrer(*, procedure: Procedure, administrateur, stable_id: int, condition: dict | None) -> TypeDeChamp:
    """Set (or remove, with None) the condition that shows a top-level champ or section."""
    services._require_admin(procedure, administrateur)
    revision = services._draft(procedure)
    tdc = services._draft_type_de_champ(revision, stable_id)
    if tdc.parent_id is not None:
        raise ValidationError("Les champs d'un bloc répétable ne peuvent pas avoir de condition : conditionnez le bloc.")
    options = dict(tdc.options or {})
    if condition:
        champs = list(revision.types_de_champ.filter(private=tdc.private, parent__isnull=True).order_by("position", "id"))
        sources = sources_de_condition(champs, tdc.stable_id)
        if tdc.private:
            sources = sources_d_annotation(list(revision.public_types_de_champ()), champs, tdc.stable_id)
        errors = erreurs_de_condition(condition, sources)
        if errors:
            raise ValidationError(errors)
        options["condition"] = condition
    else:
        options.pop("condition", None)
    tdc.options = options
    tdc.save(update_fields=["options"])
    services._log_champ(procedure, administrateur, "condition_enregistrer" if condition else "condition_supprimer", tdc)
    return tdc


def conditions_invalides(champs: list[TypeDeChamp], champs_publics: list[TypeDeChamp] | None = None) -> dict[int, list[str]]:
    """For the editor: the champs whose condition no longer holds together (a source moved after
    them, was deleted or changed type), with the problems. `champs_publics` given: `champs` are
    annotations privées, whose conditions may also refer to these public champs."""
    problems = {}
    for tdc in champs:
        condition = (tdc.options or {}).get("condition")
        if condition:
            sources = sources_de_condition(champs, tdc.stable_id)
            if champs_publics is not None:
                sources = sources_d_annotation(champs_publics, champs, tdc.stable_id)
            errors = erreurs_de_condition(condition, sources)
            if errors:
                problems[tdc.stable_id] = errors
    return problems


# --- Règles d'inéligibilité --------------------------------------------------------------------------


def regle_ineligibilite(procedure: Procedure) -> RegleIneligibilite:
    """The démarche's rules (unsaved, inactive ones when never set)."""
    return RegleIneligibilite.objects.filter(procedure=procedure).first() or RegleIneligibilite(procedure=procedure)


@transaction.atomic
def ineligibilite_enregistrer(*, procedure: Procedure, administrateur, active: bool, message: str, condition: dict | None) -> RegleIneligibilite:
    services._require_admin(procedure, administrateur)
    revision = services._draft(procedure)
    message = (message or "").strip()
    errors = {}
    if active and not message:
        errors["message"] = "Écrivez le message que lira l'usager inéligible."
    if active and not condition:
        errors["condition"] = "Ajoutez au moins une condition d'inéligibilité."
    if condition:
        champs = list(revision.public_types_de_champ())
        problems = erreurs_de_condition(condition, sources_de_condition(champs, None))
        if problems:
            errors["condition"] = " ".join(problems)
    if errors:
        raise ValidationError(errors)
    regle, _ = RegleIneligibilite.objects.select_for_update().get_or_create(procedure=procedure)
    regle.active, regle.message, regle.condition = bool(active), message, condition or {}
    regle.save()
    services.operation_enregistrer(
        operation=services.OperationLog.Operation.PROCEDURE_MODIFIER, actor=administrateur.user, procedure=procedure,
        data={"action": "ineligibilite_enregistrer", "active": regle.active, "condition": regle.condition},
    )
    return regle
