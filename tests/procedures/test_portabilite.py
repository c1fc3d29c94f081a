"""Clone and JSON export → import carry the whole démarche: conditions of champs and annotations,
groupes d'instructeurs with the routing rule, règles d'inéligibilité, type options, model files;
every reference to a champ follows the champ's new stable_id."""

import copy
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from demarches.dossiers.models import Champ
from demarches.fields import visibilite
from demarches.procedures import definitions, editeur, groupes, ineligibilite, services
from demarches.procedures.models import GroupeInstructeur, Procedure, RegleIneligibilite, TypeDeChamp
from tests import factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- remapper (pure) ----------------------------------------------------------------------------


def test_remapper_follows_every_reference_and_leaves_the_rest():
    condition = {"and": [
        {"champ": 10, "operator": "eq", "value": "Association"},
        {"or": [{"champ": "11", "operator": "gt", "value": "5"}, {"champ": 99, "operator": "empty"}]},
        {"champ": "abc", "operator": "not_empty"},
    ]}
    before = copy.deepcopy(condition)
    result = definitions.remapper(condition, {10: 1, 11: 2})
    assert result == {"and": [
        {"champ": 1, "operator": "eq", "value": "Association"},
        {"or": [{"champ": 2, "operator": "gt", "value": "5"}, {"champ": None, "operator": "empty"}]},
        {"champ": None, "operator": "not_empty"},
    ]}
    assert condition == before  # not modified in place
    assert definitions.references_de(result) == [1, 2, None, None]
    assert definitions.remapper({}, {1: 2}) == {}


# --- A démarche using everything ----------------------------------------------------------------


def _champ(procedure, libelle):
    return procedure.draft_revision.types_de_champ.get(libelle=libelle)


def _condition(procedure, libelle, condition):
    """Set a condition directly (the editor refuses some places, e.g. a block's champs: they must travel anyway)."""
    tdc = _champ(procedure, libelle)
    tdc.options = {**tdc.options, "condition": condition}
    tdc.save(update_fields=["options"])


@pytest.fixture
def source(administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False, libelle="Subvention associative",
        champs=[
            ("drop_down_list", "Statut", True, {"choices": ["Association", "Entreprise"]}),
            ("integer_number", "Montant demandé", False, {"min": "1", "positive": True}),
            ("header_section", "Projet", False, {"level": 1}),
            ("drop_down_list", "Région", True, {"choices": ["Bretagne", "Normandie", "Corse"]}),
            ("carte", "Emprise", False, {"cadastre": True, "max_features": 3}),
            ("repetition", "Membres", False),
            ("piece_justificative", "Budget", False, {"formats": ["pdf"]}),
        ],
    )
    bloc = _champ(procedure, "Membres")
    for libelle in ("Nom du membre", "Rôle"):
        editeur.champ_ajouter(procedure=procedure, administrateur=administrateur, type_champ="text", libelle=libelle,
                              parent_stable_id=bloc.stable_id)
    for libelle in ("Avis du service", "Motif du refus"):
        services.type_de_champ_ajouter(procedure=procedure, administrateur=administrateur, type_champ="text",
                                       libelle=libelle, private=True)
    statut, montant = _champ(procedure, "Statut"), _champ(procedure, "Montant demandé")
    editeur.condition_enregistrer(procedure=procedure, administrateur=administrateur, stable_id=montant.stable_id,
                                  condition={"champ": statut.stable_id, "operator": "eq", "value": "Association"})
    editeur.condition_enregistrer(procedure=procedure, administrateur=administrateur, stable_id=_champ(procedure, "Projet").stable_id,
                                  condition={"or": [{"champ": statut.stable_id, "operator": "not_empty"},
                                                    {"champ": montant.stable_id, "operator": "gt", "value": "10"}]})
    _condition(procedure, "Rôle", {"champ": _champ(procedure, "Nom du membre").stable_id, "operator": "not_empty"})
    _condition(procedure, "Motif du refus", {"and": [
        {"champ": _champ(procedure, "Avis du service").stable_id, "operator": "eq", "value": "défavorable"},
        {"champ": statut.stable_id, "operator": "eq", "value": "Entreprise"},
    ]})
    editeur.champ_enregistrer(
        procedure=procedure, administrateur=administrateur, stable_id=_champ(procedure, "Budget").stable_id,
        type_champ="piece_justificative", libelle="Budget", options={"formats": ["pdf"]},
        modele=SimpleUploadedFile("budget-type.pdf", PDF, content_type="application/pdf"),
    )
    ouest = groupes.groupe_instructeur_creer(procedure=procedure, administrateur=administrateur, label="Ouest")
    ouest.instructeurs.add(factories.InstructeurFactory())
    ancien = groupes.groupe_instructeur_creer(procedure=procedure, administrateur=administrateur, label="Ancien", closed=True)
    groupes.routage_definir(procedure=procedure, administrateur=administrateur, stable_id=_champ(procedure, "Région").stable_id,
                            regles={"Bretagne": ouest.pk, "Normandie": ouest.pk, "Corse": ancien.pk})
    editeur.ineligibilite_enregistrer(
        procedure=procedure, administrateur=administrateur, active=True, message="Les entreprises ne sont pas éligibles.",
        condition={"and": [{"champ": statut.stable_id, "operator": "eq", "value": "Entreprise"},
                           {"champ": _champ(procedure, "Région").stable_id, "operator": "not_eq", "value": "Corse"}]},
    )
    return Procedure.objects.get(pk=procedure.pk)


