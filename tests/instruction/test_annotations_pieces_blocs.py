"""Annotations privées of type pièce justificative and bloc répétable: the usager form's widgets, with
the instructeur's own URLs (upload, delete) and the annotations page (rows)."""

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.dossiers.models import Champ, Dossier, Follow, PieceJointe
from demarches.procedures import editeur
from demarches.procedures import services as procedure_services
from tests import factories
from tests.instruction.conftest import autre_procedure

S = Dossier.State
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 rapport de visite " + b"x" * 500


def pdf(name="rapport.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def collegue(db):
    return factories.InstructeurFactory()


def demarche_pieces_et_bloc(administrateur, instructeurs, path):
    """A published démarche whose annotations are « Rapport de visite » (PDF files) and the bloc
    « Visites » with one child « Lieu »."""
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=instructeurs, publier=False)
    editeur.champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="piece_justificative", libelle="Rapport de visite",
        private=True, options={"formats": ["pdf"]},
    )
    bloc = editeur.champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="repetition", libelle="Visites", private=True
    )
    editeur.champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Lieu", parent_stable_id=bloc.stable_id
    )
    return procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=path)


@pytest.fixture
def procedure(administrateur, instructeur, collegue):
    return demarche_pieces_et_bloc(administrateur, [instructeur, collegue], "annotations-pj")


@pytest.fixture
def dossier(procedure, instructeur):
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    return dossier


def _tdc(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


def _annotations_url(dossier):
    return reverse("instruction:annotations", args=[dossier.procedure_id, dossier.pk])


def _upload_url(dossier):
    return reverse("instruction:annotation_piece_ajouter", args=[dossier.procedure_id, dossier.pk, _tdc(dossier, "Rapport de visite").stable_id])


def _pieces(dossier):
    return list(PieceJointe.objects.filter(champ__dossier=dossier).order_by("id").values_list("filename", flat=True))


def test_an_instructeur_uploads_files_and_his_colleague_of_the_groupe_sees_them(client, dossier, instructeur, collegue):
    client.force_login(instructeur.user)
    # the widget of the usager's form, pointing at the instructeur's URL
    page = client.get(_annotations_url(dossier)).content.decode()
    assert f'hx-post="{_upload_url(dossier)}"' in page and 'type="file"' in page and "multiple" in page
    assert "dossiers/" + str(dossier.pk) + "/champs/" not in page

    response = client.post(_upload_url(dossier), {f"{_tdc(dossier, 'Rapport de visite').html_id}-fichier": [pdf(), pdf("annexe.pdf")]}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Fichiers ajoutés : « rapport.pdf », « annexe.pdf »." in html
    assert _pieces(dossier) == ["rapport.pdf", "annexe.pdf"]
    piece = PieceJointe.objects.get(filename="rapport.pdf")
    download = reverse("instruction:piece", args=[dossier.procedure_id, dossier.pk, piece.pk])
    assert download in html
    # as any annotation change: logged, the dossier's updated_at moves, no orange dot for the followers
    log = OperationLog.objects.filter(dossier_id=dossier.pk, operation="annotations_modifier").last()
    assert log is not None and log.data == {"stable_ids": [_tdc(dossier, "Rapport de visite").stable_id]}
    dossier.refresh_from_db()
    assert dossier.last_champ_updated_at is None

    client.force_login(collegue.user)
    page = client.get(_annotations_url(dossier)).content.decode()
    assert "Suivez le dossier pour modifier ses annotations privées." in page
    assert f'href="{download}"' in page and "annexe.pdf" in page
    assert client.get(download).status_code == 200
    # he does not follow the dossier: he cannot add one
    refused = client.post(_upload_url(dossier), {f"{_tdc(dossier, 'Rapport de visite').html_id}-fichier": pdf("autre.pdf")})
    assert refused.status_code == 302 and _pieces(dossier) == ["rapport.pdf", "annexe.pdf"]


def test_a_file_of_the_wrong_format_is_refused_next_to_the_champ_and_nothing_is_lost(client, dossier, instructeur):
    client.force_login(instructeur.user)
    tdc = _tdc(dossier, "Rapport de visite")
    name = f"{tdc.html_id}-fichier"
    client.post(_upload_url(dossier), {name: pdf()}, HTTP_HX_REQUEST="true")

    response = client.post(
        _upload_url(dossier), {name: SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"x" * 50)}, HTTP_HX_REQUEST="true"
    )

    html = unescape(response.content.decode())
    assert f'<p class="fr-error-text" id="{tdc.html_id}-error">Le format du fichier « photo.png » n\'est pas accepté pour ce champ.' in html
    assert "Formats acceptés : Documents PDF." in html
    assert "rapport.pdf" in html and _pieces(dossier) == ["rapport.pdf"]

    # without JavaScript: the whole form is posted, the other annotations are saved, the message is next to the champ
    lieu = _tdc(dossier, "Lieu")
    bloc = _tdc(dossier, "Visites")
    response = client.post(_annotations_url(dossier), {
        name: SimpleUploadedFile("notes.txt", b"notes"), f"{bloc.html_id}-present": "1", bloc.html_id: "1",
        f"{lieu.html_id}-1": "Mairie de Lyon",
    })
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Le format du fichier « notes.txt » n'est pas accepté pour ce champ." in html
    assert 'aria-invalid="true"' in html
    assert _pieces(dossier) == ["rapport.pdf"]
    assert Champ.objects.get(dossier=dossier, stable_id=lieu.stable_id, row_id="1").value == "Mairie de Lyon"


def test_an_instructeur_deletes_a_file(client, dossier, instructeur, django_capture_on_commit_callbacks):
    client.force_login(instructeur.user)
    tdc = _tdc(dossier, "Rapport de visite")
    client.post(_upload_url(dossier), {f"{tdc.html_id}-fichier": [pdf(), pdf("annexe.pdf")]}, HTTP_HX_REQUEST="true")
    piece = PieceJointe.objects.get(filename="rapport.pdf")
    stored = piece.file.name

    url = reverse("instruction:annotation_piece_supprimer", args=[dossier.procedure_id, dossier.pk, piece.pk])
    with django_capture_on_commit_callbacks(execute=True):
        html = client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert "Fichier supprimé : « rapport.pdf »." in html
    assert _pieces(dossier) == ["annexe.pdf"]
    assert Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id).data == ["annexe.pdf"]
    assert not piece.file.storage.exists(stored)


