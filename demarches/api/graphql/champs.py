"""Champs (values of a dossier) and champ descriptors (the form's definitions), as the API shows them.

The GraphQL type of each of our field types is chosen in CHAMP_BUILDERS, keyed by the field
registry's type key; a test makes sure every registered type has an entry.
"""

import datetime
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry
from django.utils import timezone

from demarches.fields import registry
from demarches.fields.registry import StoredValue

from .. import files
from .common import Civilite, File, GeoAreaSource, GeoJSON, TypeDeChamp
from .demandeurs import PersonneMorale, personne_morale
from .ids import global_id
from .scalars import BigInt, ISO8601Date, ISO8601DateTime

if TYPE_CHECKING:
    from .dossiers import Dossier


@strawberry.interface(description="La valeur d'un champ ou d'une annotation privée d'un dossier.")
class Champ:
    id: strawberry.ID
    champ_descriptor_id: str = strawberry.field(description="L'identifiant de la description de ce champ (ChampDescriptor.id).")
    label: str = strawberry.field(description="Le libellé du champ.")
    string_value: Optional[str] = strawberry.field(description="La valeur du champ, sous forme de texte.")
    updated_at: ISO8601DateTime = strawberry.field(description="Date de la dernière modification du champ.")
    prefilled: bool


@strawberry.type
class TextChamp(Champ):
    value: Optional[str]


@strawberry.type
class IntegerNumberChamp(Champ):
    value: Optional[BigInt]


@strawberry.type
class DecimalNumberChamp(Champ):
    value: Optional[float]


@strawberry.type
class DateChamp(Champ):
    date: Optional[ISO8601Date] = strawberry.field(description="La date saisie.")
    value: Optional[ISO8601DateTime] = strawberry.field(
        deprecation_reason="Utilisez `date`, ou un fragment `DatetimeChamp` pour les champs date et heure."
    )


@strawberry.type
class DatetimeChamp(Champ):
    datetime: Optional[ISO8601DateTime] = strawberry.field(description="La date et l'heure saisies.")


@strawberry.type
class CheckboxChamp(Champ):
    value: bool


@strawberry.type(description="Un champ Oui/Non ; sans fragment `YesNoChamp`, ces champs sont des `CheckboxChamp`.")
class YesNoChamp(Champ):
    value: Optional[bool]


@strawberry.type
class CiviliteChamp(Champ):
    value: Optional[Civilite]


@strawberry.type
class MultipleDropDownListChamp(Champ):
    values: list[str]


@strawberry.type
class LinkedDropDownListChamp(Champ):
    primary_value: Optional[str]
    secondary_value: Optional[str]


@strawberry.type
class PieceJustificativeChamp(Champ):
    files: Optional[list[File]]

    @strawberry.field(deprecation_reason="Utilisez `files` : un champ peut recevoir plusieurs fichiers.")
    def file(self) -> Optional[File]:
        return self.files[0] if self.files else None


@strawberry.type
class DossierLinkChamp(Champ):
    linked_number: strawberry.Private[Optional[int]]

    @strawberry.field(description="Le dossier lié, s'il est accessible avec ce jeton.")
    def dossier(self, info: strawberry.Info) -> Optional[Annotated["Dossier", strawberry.lazy(".dossiers")]]:
        from .dossiers import Dossier

        if self.linked_number is None:
            return None
        linked = info.context.batch.linked(self.linked_number)
        if linked is None or not info.context.can_read_procedure(linked.procedure_id):
            return None
        info.context.batch.prime([linked])
        return Dossier(m=linked)


@strawberry.type
class SiretChamp(Champ):
    etablissement: Optional[PersonneMorale]


@strawberry.interface(description="Une zone géographique dessinée ou sélectionnée sur une carte.")
class GeoArea:
    id: strawberry.ID
    source: GeoAreaSource
    description: Optional[str]
    geometry: GeoJSON


@strawberry.type
class SelectionUtilisateur(GeoArea):
    pass


@strawberry.type
class CarteChamp(Champ):
    geo_areas: list[GeoArea]


@strawberry.type(description="Une ligne d'un bloc répétable.")
class Row:
    champs: list[Champ]


@strawberry.type
class RepetitionChamp(Champ):
    rows: list[Row]

    @strawberry.field(deprecation_reason="Utilisez `rows`.")
    def champs(self) -> list[Champ]:
        return [champ for row in self.rows for champ in row.champs]