def _libelles_references(procedure, condition):
    par_id = {t.stable_id: t.libelle for t in procedure.draft_revision.types_de_champ.all()}
    return [par_id.get(ref, ref) for ref in definitions.references_de(condition)]


def _verifier_portee(copie, source):
    """Every reference of `copie` names, by libellé, the champ the same reference of `source` names,
    and points at a champ of `copie` itself."""
    ids = set(copie.draft_revision.types_de_champ.values_list("stable_id", flat=True))
    for tdc in copie.draft_revision.types_de_champ.all():
        condition = tdc.options.get("condition")
        if condition:
            assert set(definitions.references_de(condition)) <= ids
            origine = source.draft_revision.types_de_champ.get(libelle=tdc.libelle)
            assert _libelles_references(copie, condition) == _libelles_references(source, origine.options["condition"])
    assert _champ(copie, "Région").stable_id == copie.routing_stable_id
    regle = RegleIneligibilite.objects.get(procedure=copie)
    assert set(definitions.references_de(regle.condition)) <= ids
    assert _libelles_references(copie, regle.condition) == ["Statut", "Région"]
    assert (regle.active, regle.message) == (True, "Les entreprises ne sont pas éligibles.")
    assert [(g.label, g.closed, g.routing_values) for g in copie.groupes_instructeurs.order_by("id")] == [
        ("défaut", False, []), ("Ouest", False, ["Bretagne", "Normandie"]), ("Ancien", True, ["Corse"]),
    ]