def test_another_demarches_instructeur_gets_a_404(client, dossier, instructeur):
    tdc = _tdc(dossier, "Rapport de visite")
    client.force_login(instructeur.user)
    client.post(_upload_url(dossier), {f"{tdc.html_id}-fichier": pdf()}, HTTP_HX_REQUEST="true")
    piece = PieceJointe.objects.get()
    intrus = autre_procedure().default_groupe.instructeurs.get()
    client.force_login(intrus.user)

    assert client.post(_upload_url(dossier), {f"{tdc.html_id}-fichier": pdf("x.pdf")}).status_code == 404
    delete = reverse("instruction:annotation_piece_supprimer", args=[dossier.procedure_id, dossier.pk, piece.pk])
    assert client.post(delete).status_code == 404
    assert client.get(reverse("instruction:piece", args=[dossier.procedure_id, dossier.pk, piece.pk])).status_code == 404
    assert _pieces(dossier) == ["rapport.pdf"]


def test_the_upload_url_takes_only_a_piece_justificative_annotation(client, dossier, instructeur):
    client.force_login(instructeur.user)
    bloc = _tdc(dossier, "Visites")
    url = reverse("instruction:annotation_piece_ajouter", args=[dossier.procedure_id, dossier.pk, bloc.stable_id])
    assert client.post(url, {f"{bloc.html_id}-fichier": pdf()}).status_code == 404
    # a public champ's attachment is not deleted through the annotations' URL either
    public = Champ.objects.create(dossier=dossier, type_de_champ=_tdc(dossier, "Nom du projet"), stable_id=_tdc(dossier, "Nom du projet").stable_id)
    piece = PieceJointe.objects.create(champ=public, filename="usager.pdf", size=3)
    delete = reverse("instruction:annotation_piece_supprimer", args=[dossier.procedure_id, dossier.pk, piece.pk])
    assert client.post(delete).status_code == 404 and PieceJointe.objects.filter(pk=piece.pk).exists()


