"""The form editor beyond add/move/delete: typed options, CSV import, repetition blocks, reordering,
autosave, conditions, preview, model file and règles d'inéligibilité (views through the test client)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.procedures import editeur, services
from demarches.procedures.models import Procedure, RegleIneligibilite
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def demarche(administrateur):
    return factories.procedure_creer(
        administrateur=administrateur, publier=False,
        champs=[
            ("yes_no", "Avez-vous des salariés ?", True),
            ("integer_number", "Nombre de salariés", False),
            ("textarea", "Projet", False),
            ("header_section", "Vos salariés", False),
        ],
    )


def _tdc(procedure, libelle):
    procedure.refresh_from_db()
    return procedure.draft_revision.types_de_champ.get(libelle=libelle)


def _post_champ(client, procedure, tdc, **fields):
    prefix = f"champ-{tdc.stable_id}"
    data = {f"{prefix}-type_champ": tdc.type_champ, f"{prefix}-libelle": tdc.libelle, f"{prefix}-description": ""}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


# --- Options generated from the type's declaration ----------------------------------------------------


def test_modifier_shows_the_options_of_the_type(admin_client, demarche):
    tdc = _tdc(demarche, "Nombre de salariés")
    content = admin_client.get(reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id])).content.decode()
    assert "Options du type « Nombre entier »" in content
    assert "Valeur minimale" in content and "Valeur maximale" in content and "Nombre positif uniquement" in content
    assert "Expression régulière" not in content


def test_bounds_saved_and_checked(admin_client, demarche):
    tdc = _tdc(demarche, "Nombre de salariés")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id])
    response = admin_client.post(url, _post_champ(admin_client, demarche, tdc, min="10", max="5"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "La valeur maximale doit être supérieure ou égale à la valeur minimale." in content
    assert 'aria-invalid="true"' in content  # the error sits next to its field
    response = admin_client.post(url, _post_champ(admin_client, demarche, tdc, min="1", max="500", positive="on"))
    assert response.status_code == 302
    assert _tdc(demarche, "Nombre de salariés").options == {"min": 1, "max": 500, "positive": True}


def test_character_limit_and_french_errors(admin_client, demarche):
    tdc = _tdc(demarche, "Projet")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id])
    response = admin_client.post(url, _post_champ(admin_client, demarche, tdc, character_limit="0"))
    assert "Indiquez un nombre supérieur ou égal à 1." in response.content.decode()
    admin_client.post(url, _post_champ(admin_client, demarche, tdc, character_limit="500"))
    assert _tdc(demarche, "Projet").options["character_limit"] == 500


def test_formatted_champ_advanced_mode(admin_client, demarche):
    tdc = editeur.champ_ajouter(
        procedure=demarche, administrateur=demarche.administrateurs.get(), type_champ="formatted", libelle="Code",
    )
    url = reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id])
    data = _post_champ(admin_client, demarche, tdc, mode="avance", regex="[A-Z]{2}[0-9]{3}", example="ab12")
    content = admin_client.post(url, data).content.decode()
    assert "L&#x27;exemple ne respecte pas l&#x27;expression régulière." in content
    assert "Écrivez le message affiché à l&#x27;usager" in content
    data.update({f"champ-{tdc.stable_id}-example": "AB123", f"champ-{tdc.stable_id}-error_message": "Deux lettres puis trois chiffres."})
    assert admin_client.post(url, data).status_code == 302
    options = _tdc(demarche, "Code").options
    assert (options["mode"], options["regex"], options["example"]) == ("avance", "[A-Z]{2}[0-9]{3}", "AB123")
    data[f"champ-{tdc.stable_id}-regex"] = "[A-Z"
    assert "L&#x27;expression régulière est invalide" in admin_client.post(url, data).content.decode()


def test_list_with_groups_other_and_csv_import(admin_client, demarche):
    url = reverse("procedures:champs", args=[demarche.pk])
    response = admin_client.post(url, {
        "nouveau-type_champ": "drop_down_list", "nouveau-libelle": "Commune", "nouveau-options": "--Nord--\nLille\n--Sud--\nNice",
        "nouveau-other": "on",
    })
    assert response.status_code == 302
    tdc = _tdc(demarche, "Commune")
    assert tdc.options == {"choices": ["--Nord--", "Lille", "--Sud--", "Nice"], "other": True}
    csv_file = SimpleUploadedFile("villes.csv", "Ville;Code\nBrest;29\nQuimper;29\n".encode(), content_type="text/csv")
    data = _post_champ(admin_client, demarche, tdc, options="ignorée", other="on")
    data[f"champ-{tdc.stable_id}-options_csv"] = csv_file
    assert admin_client.post(reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id]), data).status_code == 302
    assert _tdc(demarche, "Commune").options["choices"] == ["Ville", "Brest", "Quimper"]


def test_linked_drop_down_csv_gives_primaire_format(admin_client, demarche):
    tdc = editeur.champ_ajouter(
        procedure=demarche, administrateur=demarche.administrateurs.get(), type_champ="linked_drop_down_list",
        libelle="Lieu", options={"choices": ["--A--", "A1"]},
    )
    csv_file = SimpleUploadedFile("lieux.csv", b"Bretagne,Brest\nBretagne,Rennes\nCorse,Ajaccio\n", content_type="text/csv")
    data = _post_champ(admin_client, demarche, tdc, options="--A--\nA1")
    data[f"champ-{tdc.stable_id}-options_csv"] = csv_file
    admin_client.post(reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id]), data)
    assert _tdc(demarche, "Lieu").options["choices"] == ["--Bretagne--", "Brest", "Rennes", "--Corse--", "Ajaccio"]
    data = _post_champ(admin_client, demarche, tdc, options="Brest\n--Bretagne--")
    content = admin_client.post(reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id]), data).content.decode()
    assert "La première ligne doit être une valeur du premier menu" in content


def test_section_level_and_collapsible_explication(admin_client, demarche):
    section = _tdc(demarche, "Vos salariés")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, section.stable_id])
    admin_client.post(url, _post_champ(admin_client, demarche, section, level="2"))
    assert _tdc(demarche, "Vos salariés").options == {"level": "2"}
    assert "Niveau 4" not in admin_client.get(url).content.decode()
    content = admin_client.post(url, _post_champ(admin_client, demarche, section, level="4")).content.decode()
    assert "Choisissez une des valeurs proposées." in content


def test_piece_justificative_formats_and_model_file(admin_client, client, demarche):
    tdc = editeur.champ_ajouter(
        procedure=demarche, administrateur=demarche.administrateurs.get(), type_champ="piece_justificative", libelle="Devis",
    )
    url = reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id])
    data = _post_champ(admin_client, demarche, tdc)
    data[f"champ-{tdc.stable_id}-formats"] = ["pdf", "images"]
    data[f"champ-{tdc.stable_id}-modele"] = SimpleUploadedFile("modele.xlsx", b"PK\x03\x04 tableur")
    assert admin_client.post(url, data).status_code == 302
    options = _tdc(demarche, "Devis").options
    assert options["formats"] == ["pdf", "images"] and options["modele"]["nom"] == "modele.xlsx"
    download = reverse("procedures:modele_telecharger", args=[demarche.pk, tdc.stable_id])
    assert b"".join(client.get(download).streaming_content) == b"PK\x03\x04 tableur"  # public: en test, anyone
    # saved again without a new file: the model stays; « retirer » removes it
    data.pop(f"champ-{tdc.stable_id}-modele")
    admin_client.post(url, data)
    assert _tdc(demarche, "Devis").options["modele"]["nom"] == "modele.xlsx"
    data[f"champ-{tdc.stable_id}-modele_supprimer"] = "on"
    admin_client.post(url, data)
    assert "modele" not in _tdc(demarche, "Devis").options
    assert client.get(download).status_code == 404


# --- Autosave --------------------------------------------------------------------------------------


def test_autosave_answers_the_saved_state_only(admin_client, demarche):
    tdc = _tdc(demarche, "Projet")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id]) + "?autosave=1"
    data = _post_champ(admin_client, demarche, tdc, character_limit="300")
    data[f"champ-{tdc.stable_id}-libelle"] = "Votre projet"
    response = admin_client.post(url, data, **HTMX)
    content = response.content.decode()
    assert "Enregistré à" in content and 'hx-swap-oob="true"' in content and "<form" not in content
    assert _tdc(demarche, "Votre projet").options["character_limit"] == 300
    data[f"champ-{tdc.stable_id}-libelle"] = ""
    content = admin_client.post(url, data, **HTMX).content.decode()
    assert "Non enregistré" in content and "Indiquez le libellé du champ." in content
    assert _tdc(demarche, "Votre projet")  # unchanged


def test_autosave_after_type_change_shows_the_new_options(admin_client, demarche):
    tdc = _tdc(demarche, "Projet")
    url = reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id]) + "?autosave=1"
    data = _post_champ(admin_client, demarche, tdc)
    data[f"champ-{tdc.stable_id}-type_champ"] = "drop_down_list"
    response = admin_client.post(url, data, **HTMX)
    assert response["HX-Retarget"] == f"#champ-{tdc.stable_id}"
    content = response.content.decode()
    assert "Options du type « Choix simple »" in content and "Indiquez au moins une option" in content
    assert _tdc(demarche, "Projet").type_champ == "textarea"  # not saved while invalid


# --- Repetition blocks -----------------------------------------------------------------------------


def test_repetition_children_added_moved_deleted(admin_client, demarche):
    admin_client.post(reverse("procedures:champs", args=[demarche.pk]), {"nouveau-type_champ": "repetition", "nouveau-libelle": "Salariés"})
    bloc = _tdc(demarche, "Salariés")
    url = reverse("procedures:champ_enfant_ajouter", args=[demarche.pk, bloc.stable_id])
    prefix = f"enfant-{bloc.stable_id}"
    for libelle in ("Nom", "Salaire"):
        response = admin_client.post(url, {f"{prefix}-type_champ": "text", f"{prefix}-libelle": libelle}, **HTMX)
        assert f"Le champ « {libelle} » a été ajouté au bloc « Salariés »." in response.content.decode()
    content = admin_client.post(url, {f"{prefix}-type_champ": "repetition", f"{prefix}-libelle": "Bloc"}).content.decode()
    assert "Sélectionnez un choix valide" in content or "Un bloc répétable ne peut contenir" in content
    assert list(bloc.children.values_list("libelle", flat=True)) == ["Nom", "Salaire"]
    salaire = _tdc(demarche, "Salaire")
    admin_client.post(reverse("procedures:champ_deplacer", args=[demarche.pk, salaire.stable_id]), {"direction": "haut"})
    assert list(bloc.children.order_by("position").values_list("libelle", flat=True)) == ["Salaire", "Nom"]
    editor = admin_client.get(reverse("procedures:champs", args=[demarche.pk])).content.decode()
    assert "Champs du bloc « Salariés » (2)" in editor and "Ajouter un champ au bloc « Salariés »" in editor
    admin_client.post(reverse("procedures:champ_supprimer", args=[demarche.pk, salaire.stable_id]))
    assert list(bloc.children.values_list("libelle", flat=True)) == ["Nom"]


# --- Reordering ------------------------------------------------------------------------------------


def test_reordonner_by_drag_and_drop(admin_client, demarche):
    ids = list(demarche.draft_revision.public_types_de_champ().values_list("stable_id", flat=True))
    url = reverse("procedures:champs_reordonner", args=[demarche.pk])
    response = admin_client.post(url, {"ordre": list(reversed(ids))}, **HTMX)
    assert "Le nouvel ordre des champs a été enregistré." in response.content.decode()
    assert list(demarche.draft_revision.public_types_de_champ().values_list("stable_id", flat=True)) == list(reversed(ids))
    response = admin_client.post(url, {"ordre": ids[:2]}, **HTMX)  # stale page: refused, nothing changes
    assert "rechargez la page" in response.content.decode()
    assert list(demarche.draft_revision.public_types_de_champ().values_list("stable_id", flat=True)) == list(reversed(ids))


# --- Conditions ------------------------------------------------------------------------------------


def _condition_post(rows, combinaison="and", action="enregistrer", groupes=None):
    data = {"condition-combinaison": combinaison, "condition-lignes": str(len(rows)), "action": action}
    for i, (champ, operator, value, groupe) in enumerate(rows):
        data.update({
            f"condition-{i}-champ": str(champ), f"condition-{i}-operator": operator, f"condition-{i}-value": value,
            f"condition-{i}-groupe": str(groupe),
        })
    for numero, comb in (groupes or {}).items():
        data[f"condition-groupe-{numero}-combinaison"] = comb
    return data


def test_condition_editor_stores_the_tree(admin_client, demarche):
    oui_non, nombre, section = (_tdc(demarche, name) for name in ("Avez-vous des salariés ?", "Nombre de salariés", "Vos salariés"))
    url = reverse("procedures:champ_condition", args=[demarche.pk, section.stable_id])
    content = admin_client.get(url).content.decode()
    assert "Logique conditionnelle du champ « Vos salariés »" in content
    assert "Avez-vous des salariés ?" in content and "Projet" in content  # earlier fillable champs only
    response = admin_client.post(url, _condition_post(
        [(oui_non.stable_id, "eq", "true", 0), (nombre.stable_id, "gte", "10", 1), (nombre.stable_id, "empty", "", 1)],
        groupes={1: "or"},
    ))
    assert response.status_code == 302
    assert _tdc(demarche, "Vos salariés").options["condition"] == {"and": [
        {"champ": oui_non.stable_id, "operator": "eq", "value": "true"},
        {"or": [{"champ": nombre.stable_id, "operator": "gte", "value": "10"}, {"champ": nombre.stable_id, "operator": "empty"}]},
    ]}
    editor = admin_client.get(reverse("procedures:champs", args=[demarche.pk])).content.decode()
    assert "Affiché si" in editor and "Conditionnel" in editor
    # the stored condition comes back as rows
    content = admin_client.get(url).content.decode()
    assert 'name="condition-lignes" value="3"' in content and "Groupe 1" in content


def test_condition_editor_rows_added_and_operators_by_type(admin_client, demarche):
    oui_non, section = _tdc(demarche, "Avez-vous des salariés ?"), _tdc(demarche, "Vos salariés")
    url = reverse("procedures:champ_condition", args=[demarche.pk, section.stable_id])
    content = admin_client.post(url, _condition_post([(oui_non.stable_id, "lt", "", 0)], action="ajouter"), **HTMX).content.decode()
    assert 'name="condition-lignes" value="2"' in content
    assert "est inférieur à" not in content  # a oui/non champ only compares for equality
    assert '<option value="true"' in content and ">Oui</option>" in content


def test_condition_on_a_later_champ_is_refused(admin_client, demarche):
    premier, nombre = _tdc(demarche, "Avez-vous des salariés ?"), _tdc(demarche, "Nombre de salariés")
    url = reverse("procedures:champ_condition", args=[demarche.pk, premier.stable_id])
    response = admin_client.post(url, _condition_post([(nombre.stable_id, "gt", "3", 0)]), **HTMX)
    assert response["HX-Retarget"] == f"#champ-{premier.stable_id}-editeur"
    assert "condition" not in _tdc(demarche, "Avez-vous des salariés ?").options
    with pytest.raises(Exception) as error:
        editeur.condition_enregistrer(
            procedure=demarche, administrateur=demarche.administrateurs.get(), stable_id=premier.stable_id,
            condition={"champ": nombre.stable_id, "operator": "gt", "value": "3"},
        )
    assert "Une condition ne peut porter que sur un champ placé avant celui-ci." in str(error.value)


def test_condition_missing_value_message(admin_client, demarche):
    oui_non, nombre = _tdc(demarche, "Avez-vous des salariés ?"), _tdc(demarche, "Nombre de salariés")
    url = reverse("procedures:champ_condition", args=[demarche.pk, nombre.stable_id])
    content = admin_client.post(url, _condition_post([(oui_non.stable_id, "eq", "", 0)])).content.decode()
    assert "Indiquez la valeur à comparer pour le champ « Avez-vous des salariés ? »." in content


def test_moving_a_source_after_its_champ_is_reported(admin_client, demarche):
    oui_non, nombre = _tdc(demarche, "Avez-vous des salariés ?"), _tdc(demarche, "Nombre de salariés")
    editeur.condition_enregistrer(
        procedure=demarche, administrateur=demarche.administrateurs.get(), stable_id=nombre.stable_id,
        condition={"and": [{"champ": oui_non.stable_id, "operator": "eq", "value": "true"}]},
    )
    admin_client.post(reverse("procedures:champ_deplacer", args=[demarche.pk, oui_non.stable_id]), {"direction": "bas"})
    editor = admin_client.get(reverse("procedures:champs", args=[demarche.pk])).content.decode()
    assert "1 condition ne peut plus être évaluée" in editor
    assert "Une condition ne peut porter que sur un champ placé avant celui-ci." in editor


# --- Aperçu ----------------------------------------------------------------------------------------


def test_apercu_renders_the_usager_form_not_submittable(admin_client, demarche):
    oui_non, nombre = _tdc(demarche, "Avez-vous des salariés ?"), _tdc(demarche, "Nombre de salariés")
    editeur.condition_enregistrer(
        procedure=demarche, administrateur=demarche.administrateurs.get(), stable_id=nombre.stable_id,
        condition={"and": [{"champ": oui_non.stable_id, "operator": "eq", "value": "true"}]},
    )
    url = reverse("procedures:apercu", args=[demarche.pk])
    content = admin_client.get(url).content.decode()
    assert content.count("<h1") == 1 and "Avez-vous des salariés ? *" in content
    assert f'data-champ-bloc="champ-{nombre.stable_id}" hidden' in content
    assert "Déposer le dossier" not in content and "le formulaire ne peut pas être déposé" in content
    response = admin_client.post(url, {oui_non.html_id: "true", f"{oui_non.html_id}-present": "1", nombre.html_id: "abc"}, **HTMX)
    content = response.content.decode()
    assert "1 champ contient une erreur" in content and "Saisissez un nombre entier" in content
    assert f"champ-{nombre.stable_id} " not in content.split('data-masques="')[1].split('"')[0]


def test_editor_pages_are_for_its_administrateurs_only(client, demarche):
    other = factories.AdministrateurFactory()
    client.force_login(other.user)
    tdc = _tdc(demarche, "Projet")
    for url in (
        reverse("procedures:apercu", args=[demarche.pk]),
        reverse("procedures:ineligibilite", args=[demarche.pk]),
        reverse("procedures:champ_condition", args=[demarche.pk, tdc.stable_id]),
        reverse("procedures:champ_modifier", args=[demarche.pk, tdc.stable_id]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("procedures:champs_reordonner", args=[demarche.pk]), {"ordre": [tdc.stable_id]}).status_code == 404
    assert client.post(reverse("procedures:champ_enfant_ajouter", args=[demarche.pk, tdc.stable_id])).status_code == 404


# --- Règles d'inéligibilité ------------------------------------------------------------------------


def test_ineligibilite_page_saves_rules(admin_client, demarche):
    nombre = _tdc(demarche, "Nombre de salariés")
    url = reverse("procedures:ineligibilite", args=[demarche.pk])
    assert "<h1>Règles d'inéligibilité</h1>" in admin_client.get(url).content.decode()
    content = admin_client.post(url, {**_condition_post([(nombre.stable_id, "gt", "", 0)]), "active": "1", "message": ""}).content.decode()
    assert "Écrivez le message que lira l&#x27;usager inéligible." in content
    assert "Indiquez la valeur à comparer" in content
    response = admin_client.post(url, {
        **_condition_post([(nombre.stable_id, "gt", "49", 0)]), "active": "1", "message": "Réservé aux PME.",
    })
    assert response.status_code == 302
    regle = RegleIneligibilite.objects.get(procedure=demarche)
    assert (regle.active, regle.message, regle.condition) == (
        True, "Réservé aux PME.", {"and": [{"champ": nombre.stable_id, "operator": "gt", "value": "49"}]},
    )


def test_annotations_use_the_same_editor_without_conditions(admin_client, demarche):
    url = reverse("procedures:annotations", args=[demarche.pk])
    response = admin_client.post(url, {"nouveau-type_champ": "textarea", "nouveau-libelle": "Avis du service", "nouveau-character_limit": "200"})
    assert response.status_code == 302
    annotation = demarche.draft_revision.types_de_champ.get(libelle="Avis du service")
    assert annotation.private and annotation.options == {"character_limit": 200}
    content = admin_client.get(url).content.decode()
    assert "Nombre maximal de caractères : 200" in content
    # annotations have conditions too (tests/instruction/test_annotations_conditions.py)
    assert "Condition<span" in content
    assert admin_client.get(reverse("procedures:champ_condition", args=[demarche.pk, annotation.stable_id])).status_code == 200
    ids = [annotation.stable_id]
    response = admin_client.post(reverse("procedures:champs_reordonner", args=[demarche.pk]), {"ordre": ids, "private": "1"}, **HTMX)
    assert "Le nouvel ordre des champs a été enregistré." in response.content.decode()


def test_editor_queries_do_not_grow_with_the_champs(admin_client, administrateur, django_assert_max_num_queries):
    champs = [("text", f"Question {i}", False) for i in range(15)] + [("repetition", f"Bloc {i}", False) for i in range(5)]
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False, champs=champs)
    for bloc in procedure.draft_revision.types_de_champ.filter(type_champ="repetition"):
        for libelle in ("Nom", "Montant"):
            editeur.champ_ajouter(procedure=procedure, administrateur=administrateur, type_champ="text", libelle=libelle,
                                  parent_stable_id=bloc.stable_id)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("procedures:champs", args=[procedure.pk]))
    assert response.content.decode().count("Ajouter un champ au bloc") == 5


def test_model_file_follows_the_published_revision(client, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("piece_justificative", "Devis", True)], publier=False,
    )
    if any(f.name == "cadre_juridique" for f in Procedure._meta.fields):  # required for publication (issue 3 §2)
        Procedure.objects.filter(pk=procedure.pk).update(cadre_juridique="Délibération n° 12")
        procedure.refresh_from_db()
    procedure = services.procedure_publier(procedure=procedure, administrateur=administrateur, path="devis")
    tdc = procedure.draft_revision.types_de_champ.get()
    editeur.champ_enregistrer(
        procedure=procedure, administrateur=administrateur, stable_id=tdc.stable_id, type_champ="piece_justificative",
        libelle="Devis", modele=SimpleUploadedFile("nouveau.ods", b"PK nouveau"),
    )
    url = reverse("procedures:modele_telecharger", args=[procedure.pk, tdc.stable_id])
    assert client.get(url).status_code == 404  # the published revision has no model yet
    client.force_login(administrateur.user)
    assert b"".join(client.get(url).streaming_content) == b"PK nouveau"  # the administrateur sees his draft


def test_apercu_shows_the_ineligibility_message(admin_client, demarche):
    nombre = _tdc(demarche, "Nombre de salariés")
    editeur.ineligibilite_enregistrer(
        procedure=demarche, administrateur=demarche.administrateurs.get(), active=True, message="Réservé aux PME.",
        condition={"and": [{"champ": nombre.stable_id, "operator": "gte", "value": "250"}]},
    )
    url = reverse("procedures:apercu", args=[demarche.pk])
    content = admin_client.post(url, {nombre.html_id: "300"}, **HTMX).content.decode()
    assert "l&#x27;usager ne pourrait pas déposer son dossier" in content or "l'usager ne pourrait pas déposer son dossier" in content
    assert "Réservé aux PME." in content
    assert "Réservé aux PME." not in admin_client.post(url, {nombre.html_id: "12"}, **HTMX).content.decode()
