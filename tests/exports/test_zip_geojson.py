"""GeoJSON and ZIP exports, and the dossier's "Télécharger le dossier et toutes ses pièces jointes".

Every produced file is opened with an independent reader: json, zipfile, pypdf.
"""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from demarches.dossiers.models import Champ, Commentaire, Dossier, PieceJointe
from demarches.exports import services
from demarches.exports import zip as zip_export
from demarches.exports.models import Export
from demarches.instruction import services as instruction_services
from demarches.procedures.models import GroupeInstructeur
from tests import factories

S = Dossier.State
pytestmark = pytest.mark.django_db

CHAMPS = [
    ("text", "Nom du projet", True),
    ("piece_justificative", "Devis", False),
    ("carte", "Emprise du projet", False),
]
POLYGONE = {"type": "Polygon", "coordinates": [[[5.0, 47.3], [5.01, 47.3], [5.01, 47.31], [5.0, 47.3]]]}
POINT = {"type": "Point", "coordinates": [5.04, 47.32]}


@pytest.fixture
def demarche(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, libelle="Travaux en forêt"
    )


def dossier_du_groupe(procedure, groupe, **fields):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION, **fields)
    Dossier.objects.filter(pk=dossier.pk).update(groupe_instructeur=groupe)
    dossier.refresh_from_db()
    return dossier


