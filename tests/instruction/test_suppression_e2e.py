"""Browser journeys: delete a terminated dossier for the administration, find it in « supprimés récemment »
and restore it; the orange dot of « modifications déposées » on the list and the « Demande » tab.
Every page is checked with axe-core and kept as a screenshot (var/screenshots/)."""

import pytest
from django.http import QueryDict
from django.utils import timezone
from playwright.sync_api import expect

from demarches.dossiers import services as dossier_services
from demarches.dossiers import services_modification
from demarches.dossiers.models import Champ, Dossier, Follow
from demarches.instruction.models import SuppressionAdministration
from tests import factories
from tests.browser import login

S = Dossier.State
pytestmark = pytest.mark.django_db(transaction=True)


def test_delete_a_terminated_dossier_find_it_in_the_deleted_tab_and_restore_it(page, live_url, check_page):
    # given an instructeur and an accepted dossier of his démarche
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(instructeurs=[instructeur], libelle="Subvention aux associations")
    dossier = factories.dossier_creer(procedure=procedure, state=S.ACCEPTE, processed_at=timezone.now(), nom="Durand")
    login(page, live_url, instructeur.user)

    # when he opens it and clicks « Supprimer le dossier »
    page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/")
    check_page("dossier-accepte")
    page.get_by_role("button", name="Supprimer le dossier").click()
    dialog = page.locator("#modale-supprimer")
    dialog.wait_for(state="visible")
    expect(dialog.get_by_text("Le demandeur continuera de le voir")).to_be_visible()
    page.wait_for_timeout(400)  # the end of the dialog's opening animation, for the screenshot
    check_page("confirmation-suppression")
    # and confirms
    dialog.get_by_role("button", name="Supprimer le dossier").click()

    # then he is back on « traités », which no longer lists it
    expect(page.get_by_text(f"Le dossier n° {dossier.pk} a été supprimé pour l'administration")).to_be_visible()
    expect(page.get_by_role("link", name=f"Dossier n° {dossier.pk}")).to_have_count(0)
    assert SuppressionAdministration.objects.filter(dossier=dossier).exists()
    check_page("traites-apres-suppression")

    # when he opens the « supprimés récemment » tab, the dossier is there
    page.get_by_role("tab", name="Supprimés récemment").click()
    row = page.locator("tr", has=page.get_by_role("link", name=f"Dossier n° {dossier.pk}"))
    expect(row).to_be_visible()
    check_page("supprimes-recemment")
    # and « Restaurer » brings it back
    row.get_by_role("button", name="Restaurer").click()
    expect(page.get_by_text(f"Le dossier n° {dossier.pk} a été restauré")).to_be_visible()
    expect(page.get_by_role("link", name=f"Dossier n° {dossier.pk}")).to_have_count(0)
    check_page("apres-restauration")
    assert not SuppressionAdministration.objects.filter(dossier=dossier).exists()
    page.get_by_role("tab", name="Traités").click()
    expect(page.get_by_role("link", name=f"Dossier n° {dossier.pk}")).to_be_visible()


def test_the_orange_dot_of_deposited_modifications(page, live_url, check_page):
    # given a followed dossier en construction whose usager then deposits modifications
    instructeur = factories.InstructeurFactory()
    procedure = factories.procedure_creer(
        instructeurs=[instructeur], libelle="Subvention aux associations", champs=[("text", "Nom du projet", True, {})]
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    Champ.objects.create(dossier=dossier, type_de_champ=nom, stable_id=nom.stable_id, value="Jardin partagé")
    assert dossier_services.dossier_deposer(dossier=dossier, user=owner) == []
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    copie = services_modification.dossier_modification_commencer(dossier=dossier, user=owner)
    posted = QueryDict(mutable=True)
    posted[nom.html_id] = "Jardin partagé et verger"
    dossier_services.champs_enregistrer(dossier=copie, user=owner, posted=posted)
    assert services_modification.dossier_modifications_deposer(copie=copie, user=owner) == []
    login(page, live_url, instructeur.user)

    # then the démarches dashboard shows the dot in the « suivis » column
    page.goto(f"{live_url}/procedures/")
    expect(page.get_by_role("link", name="avec des nouveautés")).to_be_visible()
    check_page("tableau-de-bord-pastille")
    # and the list, on the dossier
    page.goto(f"{live_url}/procedures/{procedure.pk}/?statut=suivis")
    row = page.locator("tr", has=page.get_by_role("link", name=f"Dossier n° {dossier.pk}"))
    expect(row.locator(".instruction-dot")).to_have_count(1)
    expect(row.get_by_text("(modifications déposées)")).to_have_count(1)
    check_page("liste-pastille")
    # and the « Demande » tab while he reads the messagerie
    page.goto(f"{live_url}/procedures/{procedure.pk}/dossiers/{dossier.pk}/messagerie/")
    expect(page.get_by_role("tab", name="Demande (modifications déposées)")).to_be_visible()
    check_page("onglet-demande-pastille")
    # when he opens the demande, it says so once
    page.get_by_role("tab", name="Demande (modifications déposées)").click()
    expect(page.get_by_text("Le demandeur a déposé des modifications")).to_be_visible()
    check_page("demande-modifications")
    # then the dots are out
    page.goto(f"{live_url}/procedures/{procedure.pk}/?statut=suivis")
    expect(row.get_by_text("(modifications déposées)")).to_have_count(0)
    page.goto(f"{live_url}/procedures/")
    expect(page.locator(".instruction-dot")).to_have_count(0)
