"""The optional birth date of a personne physique (Procedure.demander_date_naissance): asked on the
identity page only when the démarche asks for it, then shown to the usager, the instructeur and in the PDF."""

import datetime
import html

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demarches.documents import pdfs
from demarches.dossiers import services, services_modification, services_usager
from demarches.dossiers.models import Dossier
from tests import factories
from tests.documents.conftest import pdf_text

S = Dossier.State
pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def procedure(administrateur, instructeur):
    return factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", False)],
        demander_date_naissance=True,
    )


@pytest.fixture
def logged(client, usager):
    client.force_login(usager)
    return client


def identite(dossier):
    return reverse("dossiers:identite", args=[dossier.pk])


def test_without_the_option_the_identity_page_does_not_ask_the_birth_date(logged, usager, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", False)]
    )
    dossier = factories.dossier_creer(procedure=procedure, user=usager, nom="", prenom="", civilite="")

    content = page(logged.get(identite(dossier)))
    assert "Nom *" in content and 'name="date_naissance"' not in content and "Date de naissance" not in content

    posted = {"civilite": "M.", "nom": "Durand", "prenom": "Paul", "date_naissance": "1985-07-14"}
    response = logged.post(identite(dossier), posted)
    assert response.url == reverse("dossiers:brouillon", args=[dossier.pk])
    dossier.refresh_from_db()
    assert (dossier.nom, dossier.date_naissance) == ("Durand", None)


def test_with_the_option_the_birth_date_is_required_and_checked(logged, usager, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    # the form page first sends the usager to the identity page: the birth date is missing
    assert logged.get(reverse("dossiers:brouillon", args=[dossier.pk])).url == identite(dossier)
    content = page(logged.get(identite(dossier)))
    assert "Date de naissance *" in content and 'type="date" id="date_naissance" name="date_naissance"' in content
    assert 'autocomplete="bday"' in content

    base = {"civilite": "Mme", "nom": "Martin", "prenom": "Claire"}
    demain = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for value, message in (
        ("", "Renseignez votre date de naissance."),
        ("pas une date", "Saisissez une date de naissance valide, par exemple 14/07/1985."),
        (demain, "La date de naissance ne peut pas être dans le futur."),
        ("1899-12-31", "La date de naissance ne peut pas être antérieure à 1900."),
    ):
        response = logged.post(identite(dossier), {**base, "date_naissance": value})
        content = page(response)
        assert response.status_code == 200 and message in content, value
        assert 'aria-describedby="date_naissance-messages" aria-invalid="true"' in content
    dossier.refresh_from_db()
    assert dossier.date_naissance is None

    response = logged.post(identite(dossier), {**base, "date_naissance": "1985-07-14"})
    assert response.url == reverse("dossiers:brouillon", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.date_naissance == datetime.date(1985, 7, 14)
    # the form page shows it with the identity, and the identity page gives it back
    assert "né(e) le 14/07/1985" in page(logged.get(reverse("dossiers:brouillon", args=[dossier.pk])))
    assert 'value="1985-07-14"' in page(logged.get(identite(dossier)))


def test_the_deposit_waits_for_the_birth_date(usager, procedure):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    with pytest.raises(ValidationError, match="Renseignez votre date de naissance"):
        services.dossier_deposer(dossier=dossier, user=usager)
    dossier.refresh_from_db()
    assert dossier.state == S.BROUILLON


def test_the_birth_date_is_shown_to_the_usager_the_instructeur_and_in_the_pdf(client, usager, instructeur, procedure):
    dossier = factories.dossier_creer(
        procedure=procedure, user=usager, state=S.EN_CONSTRUCTION, date_naissance=datetime.date(1985, 7, 14)
    )
    client.force_login(usager)
    assert "Né(e) le 14/07/1985" in page(client.get(reverse("dossiers:demande", args=[dossier.pk])))

    client.force_login(instructeur.user)
    content = page(client.get(reverse("instruction:dossier", args=[procedure.pk, dossier.pk])))
    assert "Date de naissance</dt><dd class=\"fr-ml-0 fr-mb-1w\">14/07/1985</dd>" in content

    assert "Date de naissance 14/07/1985" in pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))


def test_without_the_option_no_birth_date_row_for_the_instructeur(client, instructeur, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur])
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    client.force_login(instructeur.user)
    assert "Date de naissance" not in page(client.get(reverse("instruction:dossier", args=[procedure.pk, dossier.pk])))
    assert "Date de naissance" not in pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))


def test_the_birth_date_follows_a_duplicate_and_a_working_copy(usager, procedure):
    dossier = factories.dossier_creer(
        procedure=procedure, user=usager, state=S.EN_CONSTRUCTION, date_naissance=datetime.date(1985, 7, 14)
    )
    copie = services_usager.dossier_dupliquer(dossier=dossier, user=usager)
    assert copie.date_naissance == datetime.date(1985, 7, 14)
    assert "date_naissance" in services_modification.IDENTITE_FIELDS


def test_the_identity_page_in_english(logged, usager, procedure):
    logged.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    content = page(logged.get(identite(dossier)))
    assert "Date of birth *" in content and "Expected format: DD/MM/YYYY" in content
    posted = {"civilite": "Mme", "nom": "Martin", "prenom": "Claire", "date_naissance": "1899-01-01"}
    content = page(logged.post(identite(dossier), posted))
    assert "The date of birth cannot be before 1900." in content


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_birth_date_in_the_browser(page, live_url, check_page):
    from playwright.sync_api import expect

    from tests.browser import login

    procedure = factories.procedure_creer(
        instructeurs=[factories.InstructeurFactory()], champs=[("text", "Nom du projet", False)],
        demander_date_naissance=True,
    )
    usager = factories.UserFactory()
    login(page, live_url, usager)
    page.goto(f"{live_url}/commencer/{procedure.path}")
    page.get_by_role("button", name="Commencer la démarche").click()
    page.get_by_role("radio", name="Mme").check(force=True)
    page.get_by_label("Nom *", exact=True).fill("Durand")
    page.get_by_label("Prénom *").fill("Camille")
    page.get_by_role("button", name="Continuer").click()
    # without the birth date, the error is next to the field
    champ = page.get_by_label("Date de naissance *")
    expect(champ).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Renseignez votre date de naissance.")).to_be_visible()
    check_page("identite-erreur")
    champ.fill("1985-07-14")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("né(e) le 14/07/1985")).to_be_visible()
    dossier = Dossier.objects.get(user=usager)
    assert dossier.date_naissance == datetime.date(1985, 7, 14)
