"""Browser journey: ask an export from the dashboard, watch its progress, download the file."""

import pytest
from django.conf import settings as dj_settings
from django.test import Client
from playwright.sync_api import expect

from demarches.dossiers.models import Dossier
from demarches.exports import services
from demarches.exports.models import Export
from tests import factories

from .conftest import CHAMPS, remplir
from .readers import as_dicts, read


def login(page, live_url, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[dj_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": dj_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_url}])


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