CONCRETE_CHAMP_TYPES = [RepetitionChamp, 
    TextChamp, IntegerNumberChamp, DecimalNumberChamp, DateChamp, DatetimeChamp, CheckboxChamp, YesNoChamp,
    CiviliteChamp, MultipleDropDownListChamp, LinkedDropDownListChamp, PieceJustificativeChamp, DossierLinkChamp,
    SiretChamp, CarteChamp, SelectionUtilisateur,
]


# --- From our rows to API champs --------------------------------------------------------------------


class Build:
    """Everything needed to turn one dossier's rows into API champs, and what the document asks for.

    As in the reference, some types are chosen by the document: a "date et heure" champ is a
    DateChamp unless the document spreads a DatetimeChamp fragment (same for YesNoChamp).
    Attachments are loaded (for the whole page) only when a champ needs them.
    """

    __slots__ = ("dossier", "rows", "_pieces", "schema", "batch", "datetime_champ", "yes_no_champ", "memo", "displays", "tz")

    def __init__(self, *, dossier, rows, schema, batch, datetime_champ: bool, yes_no_champ: bool, pieces=None):
        self.dossier = dossier
        self.rows = rows
        self._pieces = pieces
        self.schema = schema
        self.batch = batch
        self.datetime_champ = datetime_champ
        self.yes_no_champ = yes_no_champ
        self.memo = batch.memo
        self.displays = self.memo.setdefault("displays", {})
        tz = self.memo.get("tz")
        if tz is None:
            tz = self.memo["tz"] = timezone.get_current_timezone()
        self.tz = tz

    @property
    def pieces(self) -> dict[int, list]:
        if self._pieces is None:
            self._pieces = self.batch.pieces(self.dossier)
        return self._pieces


class _Meta:
    """What does not change from one dossier to the next for a type de champ (once per request)."""

    __slots__ = ("id", "descriptor_id", "label", "field_type", "key", "builder", "empty_string_value")

    def __init__(self, tdc):
        self.id = self.descriptor_id = global_id("Champ", tdc.stable_id)
        self.label = tdc.libelle
        self.field_type = tdc.field_type
        self.key = tdc.type_champ
        # A type added to the registry without an entry here reads as text, as in the reference.
        self.builder = CHAMP_BUILDERS.get(tdc.type_champ, _text)
        empty = StoredValue()
        self.empty_string_value = None if self.field_type.is_empty(empty) else (self.field_type.display(empty) or None)


def _meta(tdc) -> _Meta:
    # Kept on the instance: types de champ are loaded once per request (loaders.Batch.types_de_champ).
    meta = tdc.__dict__.get("_api_meta")
    if meta is None:
        meta = tdc.__dict__["_api_meta"] = _Meta(tdc)
    return meta


def _stored(champ) -> StoredValue:
    return champ.stored if champ is not None else StoredValue()


def _string_value(meta: _Meta, champ, displays: dict) -> Optional[str]:
    """The displayed value: pure in (type, value, data), so remembered for the request when there is no data."""
    if champ is None:
        return meta.empty_string_value
    data = champ.data
    if data is None:
        key = (meta.key, champ.value)
        result = displays.get(key, _MISSING)  # most values are seen once: no KeyError raised for them
        if result is not _MISSING:
            return result
    stored = StoredValue(value=champ.value, data=data)
    field_type = meta.field_type
    result = None if field_type.is_empty(stored) else (field_type.display(stored) or None)
    if data is None:
        displays[key] = result
    return result


_MISSING = object()


def _common(tdc, champ, build: Build, row_id: str = "") -> dict:
    meta = _meta(tdc)
    return {
        "id": global_id("Champ", f"{tdc.stable_id}|{row_id}") if row_id else meta.id,
        "champ_descriptor_id": meta.descriptor_id,
        "label": meta.label,
        "string_value": _string_value(meta, champ, build.displays),
        "updated_at": champ.updated_at if champ is not None else build.dossier.created_at,
        "prefilled": champ is not None and champ.prefilled,
    }


def _value(champ) -> str:
    return champ.value if champ is not None else ""


def _data(champ) -> dict:
    return champ.data if champ is not None and isinstance(champ.data, dict) else {}


def _text(tdc, champ, build, row_id):
    return TextChamp(**_common(tdc, champ, build, row_id), value=_value(champ) or None)