def test_the_document_names_champs_by_ref_never_by_stable_id(source):
    document = definitions.exporter(source)
    refs = {c["libelle"]: c["ref"] for c in document["champs"]}
    assert refs == {"Statut": 1, "Montant demandé": 2, "Projet": 3, "Région": 4, "Emprise": 5, "Membres": 6, "Budget": 9}
    assert [(c["ref"], c["libelle"]) for c in document["champs"][5]["children"]] == [(7, "Nom du membre"), (8, "Rôle")]
    assert [(c["ref"], c["libelle"]) for c in document["annotations"]] == [(10, "Avis du service"), (11, "Motif du refus")]
    assert document["champs"][1]["options"]["condition"] == {"champ": 1, "operator": "eq", "value": "Association"}
    assert document["champs"][5]["children"][1]["options"]["condition"] == {"champ": 7, "operator": "not_empty"}
    assert definitions.references_de(document["annotations"][1]["options"]["condition"]) == [10, 1]
    # type options travel as they are (the carte's cadastre layer…), files of this instance never
    assert document["champs"][4]["options"] == {"cadastre": True, "max_features": 3}
    assert document["champs"][6]["options"] == {"formats": ["pdf"]}
    assert document["routage"] == {"champ": 4}
    assert document["groupes"] == [
        {"label": "défaut", "closed": False, "routing_values": []},
        {"label": "Ouest", "closed": False, "routing_values": ["Bretagne", "Normandie"]},
        {"label": "Ancien", "closed": True, "routing_values": ["Corse"]},
    ]
    assert document["ineligibilite"] == {
        "active": True, "message": "Les entreprises ne sont pas éligibles.",
        "condition": {"and": [{"champ": 1, "operator": "eq", "value": "Entreprise"},
                              {"champ": 4, "operator": "not_eq", "value": "Corse"}]},
    }
    text = json.dumps(document)
    assert "instructeur" not in text.lower() and "chemin" not in text


def test_export_then_import_gives_an_identical_demarche(source, instructeur):
    autre = factories.AdministrateurFactory()
    importee = services.procedure_importer(administrateur=autre, document=json.loads(json.dumps(definitions.exporter(source))))
    assert definitions.exporter(importee) == definitions.exporter(source)
    source_ids = set(TypeDeChamp.objects.filter(revision__procedure=source).values_list("stable_id", flat=True))
    assert not source_ids & set(importee.draft_revision.types_de_champ.values_list("stable_id", flat=True))
    _verifier_portee(importee, source)
    # never instructeurs through a document
    assert not GroupeInstructeur.objects.filter(procedure=importee, instructeurs__isnull=False).exists()
    assert "modele" not in _champ(importee, "Budget").options


def test_the_imported_rules_work_on_a_dossier(source):
    importee = services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=definitions.exporter(source))
    dossier = factories.dossier_creer(procedure=importee)

    def repondre(libelle, value):
        tdc = _champ(importee, libelle)
        Champ.objects.update_or_create(dossier=dossier, stable_id=tdc.stable_id, row_id="",
                                       defaults={"type_de_champ": tdc, "value": value})

    repondre("Statut", "Entreprise")
    repondre("Montant demandé", "50")
    repondre("Région", "Normandie")
    assert _champ(importee, "Montant demandé").stable_id in visibilite.masques_du_dossier(dossier)
    assert ineligibilite.motif_du_dossier(dossier) == "Les entreprises ne sont pas éligibles."
    assert groupes.groupe_de_routage(dossier).label == "Ouest"
    repondre("Statut", "Association")
    assert _champ(importee, "Montant demandé").stable_id not in visibilite.masques_du_dossier(dossier)
    assert ineligibilite.motif_du_dossier(dossier) == ""


def test_round_trip_through_the_web_and_the_commands(admin_client, source, tmp_path):
    response = admin_client.get(reverse("procedures:exporter", args=[source.pk]))
    other = factories.AdministrateurFactory()
    admin_client.force_login(other.user)
    upload = SimpleUploadedFile("demarche.json", response.content, content_type="application/json")
    assert admin_client.post(reverse("procedures:importer"), {"fichier": upload}).status_code == 302
    par_le_web = Procedure.objects.get(administrateurs=other)
    assert definitions.exporter(par_le_web) == definitions.exporter(source)
    _verifier_portee(par_le_web, source)
    path = tmp_path / "export.json"
    call_command("procedure_exporter", str(par_le_web.pk), "--output", str(path), stderr=io.StringIO())
    troisieme = factories.AdministrateurFactory()
    call_command("procedure_importer", str(path), "--administrateur", troisieme.user.email, stdout=io.StringIO())
    par_commande = Procedure.objects.get(administrateurs=troisieme)
    assert definitions.exporter(par_commande) == definitions.exporter(source)
    _verifier_portee(par_commande, source)


