"""The dashboard menu, the "Exports" page with its htmx progress, and the policy-checked download."""

import pytest
from django.urls import reverse

from demarches.dossiers.models import Dossier
from demarches.exports import services
from demarches.exports.models import Export
from tests import factories

from .conftest import deposer
from .readers import read

S = Export.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def instructeur_client(client, instructeur):
    client.force_login(instructeur.user)
    return client


def _url(name, export):
    return reverse(f"exports:{name}", args=[export.procedure_id, export.pk])


def _export_pret(instructeur, procedure, format="xlsx"):
    export, _ = services.export_demander(instructeur=instructeur, procedure=procedure, format=format, statut="tous")
    return services.export_generer(export_id=export.pk)


def test_the_dashboard_offers_to_download_all_dossiers_of_the_current_tab(instructeur_client, demarche):
    response = instructeur_client.get(reverse("instruction:procedure", args=[demarche.pk]) + "?statut=traites")
    html = response.content.decode()
    assert "Télécharger tous les dossiers" in html
    assert f'action="{reverse("exports:demander", args=[demarche.pk])}"' in html
    assert '<input type="hidden" name="statut" value="traites">' in html
    for format in ("xlsx", "ods", "csv"):
        assert f'id="export-format-{format}" name="format" value="{format}"' in html
    assert "Inclure les dossiers archivés" in html and "Demander un export" in html


def test_asking_an_export_from_the_dashboard_leads_to_the_exports_page(
    instructeur_client, instructeur, demarche, django_capture_on_commit_callbacks
):
    deposer(demarche, state=Dossier.State.ACCEPTE)
    deposer(demarche, state=Dossier.State.ACCEPTE, archived=True)
    # when the instructeur asks for a csv of the "traités" tab with the archived dossiers
    with django_capture_on_commit_callbacks(execute=True):
        response = instructeur_client.post(
            reverse("exports:demander", args=[demarche.pk]), {"format": "csv", "statut": "traites", "archives": "1"}
        )
        export = Export.objects.get()
        # then he lands on the exports page, where the export is being prepared
        assert response.url == reverse("exports:liste", args=[demarche.pk])
        html = instructeur_client.get(response.url).content.decode()
        assert "Votre export est en cours de préparation" in html and "<h1>Exports</h1>" in html
        assert f'hx-get="{_url("progression", export)}"' in html and "en attente" in html
    assert (export.instructeur, export.format, export.statut, export.include_archived) == (instructeur, "csv", "traites", True)
    # and once the job has run, the page offers the file
    html = instructeur_client.get(response.url).content.decode()
    assert _url("telecharger", export) in html and "2 dossiers" in html
    # the dashboard now offers to download it
    dashboard = instructeur_client.get(reverse("instruction:procedure", args=[demarche.pk])).content.decode()
    assert f'href="{_url("telecharger", export)}">Télécharger l\'export' in dashboard


def test_asking_the_same_export_again_says_it_is_reused(instructeur_client, instructeur, demarche):
    _export_pret(instructeur, demarche)
    response = instructeur_client.post(
        reverse("exports:demander", args=[demarche.pk]), {"format": "xlsx", "statut": "tous"}, follow=True
    )
    assert "préparé il y a moins de 5 minutes" in response.content.decode()
    assert Export.objects.count() == 1