def _text_displayed(tdc, champ, build, row_id):
    """Champs chosen from a référentiel (commune, département, pays…): the text value is the displayed name."""
    common = _common(tdc, champ, build, row_id)
    return TextChamp(**common, value=common["string_value"])


def _layout(tdc, champ, build, row_id):
    return TextChamp(**_common(tdc, champ, build, row_id), value=None)


def _integer(tdc, champ, build, row_id):
    text = _value(champ)
    try:
        value = int(text) if text else None
    except ValueError:
        value = None
    return IntegerNumberChamp(**_common(tdc, champ, build, row_id), value=value)


def _decimal(tdc, champ, build, row_id):
    text = _value(champ)
    try:
        value = float(text) if text else None
    except ValueError:
        value = None
    return DecimalNumberChamp(**_common(tdc, champ, build, row_id), value=value)


def _parse_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _parse_datetime(text: str, tz=None) -> datetime.datetime | None:
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return timezone.make_aware(value, tz) if timezone.is_naive(value) else value


def _date(tdc, champ, build, row_id):
    day = _parse_date(_value(champ))
    at_midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=build.tz) if day else None  # make_aware, inlined
    return DateChamp(**_common(tdc, champ, build, row_id), date=day, value=at_midnight)


def _datetime(tdc, champ, build, row_id):
    moment = _parse_datetime(_value(champ), build.tz)
    if build.datetime_champ:
        return DatetimeChamp(**_common(tdc, champ, build, row_id), datetime=moment)
    day = timezone.localtime(moment, build.tz).date() if moment else None
    return DateChamp(**_common(tdc, champ, build, row_id), date=day, value=moment)


def _checkbox(tdc, champ, build, row_id):
    return CheckboxChamp(**_common(tdc, champ, build, row_id), value=_value(champ) == "true")


def _yes_no(tdc, champ, build, row_id):
    text = _value(champ)
    if build.yes_no_champ:
        return YesNoChamp(**_common(tdc, champ, build, row_id), value={"true": True, "false": False}.get(text))
    return CheckboxChamp(**_common(tdc, champ, build, row_id), value=text == "true")


def _civilite(tdc, champ, build, row_id):
    text = _value(champ)
    value = next((member for member in Civilite if member.value == text), None)
    return CiviliteChamp(**_common(tdc, champ, build, row_id), value=value)


def _multiple(tdc, champ, build, row_id):
    values = list(champ.data) if champ is not None and isinstance(champ.data, list) else []
    return MultipleDropDownListChamp(**_common(tdc, champ, build, row_id), values=values)


def _linked_drop_down(tdc, champ, build, row_id):
    data = _data(champ)
    return LinkedDropDownListChamp(
        **_common(tdc, champ, build, row_id), primary_value=data.get("primary") or None,
        secondary_value=data.get("secondary") or None,
    )


def file_of_piece(piece) -> File:
    return File(
        filename=piece.filename,
        content_type=piece.content_type or "application/octet-stream",
        checksum="",
        byte_size_big_int=piece.size,
        url=files.signed_url("piece", piece.pk),
    )


def _piece(tdc, champ, build, row_id):
    pieces = build.pieces.get(champ.pk, []) if champ is not None else []
    return PieceJustificativeChamp(**_common(tdc, champ, build, row_id), files=[file_of_piece(piece) for piece in pieces])


def _dossier_link(tdc, champ, build, row_id):
    number = _data(champ).get("dossier_id")
    if isinstance(number, int):
        build.batch.want_linked(number)
    else:
        number = None
    return DossierLinkChamp(**_common(tdc, champ, build, row_id), linked_number=number)


def _siret(tdc, champ, build, row_id):
    etablissement = _data(champ).get("etablissement")
    return SiretChamp(
        **_common(tdc, champ, build, row_id),
        etablissement=personne_morale(etablissement) if isinstance(etablissement, dict) else None,
    )


def _carte(tdc, champ, build, row_id):
    """The features drawn or selected on the map (stored as a GeoJSON FeatureCollection in `data`)."""
    data = _data(champ)
    features = data.get("features") if isinstance(data.get("features"), list) else []
    areas = []
    for index, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or not geometry.get("type"):
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        areas.append(SelectionUtilisateur(
            id=global_id("GeoArea", properties.get("id") or f"{champ.pk}-{index}"),
            source=GeoAreaSource.cadastre if properties.get("source") == "cadastre" else GeoAreaSource.selection_utilisateur,
            description=properties.get("description") or None,
            geometry=GeoJSON(type=geometry["type"], coordinates=geometry.get("coordinates")),
        ))
    return CarteChamp(**_common(tdc, champ, build, row_id), geo_areas=areas)


