"""Browser journey: ask an export from the dashboard, watch its progress, download the file."""

import pytest
from playwright.sync_api import expect

from demarches.dossiers.models import Dossier
from demarches.exports import services
from demarches.exports.models import Export
from tests import factories
from tests.browser import login

from .conftest import CHAMPS, remplir
from .readers import as_dicts, read


@pytest.mark.django_db(transaction=True)
def test_instructeur_asks_an_export_watches_it_progress_and_downloads_it(page, live_url, check_page, monkeypatch, tmp_path):
    # given a démarche with two deposited dossiers, one decided
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS, libelle="Subvention aux associations")
    accepte = factories.dossier_creer(procedure=procedure, state=Dossier.State.ACCEPTE, nom="Durand")
    remplir(accepte, **{"Nom du projet": "Jardin partagé", "Thèmes": ["Culture", "Sport"]})
    factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    # the job is held back, so that the page shows the export while it is waiting for a worker
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    login(page, live_url, instructeur.user)

    # when the instructeur opens the "traités" tab and the "Télécharger tous les dossiers" menu
    page.goto(f"{live_url}/procedures/{procedure.pk}/?statut=traites")
    check_page("tableau-de-bord")
    page.get_by_role("button", name="Télécharger tous les dossiers").click()
    form = page.locator("#exports-formulaire")
    expect(form).to_be_visible()
    page.wait_for_timeout(600)  # the end of the menu's opening animation, for the screenshot
    check_page("menu-export")
    # and asks for an .ods file
    form.locator("label[for=export-format-ods]").click()
    form.get_by_role("button", name="Demander un export").click()

    # then he lands on his exports page, where the export waits with its progress bar
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    expect(page.get_by_text("Votre export est en cours de préparation")).to_be_visible()
    export = Export.objects.get()
    assert queued == [export.pk] and (export.format, export.statut) == ("ods", "traites")
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_text("en attente")).to_be_visible()
    check_page("export-en-attente")

    # when a worker starts it, the page follows the progress without being reloaded (htmx polling)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=60)
    expect(row.locator("progress")).to_have_attribute("value", "60", timeout=8000)
    expect(row.get_by_text("en préparation")).to_be_visible()
    # and when the job is done, the row offers the file
    Export.objects.filter(pk=export.pk).update(status=Export.Status.PENDING)
    services.export_generer(export_id=export.pk)
    download_link = row.get_by_role("link", name="Télécharger l'export")
    expect(download_link).to_be_visible(timeout=8000)
    expect(row.get_by_text("1 dossier")).to_be_visible()
    check_page("export-pret")

    # and the downloaded file holds the decided dossier only
    with page.expect_download() as download:
        download_link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".ods"
    sheets = read(path, "ods")
    assert list(sheets) == ["Dossiers", "Avis"]
    (ligne,) = as_dicts(sheets["Dossiers"])
    assert (ligne["N° dossier"], ligne["Nom"], ligne["État"]) == (accepte.pk, "Durand", "accepté")
    assert (ligne["Nom du projet"], ligne["Thèmes"]) == ("Jardin partagé", "Culture, Sport")

    # back on the dashboard, the menu offers the ready export
    page.goto(f"{live_url}/procedures/{procedure.pk}/")
    expect(page.get_by_role("link", name="Télécharger l'export")).to_be_visible()
    check_page("tableau-de-bord-export-pret")