# --- Clone --------------------------------------------------------------------------------------


def test_clone_of_his_own_demarche_keeps_the_instructeurs_of_each_groupe(source, administrateur):
    copie = services.procedure_cloner(procedure=source, administrateur=administrateur)
    assert definitions.exporter(copie) == definitions.exporter(source)
    _verifier_portee(copie, source)
    for groupe_source, groupe_copie in zip(source.groupes_instructeurs.order_by("id"), copie.groupes_instructeurs.order_by("id")):
        assert set(groupe_copie.instructeurs.all()) == set(groupe_source.instructeurs.all())
        assert groupe_copie.pk != groupe_source.pk


def test_clone_copies_the_model_files_for_the_copy(source, administrateur):
    copie = services.procedure_cloner(procedure=source, administrateur=administrateur)
    modele_source, modele_copie = _champ(source, "Budget").options["modele"], _champ(copie, "Budget").options["modele"]
    assert modele_copie["nom"] == "budget-type.pdf" and modele_copie["chemin"] != modele_source["chemin"]
    assert str(_champ(copie, "Budget").stable_id) in modele_copie["chemin"]
    with default_storage.open(modele_copie["chemin"], "rb") as handle:
        assert handle.read() == PDF
    # removing the source's model leaves the copy's
    default_storage.delete(modele_source["chemin"])
    assert default_storage.exists(modele_copie["chemin"])


def test_clone_of_a_published_demarche_of_someone_else_has_the_groupes_without_instructeurs(source, administrateur):
    source = services.procedure_publier(procedure=source, administrateur=administrateur, path="subvention")
    autre = factories.AdministrateurFactory()
    copie = services.procedure_cloner(procedure=source, administrateur=autre)
    _verifier_portee(copie, source)
    assert not GroupeInstructeur.objects.filter(procedure=copie, instructeurs__isnull=False).exists()


def test_clone_through_the_dashboard(admin_client, source, administrateur):
    response = admin_client.post(reverse("procedures:cloner", args=[source.pk]))
    copie = Procedure.objects.exclude(pk=source.pk).get()
    assert response["Location"] == reverse("procedures:show", args=[copie.pk])
    assert definitions.exporter(copie) == definitions.exporter(source)
    _verifier_portee(copie, source)
    # the copy's routing and rules can be edited on their own: the source is unchanged
    groupes.routage_definir(procedure=copie, administrateur=administrateur, stable_id=None, regles={})
    source.refresh_from_db()
    assert source.routing_stable_id == _champ(source, "Région").stable_id


def test_envoyer_une_copie_carries_the_rules_but_not_the_instructeurs(admin_client, source):
    destinataire = factories.AdministrateurFactory()
    admin_client.post(reverse("procedures:envoyer_copie", args=[source.pk]), {"email": destinataire.user.email})
    copie = Procedure.objects.get(administrateurs=destinataire)
    _verifier_portee(copie, source)
    assert not GroupeInstructeur.objects.filter(procedure=copie, instructeurs__isnull=False).exists()


def test_a_reference_to_a_deleted_champ_stays_unreadable(source, administrateur):
    """A condition left on a champ since removed: exported as null, still ignored after import."""
    _condition(source, "Région", {"champ": 999999, "operator": "not_empty"})
    document = definitions.exporter(source)
    assert document["champs"][3]["options"]["condition"] == {"champ": None, "operator": "not_empty"}
    importee = services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert _champ(importee, "Région").options["condition"] == {"champ": None, "operator": "not_empty"}
    assert definitions.exporter(importee) == document


