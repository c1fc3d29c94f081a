"""dossierModifierAnnotation<Type> and dossierModifierAnnotations: the private annotations service, all or nothing."""

import datetime

import pytest
from django.utils import timezone

from demarches.api.graphql.ids import global_id
from demarches.audit.models import OperationLog
from demarches.dossiers.models import Champ
from demarches.instruction import services as instruction_services
from demarches.procedures import services as procedure_services
from tests import factories

from .test_mutations import ids, mutate

SELECTION = "errors { message } annotation { id label stringValue }"
EXTRA_ANNOTATIONS = [
    ("date", "Date de la visite", {}),
    ("datetime", "Rendez-vous sur place", {}),
    ("integer_number", "Nombre de pièces", {}),
    ("decimal_number", "Montant accordé", {}),
    ("drop_down_list", "Priorité", {"choices": ["Basse", "Haute"]}),
    ("multiple_drop_down_list", "Services consultés", {"choices": ["Voirie", "Urbanisme", "Culture"]}),
    ("yes_no", "Visite effectuée", {}),
]


@pytest.fixture
def demarche_annotee(administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=[], publier=False)
    for type_champ, label, options in [("text", "Avis du service", {}), ("checkbox", "Dossier complet", {}), *EXTRA_ANNOTATIONS]:
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=label,
            mandatory=False, options=options, private=True,
        )
    procedure_services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Nom", mandatory=False, options={}
    )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=f"annotee-{procedure.pk}")


@pytest.fixture
def suivi(demarche_annotee, instructeur):
    dossier = factories.dossier_creer(procedure=demarche_annotee, state="en_construction")
    instruction_services.dossier_suivre(dossier=dossier, instructeur=instructeur)
    return dossier


def annotation_id(dossier, libelle):
    tdc = next(t for t in dossier.revision.types_de_champ.filter(private=True) if t.libelle == libelle)
    return global_id("Champ", tdc.stable_id), tdc.stable_id


def stored(dossier, libelle):
    _, stable_id = annotation_id(dossier, libelle)
    champ = Champ.objects.filter(dossier=dossier, stable_id=stable_id, row_id="").first()
    return champ.stored.value if champ else None


@pytest.mark.parametrize(
    "type_name, libelle, value, expected_stored, expected_string",
    [
        ("Text", "Avis du service", "Favorable sous réserve", "Favorable sous réserve", "Favorable sous réserve"),
        ("Checkbox", "Dossier complet", True, "true", "Oui"),
        ("Date", "Date de la visite", "2026-04-02", "2026-04-02", "2 avril 2026"),
        ("IntegerNumber", "Nombre de pièces", 12, "12", "12"),
        ("DecimalNumber", "Montant accordé", 1250.5, "1250.5", None),
        ("DropDownList", "Priorité", "Haute", "Haute", "Haute"),
    ],
)
def test_modifier_annotation_typed(gql, jeton, suivi, instructeur, type_name, libelle, value, expected_stored, expected_string):
    # Given a dossier the instructeur follows, when the API sets one annotation
    gid, _ = annotation_id(suivi, libelle)
    body = mutate(gql, jeton[1], f"dossierModifierAnnotation{type_name}", f"DossierModifierAnnotation{type_name}Input",
                  {**ids(suivi, instructeur), "annotationId": gid, "value": value}, selection=SELECTION)
    payload = body["data"][f"dossierModifierAnnotation{type_name}"]
    # Then the value is saved by the annotations service and returned as the champ
    assert payload["errors"] is None, payload
    assert payload["annotation"]["id"] == gid and payload["annotation"]["label"] == libelle
    assert stored(suivi, libelle) == expected_stored
    if expected_string is not None:
        assert payload["annotation"]["stringValue"] == expected_string
    assert OperationLog.objects.filter(dossier_id=suivi.pk, operation="annotations_modifier", actor_email=instructeur.user.email).exists()


def test_modifier_annotation_datetime_is_kept_in_local_time(gql, jeton, suivi, instructeur):
    gid, _ = annotation_id(suivi, "Rendez-vous sur place")
    moment = timezone.make_aware(datetime.datetime(2026, 5, 4, 9, 30)).isoformat()
    body = mutate(gql, jeton[1], "dossierModifierAnnotationDatetime", "DossierModifierAnnotationDatetimeInput",
                  {**ids(suivi, instructeur), "annotationId": gid, "value": moment}, selection=SELECTION)
    assert body["data"]["dossierModifierAnnotationDatetime"]["errors"] is None
    assert stored(suivi, "Rendez-vous sur place") == "2026-05-04T09:30"