def _repetition(tdc, champ, build, row_id):
    children = build.schema.children.get(tdc.pk, [])
    rows = []
    for child_row in tdc.field_type.raw(_stored(champ)):
        rows.append(Row(champs=[
            build_champ(child, build, row_id=child_row) for child in children
        ]))
    return RepetitionChamp(**_common(tdc, champ, build, row_id), rows=rows)


CHAMP_BUILDERS = {
    "text": _text,
    "textarea": _text,
    "email": _text,
    "phone": _text,
    "iban": _text,
    "formatted": _text,
    "rna": _text,
    "drop_down_list": _text,
    "address": _text_displayed,
    "communes": _text_displayed,
    "departements": _text_displayed,
    "regions": _text_displayed,
    "pays": _text_displayed,
    "epci": _text_displayed,
    "header_section": _layout,
    "explication": _layout,
    "integer_number": _integer,
    "decimal_number": _decimal,
    "date": _date,
    "datetime": _datetime,
    "checkbox": _checkbox,
    "engagement": _checkbox,
    "yes_no": _yes_no,
    "civilite": _civilite,
    "multiple_drop_down_list": _multiple,
    "linked_drop_down_list": _linked_drop_down,
    "piece_justificative": _piece,
    "dossier_link": _dossier_link,
    "siret": _siret,
    "repetition": _repetition,
    "carte": _carte,
    # Identity documents never leave the platform through the API: only whether one was given
    # (stringValue), as the reference's TitreIdentiteChamp only says `filled`.
    "titre_identite": _layout,
}


def build_champ(tdc, build: Build, *, row_id: str = "") -> Champ:
    return _meta(tdc).builder(tdc, build.rows.get((tdc.stable_id, row_id)), build, row_id)


# --- Descriptors ------------------------------------------------------------------------------------


@strawberry.type(description="La description d'un champ du formulaire ou d'une annotation privée.")
class ChampDescriptor:
    tdc: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Champ", self.tdc.stable_id)

    @strawberry.field(description="Le libellé du champ.")
    def label(self) -> str:
        return self.tdc.libelle

    @strawberry.field(description="Le texte d'aide du champ.")
    def description(self) -> Optional[str]:
        return self.tdc.description or None

    @strawberry.field(description="Le champ est-il obligatoire ?")
    def required(self) -> bool:
        return self.tdc.mandatory

    @strawberry.field(description="Le type du champ.")
    def type(self) -> TypeDeChamp:
        key = self.tdc.type_champ
        return TypeDeChamp[key] if key in TypeDeChamp.__members__ else TypeDeChamp["text"]

    @strawberry.field(description="Les valeurs proposées, pour un champ à choix.")
    def options(self) -> Optional[list[str]]:
        field_type = self.tdc.field_type
        if not field_type.has_options:
            return None
        return list(field_type.choices_for(self.tdc.options))

    @strawberry.field(description="Les champs d'un bloc répétable.")
    def champ_descriptors(self, info: strawberry.Info) -> Optional[list["ChampDescriptor"]]:
        if not self.tdc.field_type.has_children:
            return None
        return descriptors(info.context.batch.types_de_champ(self.tdc.revision_id).children.get(self.tdc.pk, []))


def descriptors(types_de_champ) -> list[ChampDescriptor]:
    return [ChampDescriptor(tdc=tdc) for tdc in types_de_champ]


@strawberry.type(description="Une version du formulaire d'une démarche.")
class Revision:
    m: strawberry.Private[object]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("ProcedureRevision", self.m.pk)

    @strawberry.field(description="Date de la création.")
    def date_creation(self) -> ISO8601DateTime:
        return self.m.created_at

    @strawberry.field(description="Date de la publication.")
    def date_publication(self) -> Optional[ISO8601DateTime]:
        return self.m.published_at

    @strawberry.field(description="Les champs du formulaire.")
    def champ_descriptors(self, info: strawberry.Info) -> list[ChampDescriptor]:
        return descriptors(info.context.batch.types_de_champ(self.m.pk).public)

    @strawberry.field(description="Les annotations privées.")
    def annotation_descriptors(self, info: strawberry.Info) -> list[ChampDescriptor]:
        return descriptors(info.context.batch.types_de_champ(self.m.pk).private)