def _tdc(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


def champ(dossier, libelle, *, value="", data=None, row_id=""):
    tdc = _tdc(dossier, libelle)
    return Champ.objects.update_or_create(
        dossier=dossier, stable_id=tdc.stable_id, row_id=row_id,
        defaults={"type_de_champ": tdc, "value": value, "data": data},
    )[0]


def piece(dossier, libelle, filename, content: bytes):
    holder = champ(dossier, libelle, value=filename)
    attachment = PieceJointe(champ=holder, filename=filename, size=len(content), content_type="application/pdf")
    attachment.file.save(filename, ContentFile(content), save=False)
    attachment.save()
    return attachment


def carte(dossier, *geometries):
    features = [
        {"type": "Feature", "id": f"g{i}", "geometry": g, "properties": {"source": "selection_utilisateur", "description": f"zone {i}"}}
        for i, g in enumerate(geometries)
    ]
    return champ(dossier, "Emprise du projet", value=f"{len(features)} géométries", data={"type": "FeatureCollection", "features": features})


def message(dossier, filename, content: bytes):
    commentaire = Commentaire(dossier=dossier, email="usager@exemple.fr", body="Voici le plan", piece_jointe_filename=filename)
    commentaire.piece_jointe.save(filename, ContentFile(content), save=False)
    commentaire.save()
    return commentaire


def exporter(instructeur, procedure, format, statut="tous", **options):
    export, _ = services.export_demander(instructeur=instructeur, procedure=procedure, format=format, statut=statut, **options)
    return services.export_generer(export_id=export.pk)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- GeoJSON ------------------------------------------------------------------------------------


def test_geojson_export_holds_every_carte_geometry_with_its_dossier_and_champ(instructeur, demarche):
    # given two dossiers with drawn geometries and one without a map
    premier = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    carte(premier, POLYGONE, POINT)
    second = factories.dossier_creer(procedure=demarche, state=S.EN_INSTRUCTION)
    carte(second, POINT)
    factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    # when the instructeur exports them as GeoJSON
    export = exporter(instructeur, demarche, "json")
    # then a FeatureCollection holds the three geometries, each saying where it comes from
    assert export.status == Export.Status.DONE and export.filename.endswith(".geojson")
    with export.file.open("rb") as handle:
        collection = json.load(handle)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 3
    by_dossier = {}
    for feature in features:
        by_dossier.setdefault(feature["properties"]["numero_dossier"], []).append(feature)
    assert sorted(by_dossier) == sorted([premier.pk, second.pk])
    polygone = by_dossier[premier.pk][0]
    assert polygone["geometry"] == POLYGONE and polygone["id"] == "g0"
    stable_id = _tdc(premier, "Emprise du projet").stable_id
    assert polygone["properties"] == {
        "source": "selection_utilisateur", "description": "zone 0", "numero_dossier": premier.pk,
        "champ_libelle": "Emprise du projet", "champ_id": stable_id, "champ_ligne": None, "champ_prive": False,
    }
    assert export.row_count == 3  # dossiers of the tab, with or without geometries


def test_geojson_export_of_an_empty_tab_is_a_valid_empty_collection(instructeur, demarche):
    export = exporter(instructeur, demarche, "json", statut="traites")
    with export.file.open("rb") as handle:
        assert json.load(handle) == {"type": "FeatureCollection", "features": []}


def test_geojson_export_only_holds_the_instructeurs_groups_dossiers(instructeur, demarche):
    # given a dossier routed to another groupe instructeur
    autre = GroupeInstructeur.objects.create(procedure=demarche, label="Nord")
    visible = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    carte(visible, POINT)
    cache = dossier_du_groupe(demarche, autre)
    carte(cache, POLYGONE)
    # then the export only holds the geometry of his group's dossier
    export = exporter(instructeur, demarche, "json")
    with export.file.open("rb") as handle:
        features = json.load(handle)["features"]
    assert [f["properties"]["numero_dossier"] for f in features] == [visible.pk]


# --- ZIP ----------------------------------------------------------------------------------------


@pytest.fixture
def dossier_avec_pieces(demarche, instructeur):
    dossier = factories.dossier_creer(procedure=demarche, state=S.EN_INSTRUCTION, nom="Durand", prenom="Paul")
    champ(dossier, "Nom du projet", value="Coupe d'éclaircie")
    piece(dossier, "Devis", "devis.pdf", b"%PDF-devis")
    piece(dossier, "Devis", "devis.pdf", b"%PDF-devis-2")  # the same name twice
    message(dossier, "plan.png", b"PNG-plan")
    dossier.justificatif_motivation.save("justificatif.pdf", ContentFile(b"%PDF-justif"), save=False)
    Dossier.objects.filter(pk=dossier.pk).update(justificatif_motivation=dossier.justificatif_motivation.name)
    dossier.refresh_from_db()
    avis = instruction_services.avis_demander(
        dossier=dossier, instructeur=instructeur, expert_email="experte@exemple.fr", introduction="Votre avis ?"
    )
    avis.piece_justificative.save("avis-expert.pdf", ContentFile(b"%PDF-avis"))
    dossier.avis_donne = avis
    return dossier


def test_zip_export_holds_each_dossiers_pdf_and_all_its_attachments(instructeur, demarche, dossier_avec_pieces):
    dossier = dossier_avec_pieces
    autre = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    # when the instructeur exports all dossiers as a zip
    export = exporter(instructeur, demarche, "zip")
    assert export.status == Export.Status.DONE, export.error
    assert export.filename.endswith(".zip") and export.row_count == 2
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert archive.testzip() is None
    names = set(archive.namelist())
    folder = f"dossier-{dossier.pk}"
    assert {
        f"{folder}/dossier-{dossier.pk}.pdf",
        f"{folder}/pieces_justificatives/Devis-devis.pdf",
        f"{folder}/pieces_justificatives/Devis-devis (2).pdf",
        f"{folder}/decision/justificatif.pdf",
        f"dossier-{autre.pk}/dossier-{autre.pk}.pdf",
    } <= names
    assert archive.read(f"{folder}/avis/avis-{dossier.avis_donne.pk}-avis-expert.pdf") == b"%PDF-avis"
    (plan,) = [n for n in names if n.startswith(f"{folder}/messagerie/")]
    assert plan.endswith("-plan.png") and archive.read(plan) == b"PNG-plan"
    assert archive.read(f"{folder}/pieces_justificatives/Devis-devis (2).pdf") == b"%PDF-devis-2"
    # and each dossier's PDF is its real content
    text = pdf_text(archive.read(f"{folder}/dossier-{dossier.pk}.pdf"))
    assert f"{dossier.pk}" in text and "Coupe d" in text and "Travaux en forêt" in text


def test_zip_export_leaves_out_the_dossiers_of_other_groups(instructeur, demarche):
    autre = GroupeInstructeur.objects.create(procedure=demarche, label="Nord")
    visible = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
    cache = dossier_du_groupe(demarche, autre)
    piece(cache, "Devis", "secret.pdf", b"secret")
    export = exporter(instructeur, demarche, "zip")
    with export.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert names == [f"dossier-{visible.pk}/dossier-{visible.pk}.pdf"]


def test_zip_naming_follows_the_given_patterns_and_cleans_names(demarche):
    dossier = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION, nom="Le/Gall", prenom="Anne")
    nommage = zip_export.Nommage(nom_dossier="{numero}-{demandeur}", nom_pdf="demande {numero}")
    content = b"".join(zip_export.flux_zip([dossier], nommage=nommage))
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names == [f"{dossier.pk}-Anne Le_Gall/demande {dossier.pk}.pdf"]