@pytest.mark.django_db(transaction=True)
def test_instructeur_asks_a_zip_export_watches_it_and_opens_the_downloaded_zip(page, live_url, check_page, monkeypatch, tmp_path):
    import io
    import zipfile

    from django.core.files.base import ContentFile
    from pypdf import PdfReader

    from demarches.dossiers.models import Champ, PieceJointe

    # given a dossier with an attachment, and a modèle d'export naming the zip's folders
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        instructeurs=[instructeur], champs=[("text", "Nom du projet", True), ("piece_justificative", "Devis", False)],
        libelle="Subvention aux associations",
    )
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION, nom="Durand")
    tdc = dossier.revision.types_de_champ.get(libelle="Devis")
    champ = Champ.objects.create(dossier=dossier, stable_id=tdc.stable_id, type_de_champ=tdc, value="devis.pdf")
    attachment = PieceJointe(champ=champ, filename="devis.pdf", size=9)
    attachment.file.save("devis.pdf", ContentFile(b"%PDF-test"), save=False)
    attachment.save()
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    login(page, live_url, instructeur.user)

    # when he creates a modèle d'export for zip files from the export menu
    page.goto(f"{live_url}/procedures/{procedure.pk}/")
    page.get_by_role("button", name="Télécharger tous les dossiers").click()
    page.locator("#exports-formulaire").get_by_role("link", name="Modèles d'export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modèles d'export")
    check_page("modeles-vide")
    page.get_by_role("link", name="Créer un modèle d'export").click()
    page.get_by_label("Nom du modèle").fill("Archives du service")
    page.locator("label[for=modele-format-zip]").click()
    page.get_by_label("Nom du dossier de chaque dossier").fill("{numero}-{demandeur}")
    check_page("modele-formulaire")
    page.get_by_role("button", name="Enregistrer le modèle").click()
    expect(page.get_by_text("Le modèle d'export « Archives du service » est enregistré.")).to_be_visible()
    check_page("modeles")
    page.get_by_role("link", name="Modifier le modèle « Archives du service »").click()
    expect(page.get_by_label("Nom du dossier de chaque dossier")).to_have_value("{numero}-{demandeur}")
    expect(page.locator("#modele-colonnes")).to_be_hidden()  # a zip modèle has no columns
    check_page("modele-modifier")

    # and asks a zip export of all dossiers with that modèle
    page.goto(f"{live_url}/procedures/{procedure.pk}/?statut=tous")
    page.get_by_role("button", name="Télécharger tous les dossiers").click()
    form = page.locator("#exports-formulaire")
    form.get_by_label("Modèle d'export").select_option(label="Archives du service (.zip)")
    form.get_by_role("button", name="Demander un export").click()

    # then the exports page shows it waiting, then its progress, then the file
    export = Export.objects.get()
    assert export.format == "zip" and queued == [export.pk]
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_text("en attente")).to_be_visible()
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=50)
    expect(row.locator("progress")).to_have_attribute("value", "50", timeout=8000)
    check_page("export-zip-en-preparation")
    Export.objects.filter(pk=export.pk).update(status=Export.Status.PENDING)
    services.export_generer(export_id=export.pk)
    link = row.get_by_role("link", name="Télécharger l'export")
    expect(link).to_be_visible(timeout=8000)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    # and the downloaded zip holds the dossier's folder, named by the modèle, with its PDF and attachment
    assert path.suffix == ".zip"
    archive = zipfile.ZipFile(path)
    folder = f"{dossier.pk}-Claire Durand"
    assert sorted(archive.namelist()) == [f"{folder}/dossier-{dossier.pk}.pdf", f"{folder}/pieces_justificatives/Devis-devis.pdf"]
    text = PdfReader(io.BytesIO(archive.read(f"{folder}/dossier-{dossier.pk}.pdf"))).pages[0].extract_text()
    assert str(dossier.pk) in text
    assert archive.read(f"{folder}/pieces_justificatives/Devis-devis.pdf") == b"%PDF-test"


@pytest.mark.django_db(transaction=True)
def test_instructeur_asks_a_monthly_archive_and_downloads_it(page, live_url, check_page, monkeypatch, tmp_path):
    import datetime
    import zipfile

    from django.utils import timezone

    from demarches.exports import archives
    from demarches.exports.models import Archive

    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(instructeurs=[instructeur], champs=CHAMPS, libelle="Subvention aux associations")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    Dossier.objects.filter(pk=dossier.pk).update(
        state=Dossier.State.ACCEPTE, processed_at=timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))
    )
    queued = []
    monkeypatch.setattr(archives, "_enqueue", queued.append)
    login(page, live_url, instructeur.user)

    page.goto(f"{live_url}/procedures/{procedure.pk}/archives/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Archivage longue durée")
    check_page("archives")
    page.get_by_role("button", name="Demander l'archive : mars 2026").click()
    expect(page.get_by_text("L'archive (mars 2026) est en cours de préparation")).to_be_visible()
    archive = Archive.objects.get()
    assert queued == [archive.pk]
    row = page.locator(f"#archive-{archive.pk}")
    expect(row.get_by_text("en attente")).to_be_visible()
    archives.archive_generer(archive_id=archive.pk)
    link = row.get_by_role("link", name="Télécharger l'archive")
    expect(link).to_be_visible(timeout=8000)
    check_page("archive-prete")
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert zipfile.ZipFile(path).namelist() == [f"dossier-{dossier.pk}/dossier-{dossier.pk}.pdf"]
