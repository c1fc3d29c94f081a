"""Démarches for the field tests, repetition blocks included (the editor's service has no child yet)."""

from demarches.procedures import services as procedure_services
from demarches.procedures.models import TypeDeChamp
from tests import factories


def demarche_creer(champs, *, enfants=None, conditions=None, descriptions=None, instructeurs=None):
    """champs: (type_champ, libelle, mandatory[, options]) like factories.procedure_creer;
    enfants: {libellé of a repetition block: [child specs]}; conditions: {libellé: condition built
    from the libellés of earlier champs, see `condition()`}. Published."""
    instructeurs = instructeurs or [factories.InstructeurFactory()]
    procedure = factories.procedure_creer(champs=champs, publier=False, instructeurs=instructeurs)
    draft = procedure.draft_revision
    for parent_libelle, specs in (enfants or {}).items():
        parent = draft.types_de_champ.get(libelle=parent_libelle)
        for position, (type_champ, libelle, mandatory, *rest) in enumerate(specs, start=1):
            TypeDeChamp.objects.create(
                revision=draft, stable_id=procedure_services.next_stable_id(), type_champ=type_champ, libelle=libelle,
                mandatory=mandatory, options=rest[0] if rest else {}, parent=parent, position=position,
            )
    for libelle, build in (conditions or {}).items():
        tdc = draft.types_de_champ.get(libelle=libelle)
        ids = {t.libelle: t.stable_id for t in draft.types_de_champ.all()}
        tdc.options = {**tdc.options, "condition": build(ids)}
        tdc.save(update_fields=["options"])
    for libelle, description in (descriptions or {}).items():
        draft.types_de_champ.filter(libelle=libelle).update(description=description)
    administrateur = procedure.administrateurs.get()
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=f"demarche-{procedure.pk}")


def champs_de_sections(structure: str, localisation: str, demande: str) -> list:
    """Two level-1 section titles around a level-2 one, each followed by a text champ."""
    return [
        ("header_section", structure, False, {"level": 1}),
        ("text", "Nom", False),
        ("header_section", localisation, False, {"level": 2}),
        ("text", "Ville", False),
        ("header_section", demande, False, {"level": 1}),
        ("text", "Objet", False),
    ]