def test_a_repetition_annotation_gets_a_row_added_then_removed(client, dossier, instructeur):
    client.force_login(instructeur.user)
    bloc, lieu = _tdc(dossier, "Visites"), _tdc(dossier, "Lieu")
    page = client.get(_annotations_url(dossier)).content.decode()
    assert f'name="repetition-ajouter" value="{bloc.stable_id}"' in page and f'name="{lieu.html_id}-1"' in page

    response = client.post(_annotations_url(dossier), {
        f"{bloc.html_id}-present": "1", bloc.html_id: "1", f"{lieu.html_id}-1": "Mairie", "repetition-ajouter": str(bloc.stable_id),
    }, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    rows = Champ.objects.get(dossier=dossier, stable_id=bloc.stable_id, row_id="").data["rows"]
    assert len(rows) == 2 and rows[0] == "1"
    assert "Annotations sauvegardées" in html
    assert 'hx-swap-oob="outerHTML"' in html and f'name="{lieu.html_id}-{rows[1]}"' in html  # the block again, with its new row

    client.post(_annotations_url(dossier), {
        f"{bloc.html_id}-present": "1", bloc.html_id: rows, f"{lieu.html_id}-1": "Mairie", f"{lieu.html_id}-{rows[1]}": "Préfecture",
    }, HTTP_HX_REQUEST="true")
    champ = Champ.objects.get(dossier=dossier, stable_id=bloc.stable_id, row_id="")
    assert champ.value == "Ligne 1 : Lieu : Mairie\nLigne 2 : Lieu : Préfecture"

    # without JavaScript, the row's delete button posts the whole form
    response = client.post(_annotations_url(dossier), {
        f"{bloc.html_id}-present": "1", bloc.html_id: rows, f"{lieu.html_id}-1": "Mairie", f"{lieu.html_id}-{rows[1]}": "Préfecture",
        "repetition-supprimer": f"{bloc.stable_id}:1",
    })
    assert response.status_code == 302
    champ.refresh_from_db()
    assert champ.data == {"rows": [rows[1]]} and champ.value == "Ligne 1 : Lieu : Préfecture"
    assert not Champ.objects.filter(dossier=dossier, stable_id=lieu.stable_id, row_id="1").exists()
    assert OperationLog.objects.filter(dossier_id=dossier.pk, operation="annotations_modifier").count() == 3


def test_the_annotations_editor_offers_no_titre_d_identite(client, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False)
    client.force_login(administrateur.user)
    annotations = client.get(reverse("procedures:annotations", args=[procedure.pk])).content.decode()
    champs = client.get(reverse("procedures:champs", args=[procedure.pk])).content.decode()
    assert 'value="titre_identite"' not in annotations and 'value="piece_justificative"' in annotations
    assert 'value="repetition"' in annotations and 'value="titre_identite"' in champs

    client.post(reverse("procedures:annotations", args=[procedure.pk]), {"nouveau-type_champ": "titre_identite", "nouveau-libelle": "Pièce d'identité"})
    assert not procedure.draft_revision.types_de_champ.filter(libelle="Pièce d'identité").exists()


def test_the_export_lists_the_files_and_rows_written_on_the_annotations_page(client, dossier, instructeur):
    from demarches.exports import services as export_services
    from demarches.exports.models import Export
    from tests.exports.readers import as_dicts, read

    client.force_login(instructeur.user)
    tdc, bloc, lieu = _tdc(dossier, "Rapport de visite"), _tdc(dossier, "Visites"), _tdc(dossier, "Lieu")
    client.post(_upload_url(dossier), {f"{tdc.html_id}-fichier": [pdf(), pdf("annexe.pdf")]}, HTTP_HX_REQUEST="true")
    client.post(_annotations_url(dossier), {f"{bloc.html_id}-present": "1", bloc.html_id: "1", f"{lieu.html_id}-1": "Mairie"})

    export, _ = export_services.export_demander(instructeur=instructeur, procedure=dossier.procedure, format="csv", statut="tous")
    export = export_services.export_generer(export_id=export.pk)

    assert export.status == Export.Status.DONE, export.error
    (row,) = as_dicts(read(export.file.path, "csv")["Dossiers"])
    assert "rapport.pdf" in row["Rapport de visite"] and "annexe.pdf" in row["Rapport de visite"]
    assert "Mairie" in " ".join(value for key, value in row.items() if "Visites" in key or "Lieu" in key)