def test_naming_patterns_are_checked():
    assert zip_export.erreurs_de_nommage("dossier-{numero}", numero_requis=True) == []
    assert zip_export.erreurs_de_nommage("{demandeur}", numero_requis=True) == [
        "Le nom doit contenir la balise {numero}, pour que chaque dossier ait son propre dossier."
    ]
    assert zip_export.erreurs_de_nommage("{inconnue}-{numero}", numero_requis=True) == ["Balise inconnue : {inconnue}."]
    assert zip_export.erreurs_de_nommage("{numero", numero_requis=False) == [
        "Les balises s'écrivent entre accolades, par exemple {numero}."
    ]


def test_zip_stream_does_not_read_the_next_dossier_before_the_previous_one_is_sent(demarche):
    """The stream is lazy: a dossier's PDF is rendered only when the stream reaches it."""
    dossiers = [factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION) for _ in range(3)]
    seen = []

    def lazily():
        for dossier in dossiers:
            seen.append(dossier.pk)
            yield dossier

    stream = zip_export.flux_zip(lazily(), chunk_size=1)
    next(stream)
    assert seen == [dossiers[0].pk]
    rest = b"".join(stream)
    assert seen == [d.pk for d in dossiers] and rest


# --- the dossier page's streamed ZIP -------------------------------------------------------------


def test_instructeur_downloads_the_dossier_with_all_its_attachments(client, instructeur, demarche, dossier_avec_pieces):
    dossier = dossier_avec_pieces
    client.force_login(instructeur.user)
    response = client.get(reverse("exports:dossier_zip", args=[demarche.pk, dossier.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert f'filename="dossier-{dossier.pk}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert f"dossier-{dossier.pk}/dossier-{dossier.pk}.pdf" in names
    assert f"dossier-{dossier.pk}/pieces_justificatives/Devis-devis.pdf" in names
    assert any(n.startswith(f"dossier-{dossier.pk}/messagerie/") for n in names)


@pytest.mark.parametrize("who", ["anonyme", "usager", "instructeur_autre_groupe", "instructeur_autre_demarche"])
def test_the_dossier_zip_is_refused_to_anybody_else(client, demarche, dossier_avec_pieces, who):
    dossier = dossier_avec_pieces
    if who == "usager":
        client.force_login(dossier.user)
    elif who == "instructeur_autre_groupe":
        autre = factories.InstructeurFactory()
        GroupeInstructeur.objects.create(procedure=demarche, label="Nord").instructeurs.add(autre)
        client.force_login(autre.user)
    elif who == "instructeur_autre_demarche":
        autre = factories.InstructeurFactory()
        factories.procedure_creer(instructeurs=[autre])
        client.force_login(autre.user)
    response = client.get(reverse("exports:dossier_zip", args=[demarche.pk, dossier.pk]))
    assert response.status_code in (302, 404)
    if who != "anonyme":
        assert response.status_code == 404


def test_a_brouillon_has_no_zip(client, instructeur, demarche):
    brouillon = factories.dossier_creer(procedure=demarche)
    client.force_login(instructeur.user)
    assert client.get(reverse("exports:dossier_zip", args=[demarche.pk, brouillon.pk])).status_code == 404


# --- query counts: constant per chunk of dossiers ------------------------------------------------


def test_geojson_features_take_a_query_per_chunk_not_per_dossier(demarche, django_assert_max_num_queries):
    from demarches.exports import geojson

    for _ in range(6):
        carte(factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION), POINT)
    dossiers = Dossier.objects.filter(procedure=demarche).order_by("pk")
    with django_assert_max_num_queries(2):  # the dossier ids, then the carte champs of the chunk
        assert len(list(geojson.features(dossiers, chunk_size=100))) == 6


def test_the_attachments_of_a_chunk_take_a_query_per_kind(demarche, django_assert_max_num_queries):
    ids = []
    for index in range(5):
        dossier = factories.dossier_creer(procedure=demarche, state=S.EN_CONSTRUCTION)
        piece(dossier, "Devis", f"devis-{index}.pdf", b"%PDF")
        message(dossier, f"plan-{index}.png", b"PNG")
        ids.append(dossier.pk)
    with django_assert_max_num_queries(3):  # pièces jointes, messagerie, avis
        found = zip_export.pieces_des_dossiers(ids)
    assert all(len(found[pk]) == 2 for pk in ids)