def test_an_invalid_request_goes_back_to_the_dashboard_with_the_error(instructeur_client, demarche):
    response = instructeur_client.post(reverse("exports:demander", args=[demarche.pk]), {"format": "pdf", "statut": "tous"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("instruction:procedure", args=[demarche.pk])
    assert "Choisissez un format d&#x27;export" in response.content.decode()
    assert not Export.objects.exists()


def test_the_progress_fragment_polls_while_running_and_stops_when_done(instructeur_client, instructeur, demarche):
    export, _ = services.export_demander(instructeur=instructeur, procedure=demarche, format="ods", statut="tous")
    Export.objects.filter(pk=export.pk).update(status=S.RUNNING, progress=42)
    # while it is being prepared, the row asks for itself again every 2 seconds
    running = instructeur_client.get(_url("progression", export), HTTP_HX_REQUEST="true").content.decode()
    assert running.strip().startswith(f'<tr id="export-{export.pk}"')
    assert 'hx-trigger="every 2s"' in running and f'hx-get="{_url("progression", export)}"' in running
    assert 'value="42"' in running and "en préparation" in running
    # once ready, the row offers the file and stops polling
    services.export_generer(export_id=export.pk)
    done = instructeur_client.get(_url("progression", export), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "Télécharger l'export" in done and _url("telecharger", export) in done
    # without htmx, the address leads to the exports page
    assert instructeur_client.get(_url("progression", export)).url == reverse("exports:liste", args=[demarche.pk])


def test_the_requester_downloads_his_export(instructeur_client, instructeur, demarche, tmp_path):
    deposer(demarche)
    export = _export_pret(instructeur, demarche, "xlsx")
    response = instructeur_client.get(_url("telecharger", export))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="{export.filename}"' in response["Content-Disposition"]
    path = tmp_path / "telecharge.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    assert len(read(path, "xlsx")["Dossiers"]) == 2


@pytest.mark.parametrize("who", ["collegue", "instructeur_ailleurs", "usager", "expert"])
def test_nobody_else_may_see_or_download_an_export(client, instructeur, demarche, who):
    export = _export_pret(instructeur, demarche)
    if who == "collegue":
        # another instructeur of the same démarche: the file may hold dossiers of groups he does not see
        other = factories.InstructeurFactory()
        demarche.default_groupe.instructeurs.add(other)
        user = other.user
    elif who == "instructeur_ailleurs":
        user = factories.InstructeurFactory().user
    elif who == "usager":
        user = factories.UserFactory()
    else:
        user = factories.ExpertFactory().user
    client.force_login(user)
    for name in ("telecharger", "progression"):
        assert client.get(_url(name, export), HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(reverse("exports:demander", args=[demarche.pk]), {"format": "csv", "statut": "tous"}).status_code == (
        302 if who == "collegue" else 404
    )


def test_an_instructeur_removed_from_the_demarche_loses_his_exports(instructeur_client, instructeur, demarche):
    export = _export_pret(instructeur, demarche)
    demarche.default_groupe.instructeurs.remove(instructeur)
    assert instructeur_client.get(_url("telecharger", export)).status_code == 404
    assert instructeur_client.get(reverse("exports:liste", args=[demarche.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, instructeur, demarche):
    export = _export_pret(instructeur, demarche)
    response = client.get(_url("telecharger", export))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_an_export_not_ready_cannot_be_downloaded(instructeur_client, instructeur, demarche):
    export, _ = services.export_demander(instructeur=instructeur, procedure=demarche, format="csv", statut="tous")
    assert instructeur_client.get(_url("telecharger", export)).status_code == 404


def test_the_exports_page_lists_recent_exports_only(instructeur_client, instructeur, demarche):
    from django.utils import timezone

    ready = _export_pret(instructeur, demarche, "csv")
    failed, _ = services.export_demander(instructeur=instructeur, procedure=demarche, format="ods", statut="traites")
    Export.objects.filter(pk=failed.pk).update(status=S.FAILED, expires_at=timezone.now() + timezone.timedelta(hours=1))
    expired = _export_pret(instructeur, demarche, "xlsx")
    Export.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    html = instructeur_client.get(reverse("exports:liste", args=[demarche.pk])).content.decode()
    assert f'id="export-{ready.pk}"' in html and f'id="export-{failed.pk}"' in html
    assert f'id="export-{expired.pk}"' not in html
    assert "en échec" in html and "Mes exports (2)" in html


def test_the_menu_keeps_the_label_filter_and_the_exports_page_shows_it(instructeur_client, instructeur, demarche):
    from demarches.instruction import services as instruction_services

    label = instruction_services.labels_de_la_procedure(demarche)[0]
    dashboard = reverse("instruction:procedure", args=[demarche.pk])
    html = instructeur_client.get(f"{dashboard}?statut=tous&label={label.pk}").content.decode()
    assert f'<input type="hidden" name="label" value="{label.pk}">' in html
    assert f"portant le label « {label.name} »" in html
    instructeur_client.post(
        reverse("exports:demander", args=[demarche.pk]), {"format": "xlsx", "statut": "tous", "label": label.pk}
    )
    export = Export.objects.get()
    assert export.label_id == label.pk
    page = instructeur_client.get(reverse("exports:liste", args=[demarche.pk])).content.decode()
    assert f"label « {label.name} »" in page


def test_the_archives_tab_does_not_offer_to_add_archived_dossiers(instructeur_client, demarche):
    html = instructeur_client.get(reverse("instruction:procedure", args=[demarche.pk]) + "?statut=archives").content.decode()
    assert '<input type="hidden" name="statut" value="archives">' in html
    assert "Inclure les dossiers archivés" not in html


def test_the_menu_offers_geojson_zip_modeles_and_archives(instructeur_client, demarche):
    html = instructeur_client.get(reverse("instruction:procedure", args=[demarche.pk])).content.decode()
    assert 'id="export-format-json" name="format" value="json"' in html
    assert 'id="export-format-zip" name="format" value="zip"' in html
    assert reverse("exports:modeles", args=[demarche.pk]) in html
    assert reverse("exports:archives", args=[demarche.pk]) in html


def test_the_dossier_page_offers_the_zip_of_the_dossier_and_its_attachments(instructeur_client, demarche):
    dossier = deposer(demarche, state=Dossier.State.EN_CONSTRUCTION)
    html = instructeur_client.get(reverse("instruction:dossier", args=[demarche.pk, dossier.pk])).content.decode()
    assert reverse("exports:dossier_zip", args=[demarche.pk, dossier.pk]) in html
    assert "Télécharger le dossier et toutes ses pièces jointes" in html


@pytest.mark.parametrize("format,content_type", [("json", "application/geo+json"), ("zip", "application/zip")])
def test_geojson_and_zip_exports_download_with_their_type(instructeur_client, instructeur, demarche, format, content_type):
    deposer(demarche, state=Dossier.State.EN_CONSTRUCTION)
    export = _export_pret(instructeur, demarche, format=format)
    response = instructeur_client.get(_url("telecharger", export))
    assert response.status_code == 200 and response["Content-Type"] == content_type
    extension = "geojson" if format == "json" else "zip"
    assert f'.{extension}"' in response["Content-Disposition"]