def test_stale_routing_values_are_left_out(source, administrateur):
    """An option removed from the routing champ after the rule was set routes nothing: not exported."""
    region = _champ(source, "Région")
    services.type_de_champ_modifier(procedure=source, administrateur=administrateur, stable_id=region.stable_id,
                                    type_champ="drop_down_list", libelle="Région", options={"choices": ["Bretagne", "Normandie"]})
    document = definitions.exporter(source)
    assert [g["routing_values"] for g in document["groupes"]] == [[], ["Bretagne", "Normandie"], []]
    copie = services.procedure_cloner(procedure=source, administrateur=administrateur)
    assert definitions.exporter(copie) == document


# --- Documents that cannot be imported ----------------------------------------------------------


@pytest.mark.parametrize("change,message", [
    (lambda d: d["champs"][1]["options"].update(condition={"champ": 42, "operator": "empty"}), "absent du fichier (ref 42)"),
    (lambda d: d["champs"][1]["options"].update(condition="Statut"), "doit être un objet"),
    (lambda d: d["champs"][1].update(ref=1), "est donné à plusieurs champs"),
    (lambda d: d["champs"][1].update(ref="deux"), "numéro « ref »"),
    (lambda d: d.update(routage={"champ": 2}), "champ de routage doit être un champ « choix simple »"),
    (lambda d: d.update(routage={"champ": 10}), "champ de routage doit être un champ « choix simple »"),
    (lambda d: d["groupes"][1]["routing_values"].append("Alsace"), "« Alsace » (routage du groupe « Ouest »)"),
    (lambda d: d["groupes"][2]["routing_values"].append("Bretagne"), "envoie vers plusieurs groupes"),
    (lambda d: d["groupes"][2].update(label="OUEST"), "apparaît plusieurs fois"),
    (lambda d: [g.update(closed=True) for g in d["groupes"]], "au moins un groupe"),
    (lambda d: d["ineligibilite"]["condition"]["and"].append({"champ": 10, "operator": "empty"}), "ne peuvent porter que sur les champs du formulaire"),
    (lambda d: d["ineligibilite"].update(condition={"champ": 77, "operator": "empty"}), "absent du fichier"),
])
def test_invalid_references_are_refused_and_nothing_is_created(source, change, message):
    document = definitions.exporter(source)
    change(document)
    before = (Procedure.objects.count(), TypeDeChamp.objects.count(), GroupeInstructeur.objects.count())
    with pytest.raises(ValidationError) as error:
        services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert message in " ".join(error.value.messages)
    assert (Procedure.objects.count(), TypeDeChamp.objects.count(), GroupeInstructeur.objects.count()) == before


def test_a_file_path_in_a_document_is_never_taken(source, administrateur):
    """A document cannot point a model at a file of the instance (someone's attachment…)."""
    secret = default_storage.save("dossiers/secret.pdf", io.BytesIO(PDF))
    document = definitions.exporter(source)
    document["champs"][6]["options"]["modele"] = {"nom": "x.pdf", "chemin": secret, "taille": 10}
    importee = services.procedure_importer(administrateur=administrateur, document=document)
    budget = _champ(importee, "Budget")
    assert "modele" not in budget.options
    url = reverse("procedures:modele_telecharger", args=[importee.pk, budget.stable_id])
    from django.test import Client

    client = Client()
    client.force_login(administrateur.user)
    assert client.get(url).status_code == 404


def test_a_version_1_document_is_still_imported_without_its_conditions(source):
    document = definitions.exporter(source)
    document["version"] = 1
    for key in ("groupes", "routage", "ineligibilite"):
        document.pop(key)
    for champ in document["champs"]:
        champ.pop("ref")
    importee = services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert not any(t.options.get("condition") for t in importee.draft_revision.types_de_champ.all())
    assert [g.label for g in importee.groupes_instructeurs.all()] == ["défaut"]
    assert importee.routing_stable_id is None and not RegleIneligibilite.objects.filter(procedure=importee).exists()
    assert _champ(importee, "Emprise").options == {"cadastre": True, "max_features": 3}
