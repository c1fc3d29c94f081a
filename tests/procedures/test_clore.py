"""« Clore » with its reason (replaced by another démarche), notifying brouillons, « Réactiver »."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.procedures import services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


CADRE = "Loi n° 78-17 du 6 janvier 1978"


@pytest.fixture
def procedure(db, administrateur, instructeur):
    """A published démarche (with its cadre juridique, required for publication)."""
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], cadre_juridique=CADRE)


@pytest.fixture
def nouvelle(administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], libelle="Aide vélo 2027", path="aide-velo-2027",
                                     cadre_juridique=CADRE)


def test_confirmation_page_says_what_closing_does(admin_client, procedure, nouvelle, usager):
    factories.dossier_creer(procedure=procedure, user=usager)
    html = admin_client.get(reverse("procedures:clore", args=[procedure.pk])).content.decode()
    assert "Ce que la clôture change" in html
    assert "Les brouillons en cours ne pourront plus être déposés (1 brouillon actuellement)" in html
    assert "peuvent toujours être instruits" in html
    assert f"n° {nouvelle.pk} — Aide vélo 2027" in html
    assert f"n° {procedure.pk} —" not in html  # not itself


def test_close_replaced_by_another_demarche_and_notify_brouillons(admin_client, procedure, nouvelle, usager, run_on_commit):
    brouillon = factories.dossier_creer(procedure=procedure, user=usager)
    factories.dossier_creer(procedure=procedure, user=usager)  # a second brouillon: one e-mail per person
    depose = factories.dossier_creer(procedure=procedure, state="en_construction")
    factories.dossier_creer(procedure=procedure, for_procedure_preview=True)
    response = admin_client.post(reverse("procedures:clore", args=[procedure.pk]), {
        "motif": "remplacee", "remplacee_par": str(nouvelle.pk), "precisions": "Les aides 2027 remplacent les aides 2026.",
        "prevenir_usagers": "on",
    })
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.state == "close" and procedure.closing_reason == "remplacee"
    assert procedure.replaced_by_procedure == nouvelle
    assert procedure.closing_details == "Les aides 2027 remplacent les aides 2026."
    emails = list(OutgoingEmail.objects.filter(kind="demarche_close"))
    assert [e.to for e in emails] == [usager.email]
    assert "/commencer/aide-velo-2027" in emails[0].body and "Les aides 2027 remplacent" in emails[0].body
    entry = OperationLog.objects.filter(operation="procedure_clore").latest("id")
    assert entry.data == {"motif": "remplacee", "remplacee_par": nouvelle.pk, "usagers_prevenus": 1}
    # the admin page says it
    show = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert "Elle est remplacée par la démarche" in show and "Réactiver" in show
    # the usager's closed page sends to the new démarche; deposits blocked, dossiers still there
    page = admin_client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert "Cette démarche est close" in page and "Cette démarche est remplacée par la démarche « Aide vélo 2027 »" in page
    assert 'href="/commencer/aide-velo-2027"' in page and "Les aides 2027 remplacent les aides 2026." in page
    assert brouillon.procedure.dossiers.filter(pk=depose.pk).exists()


def test_close_without_reason_and_without_notifying(admin_client, procedure, usager):
    factories.dossier_creer(procedure=procedure, user=usager)
    response = admin_client.post(reverse("procedures:clore", args=[procedure.pk]), {"motif": "", "remplacee_par": ""})
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.state == "close" and procedure.replaced_by_procedure is None and procedure.closing_reason == ""
    assert not OutgoingEmail.objects.filter(kind="demarche_close").exists()
    page = admin_client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert "Cette démarche est close" in page and "Aller à la nouvelle démarche" not in page


def test_replaced_without_choosing_the_demarche(admin_client, procedure, nouvelle):
    response = admin_client.post(reverse("procedures:clore", args=[procedure.pk]), {"motif": "remplacee", "remplacee_par": ""})
    html = response.content.decode()
    block = html.split('id="id_remplacee_par-messages"', 1)[1].split("</div>", 1)[0]
    assert "Choisissez la démarche qui remplace celle-ci." in block
    assert Procedure.objects.get(pk=procedure.pk).state == "publiee"


def test_cannot_be_replaced_by_a_demarche_he_does_not_administer(admin_client, procedure, administrateur, instructeur):
    autre = factories.procedure_creer(instructeurs=[instructeur], libelle="Celle d'un autre", cadre_juridique=CADRE)
    en_test = factories.procedure_creer(administrateur=administrateur, publier=False, libelle="En test")
    html = admin_client.get(reverse("procedures:clore", args=[procedure.pk])).content.decode()
    assert "Celle d&#x27;un autre" not in html and "En test" not in html
    for remplacante in (autre, en_test, procedure):
        response = admin_client.post(reverse("procedures:clore", args=[procedure.pk]), {"motif": "remplacee", "remplacee_par": str(remplacante.pk)})
        assert response.status_code == 200
        with pytest.raises(ValidationError):
            services.procedure_clore(procedure=procedure, administrateur=administrateur, motif="remplacee", remplacee_par=remplacante)
    assert Procedure.objects.get(pk=procedure.pk).state == "publiee"


def test_replacement_link_hidden_once_the_new_demarche_is_closed(client, procedure, nouvelle, administrateur):
    services.procedure_clore(procedure=procedure, administrateur=administrateur, motif="remplacee", remplacee_par=nouvelle)
    services.procedure_clore(procedure=nouvelle, administrateur=administrateur)
    page = client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert "Cette démarche est close" in page and "Aller à la nouvelle démarche" not in page


def test_reactivate_a_closed_demarche(admin_client, procedure, nouvelle, administrateur):
    services.procedure_clore(procedure=procedure, administrateur=administrateur, motif="remplacee", remplacee_par=nouvelle)
    url = reverse("procedures:reactiver", args=[procedure.pk])
    assert "La démarche ne renverra plus ses usagers" in admin_client.get(url).content.decode()
    response = admin_client.post(url)
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.state == "publiee" and procedure.closed_at is None and procedure.replaced_by_procedure is None
    assert OperationLog.objects.filter(operation="procedure_reactiver", procedure_id=procedure.pk).exists()
    page = admin_client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert "Cette démarche est close" not in page


def test_reactivate_refused_when_the_date_limite_is_over(admin_client, procedure, administrateur):
    services.procedure_clore(procedure=procedure, administrateur=administrateur)
    Procedure.objects.filter(pk=procedure.pk).update(auto_archive_on=timezone.localdate() - datetime.timedelta(days=1))
    html = admin_client.post(reverse("procedures:reactiver", args=[procedure.pk])).content.decode()
    assert "La date limite de dépôt de cette démarche est passée" in html
    assert Procedure.objects.get(pk=procedure.pk).state == "close"


def test_reactivate_only_a_closed_demarche(admin_client, procedure, procedure_en_test):
    for p in (procedure, procedure_en_test):
        response = admin_client.post(reverse("procedures:reactiver", args=[p.pk]))
        assert response.status_code == 302
        assert Procedure.objects.get(pk=p.pk).state == p.state
    assert "Réactiver" not in admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()


def test_delete_a_closed_demarche_is_offered(admin_client, procedure, administrateur):
    services.procedure_clore(procedure=procedure, administrateur=administrateur)
    show = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert reverse("procedures:supprimer", args=[procedure.pk]) in show


def test_an_administrateur_never_closes_or_reactivates_a_demarche_he_does_not_administer(client, procedure, administrateur):
    autre = factories.AdministrateurFactory()
    client.force_login(autre.user)
    for name in ("clore", "reactiver"):
        url = reverse(f"procedures:{name}", args=[procedure.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"motif": ""}).status_code == 404
    assert Procedure.objects.get(pk=procedure.pk).state == "publiee"
    with pytest.raises(PermissionDenied):
        services.procedure_clore(procedure=procedure, administrateur=autre)
    services.procedure_clore(procedure=procedure, administrateur=administrateur)
    with pytest.raises(PermissionDenied):
        services.procedure_reactiver(procedure=procedure, administrateur=autre)
    assert Procedure.objects.get(pk=procedure.pk).state == "close"