def test_wrong_type_and_invalid_value_are_refused(gql, jeton, suivi, instructeur):
    gid, _ = annotation_id(suivi, "Dossier complet")
    body = mutate(gql, jeton[1], "dossierModifierAnnotationText", "DossierModifierAnnotationTextInput",
                  {**ids(suivi, instructeur), "annotationId": gid, "value": "oui"}, selection=SELECTION)
    assert "ne peut pas recevoir" in body["data"]["dossierModifierAnnotationText"]["errors"][0]["message"]
    gid, _ = annotation_id(suivi, "Priorité")
    body = mutate(gql, jeton[1], "dossierModifierAnnotationDropDownList", "DossierModifierAnnotationDropDownListInput",
                  {**ids(suivi, instructeur), "annotationId": gid, "value": "Moyenne"}, selection=SELECTION)
    payload = body["data"]["dossierModifierAnnotationDropDownList"]
    assert payload["annotation"] is None and payload["errors"][0]["message"].startswith("Priorité : ")
    # Nothing was kept, not even the invalid input the web form keeps for correction
    assert stored(suivi, "Priorité") in (None, "")


def test_instructeur_must_follow_the_dossier(gql, jeton, demarche_annotee, instructeur):
    dossier = factories.dossier_creer(procedure=demarche_annotee, state="en_construction")
    gid, _ = annotation_id(dossier, "Avis du service")
    body = mutate(gql, jeton[1], "dossierModifierAnnotationText", "DossierModifierAnnotationTextInput",
                  {**ids(dossier, instructeur), "annotationId": gid, "value": "Favorable"}, selection=SELECTION)
    assert "suivre le dossier" in body["data"]["dossierModifierAnnotationText"]["errors"][0]["message"]
    assert stored(dossier, "Avis du service") is None


def test_a_champ_of_the_form_is_not_an_annotation(gql, jeton, suivi, instructeur):
    tdc = suivi.revision.types_de_champ.get(private=False, libelle="Nom")
    body = mutate(gql, jeton[1], "dossierModifierAnnotationText", "DossierModifierAnnotationTextInput",
                  {**ids(suivi, instructeur), "annotationId": global_id("Champ", tdc.stable_id), "value": "X"}, selection=SELECTION)
    assert body["errors"][0]["extensions"]["code"] == "not_found"


def test_modifier_annotations_all_or_nothing(gql, jeton, suivi, instructeur):
    selection = "errors { message } annotations { id label stringValue }"
    values = [
        (annotation_id(suivi, "Avis du service")[0], {"text": "Très bon dossier"}),
        (annotation_id(suivi, "Dossier complet")[0], {"checkbox": True}),
        (annotation_id(suivi, "Services consultés")[0], {"multipleDropDownList": ["Urbanisme", "Voirie"]}),
        (annotation_id(suivi, "Visite effectuée")[0], {"yesNo": False}),
        (annotation_id(suivi, "Nombre de pièces")[0], {"integerNumber": 3}),
    ]
    body = mutate(gql, jeton[1], "dossierModifierAnnotations", "DossierModifierAnnotationsInput",
                  {**ids(suivi, instructeur), "annotations": [{"id": i, "value": v} for i, v in values]}, selection=selection)
    payload = body["data"]["dossierModifierAnnotations"]
    assert payload["errors"] is None, payload
    assert [a["label"] for a in payload["annotations"]] == [
        "Avis du service", "Dossier complet", "Services consultés", "Visite effectuée", "Nombre de pièces"
    ]
    assert stored(suivi, "Services consultés") == "Voirie, Urbanisme"
    assert stored(suivi, "Visite effectuée") == "false"
    # One invalid value: nothing is changed
    body = mutate(gql, jeton[1], "dossierModifierAnnotations", "DossierModifierAnnotationsInput", {
        **ids(suivi, instructeur),
        "annotations": [
            {"id": annotation_id(suivi, "Avis du service")[0], "value": {"text": "Changé"}},
            {"id": annotation_id(suivi, "Priorité")[0], "value": {"dropDownList": "Inconnue"}},
        ],
    }, selection=selection)
    assert body["data"]["dossierModifierAnnotations"]["annotations"] is None
    assert body["data"]["dossierModifierAnnotations"]["errors"]
    assert stored(suivi, "Avis du service") == "Très bon dossier"


def test_read_only_token_cannot_change_annotations(gql, administrateur, suivi, instructeur):
    from demarches.api import services as api_services

    _, secret = api_services.api_token_creer(administrateur=administrateur, name="Lecture", write_access=False)
    gid, _ = annotation_id(suivi, "Avis du service")
    body = mutate(gql, secret, "dossierModifierAnnotationText", "DossierModifierAnnotationTextInput",
                  {**ids(suivi, instructeur), "annotationId": gid, "value": "Favorable"}, selection=SELECTION)
    assert body["errors"][0]["extensions"]["code"] == "forbidden"
    assert stored(suivi, "Avis du service") is None

