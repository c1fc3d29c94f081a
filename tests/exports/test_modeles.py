"""Modèles d'export: the column catalogue, the create/edit/delete pages, and exporting with a modèle."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from demarches.dossiers.models import Dossier
from demarches.exports import modeles, services
from demarches.exports.models import Export, ExportModele
from tests import factories

from .conftest import deposer
from .readers import as_dicts, read

pytestmark = pytest.mark.django_db


def _key(demarche, libelle):
    return next(c.key for c in modeles.catalogue(demarche) if c.libelle == libelle)


def test_the_catalogue_lists_metadata_champs_and_annotations(demarche):
    columns = modeles.catalogue(demarche)
    keys = [c.key for c in columns]
    assert keys[:3] == ["numero", "email", "civilite"]
    assert len(keys) == len(set(keys))
    groups = {c.libelle: c.groupe for c in columns}
    assert groups["Nom du projet"] == "Formulaire" and groups["Note interne"] == "Annotations privées"
    assert groups["Motivation"] == "Informations du dossier"
    assert "Le projet" not in groups  # a section title has no column


def test_exporting_with_a_modele_keeps_its_columns_in_its_order(instructeur, demarche, dossier_complet):
    # given a modèle with three columns in a chosen order
    modele = services.export_modele_enregistrer(
        instructeur=instructeur, procedure=demarche, nom="Comité", format="csv",
        colonnes=[_key(demarche, "Budget"), "etat", _key(demarche, "Nom du projet"), "inconnue"],
    )
    assert modele.colonnes == [_key(demarche, "Budget"), "etat", _key(demarche, "Nom du projet")]
    # when the instructeur exports with it (the modèle's format wins)
    export, _ = services.export_demander(
        instructeur=instructeur, procedure=demarche, format="xlsx", statut="tous", modele=modele
    )
    export = services.export_generer(export_id=export.pk)
    assert export.format == "csv" and export.modele == modele
    # then the file has the dossier number first, then the chosen columns in order
    (sheet,) = read(export.file.path, "csv").values()
    assert sheet[0] == ["N° dossier", "Budget", "État", "Nom du projet"]
    (row,) = as_dicts(sheet)
    assert row["N° dossier"] in (dossier_complet.pk, str(dossier_complet.pk))
    assert row["Nom du projet"] == "Festival « Été & Musique » <2026>"


def test_a_zip_modele_names_folders_and_pdfs(instructeur, demarche):
    dossier = deposer(demarche, state=Dossier.State.EN_CONSTRUCTION)
    modele = services.export_modele_enregistrer(
        instructeur=instructeur, procedure=demarche, nom="Archives", format="zip",
        nom_dossier="{demarche}-{numero}", nom_pdf="demande-{numero}",
    )
    export, _ = services.export_demander(instructeur=instructeur, procedure=demarche, format="", statut="tous", modele=modele)
    export = services.export_generer(export_id=export.pk)
    with export.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert names == [f"{demarche.pk}-{dossier.pk}/demande-{dossier.pk}.pdf"]


def test_a_changed_modele_is_a_different_export_but_the_same_one_is_reused(instructeur, demarche):
    modele = services.export_modele_enregistrer(
        instructeur=instructeur, procedure=demarche, nom="Comité", format="csv", colonnes=["numero", "etat"]
    )
    first, _ = services.export_demander(instructeur=instructeur, procedure=demarche, format="", statut="tous", modele=modele)
    again, created = services.export_demander(instructeur=instructeur, procedure=demarche, format="", statut="tous", modele=modele)
    assert again == first and not created
    services.export_modele_enregistrer(
        instructeur=instructeur, procedure=demarche, nom="Comité", format="csv", colonnes=["etat"], modele=modele
    )
    modele.refresh_from_db()
    other, created = services.export_demander(instructeur=instructeur, procedure=demarche, format="", statut="tous", modele=modele)
    assert created and other != first
    assert other.modele_options == {"colonnes": ["etat"]} and first.modele_options == {"colonnes": ["numero", "etat"]}


def test_modele_rules(instructeur, demarche):
    with pytest.raises(ValidationError) as error:
        services.export_modele_enregistrer(instructeur=instructeur, procedure=demarche, nom="Vide", format="xlsx", colonnes=[])
    assert "colonnes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.export_modele_enregistrer(
            instructeur=instructeur, procedure=demarche, nom="Zip", format="zip", nom_dossier="{demandeur}", nom_pdf="x"
        )
    assert "nom_dossier" in error.value.message_dict
    services.export_modele_enregistrer(instructeur=instructeur, procedure=demarche, nom="Comité", format="csv", colonnes=["etat"])
    with pytest.raises(ValidationError) as error:
        services.export_modele_enregistrer(instructeur=instructeur, procedure=demarche, nom="comité", format="csv", colonnes=["etat"])
    assert "nom" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.export_modele_enregistrer(
            instructeur=factories.InstructeurFactory(), procedure=demarche, nom="X", format="csv", colonnes=["etat"]
        )


def test_a_modele_of_another_demarche_cannot_be_used(instructeur, demarche):
    autre = factories.procedure_creer(instructeurs=[instructeur])
    modele = services.export_modele_enregistrer(instructeur=instructeur, procedure=autre, nom="A", format="csv", colonnes=["etat"])
    with pytest.raises(ValidationError):
        services.export_demander(instructeur=instructeur, procedure=demarche, format="csv", statut="tous", modele=modele)


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def instructeur_client(client, instructeur):
    client.force_login(instructeur.user)
    return client


def test_creating_editing_and_deleting_a_modele_through_the_pages(instructeur_client, demarche):
    nouveau = reverse("exports:modele_nouveau", args=[demarche.pk])
    html = instructeur_client.get(nouveau).content.decode()
    assert "<h1>Nouveau modèle d'export</h1>" in html and 'name="colonne"' in html
    budget, nom = _key(demarche, "Budget"), _key(demarche, "Nom du projet")
    # when the instructeur checks two columns and numbers them in reverse order
    response = instructeur_client.post(
        nouveau,
        {"nom": "Comité", "format": "xlsx", "colonne": [budget, nom], f"ordre-{budget}": "2", f"ordre-{nom}": "1",
         "nom_dossier": "dossier-{numero}", "nom_pdf": "dossier-{numero}"},
    )
    assert response.status_code == 302 and response.url == reverse("exports:modeles", args=[demarche.pk])
    modele = ExportModele.objects.get()
    assert (modele.nom, modele.format, modele.colonnes) == ("Comité", "xlsx", [nom, budget])
    html = instructeur_client.get(response.url).content.decode()
    assert "Comité" in html and "2 colonnes : Nom du projet, Budget" in html
    # the edit page shows the saved order, the checked columns first
    html = instructeur_client.get(reverse("exports:modele_modifier", args=[demarche.pk, modele.pk])).content.decode()
    assert html.index(f'value="{nom}" checked') < html.index(f'value="{budget}" checked') < html.index('value="numero"')
    # an invalid post shows the errors
    response = instructeur_client.post(
        reverse("exports:modele_modifier", args=[demarche.pk, modele.pk]), {"nom": "Comité", "format": "zip", "nom_dossier": "{demandeur}", "nom_pdf": "x"}
    )
    assert response.status_code == 400 and "Le nom doit contenir la balise {numero}" in response.content.decode()
    # and the dashboard's export menu offers the modèle
    dashboard = instructeur_client.get(reverse("instruction:procedure", args=[demarche.pk])).content.decode()
    assert f'<option value="{modele.pk}">Comité (.xlsx)</option>' in dashboard
    # deleting it asks for a confirmation first
    supprimer = reverse("exports:modele_supprimer", args=[demarche.pk, modele.pk])
    html = instructeur_client.get(supprimer).content.decode()
    assert "Supprimer le modèle d'export « Comité » ?" in html and ExportModele.objects.exists()
    response = instructeur_client.post(supprimer)
    assert response.status_code == 302 and not ExportModele.objects.exists()


def test_asking_an_export_with_a_modele_from_the_menu(instructeur_client, instructeur, demarche):
    modele = services.export_modele_enregistrer(instructeur=instructeur, procedure=demarche, nom="Comité", format="ods", colonnes=["etat"])
    response = instructeur_client.post(
        reverse("exports:demander", args=[demarche.pk]), {"format": "xlsx", "statut": "tous", "modele": str(modele.pk)}
    )
    assert response.url == reverse("exports:liste", args=[demarche.pk])
    export = Export.objects.get()
    assert export.format == "ods" and export.modele == modele
    html = instructeur_client.get(response.url).content.decode()
    assert "modèle « Comité »" in html


def test_modele_pages_are_404_for_other_instructeurs(client, instructeur, demarche):
    modele = services.export_modele_enregistrer(instructeur=instructeur, procedure=demarche, nom="Comité", format="ods", colonnes=["etat"])
    client.force_login(factories.InstructeurFactory().user)
    for url in (
        reverse("exports:modeles", args=[demarche.pk]),
        reverse("exports:modele_nouveau", args=[demarche.pk]),
        reverse("exports:modele_modifier", args=[demarche.pk, modele.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("exports:modele_supprimer", args=[demarche.pk, modele.pk])).status_code == 404
    assert ExportModele.objects.exists()
