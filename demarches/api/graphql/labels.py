"""Labels of a démarche ("À relancer", "Urgent"…) put on dossiers by the instructeurs."""

from enum import Enum

import strawberry

from .ids import global_id


@strawberry.enum(name="LabelColorEnum", description="Couleurs disponibles pour les labels")
class LabelColor(Enum):
    beige_gris_galet = "beige_gris_galet"
    blue_cumulus = "blue_cumulus"
    blue_ecume = "blue_ecume"
    brown_cafe_creme = "brown_cafe_creme"
    green_bourgeon = "green_bourgeon"
    green_emeraude = "green_emeraude"
    green_menthe = "green_menthe"
    green_tilleul_verveine = "green_tilleul_verveine"
    orange_terre_battue = "orange_terre_battue"
    pink_macaron = "pink_macaron"
    pink_tuile = "pink_tuile"
    purple_glycine = "purple_glycine"
    yellow_tournesol = "yellow_tournesol"


@strawberry.type(description="Un label d'une démarche.")
class Label:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Label", self.m.pk)

    @strawberry.field
    def name(self) -> str:
        return self.m.name

    @strawberry.field(description="Couleur du label")
    def color(self) -> LabelColor:
        return LabelColor(self.m.color.replace("-", "_"))
