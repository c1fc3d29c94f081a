"""The usager journey through the test client: commencer, identité, formulaire, dépôt, suivi, messagerie."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.core.models import OutgoingEmail
from demarches.dossiers import services, transitions
from demarches.dossiers.models import Champ, Commentaire, Dossier, PieceJointe
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

CHAMPS = [
    ("header_section", "Votre projet", False, {}),
    ("explication", "Décrivez votre projet en quelques lignes.", False, {}),
    ("text", "Nom du projet", True, {}),
    ("integer_number", "Nombre de patients", True, {"min": 0, "max": 1000}),
    ("email", "Adresse du responsable", False, {}),
    ("checkbox", "Je certifie l'exactitude des informations", False, {}),
    ("multiple_drop_down_list", "Activités", False, {"choices": ["Stockage", "Livraison"]}),
    ("yes_no", "Disposez-vous d'un véhicule ?", False, {}),
    ("piece_justificative", "Plan des locaux", True, {}),
]


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def tdc(dossier, libelle):
    return dossier.revision.types_de_champ.get(libelle=libelle)


def field(dossier, libelle):
    return tdc(dossier, libelle).html_id


def page(response) -> str:
    """The response's HTML with entities decoded, to compare with plain French text."""
    return html.unescape(response.content.decode())


def htmx(**extra):
    return {"HTTP_HX_REQUEST": "true", **extra}


@pytest.fixture
def procedure(db, administrateur, instructeur):
    return factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS)


@pytest.fixture
def logged(client, usager):
    client.force_login(usager)
    return client


@pytest.fixture
def brouillon(procedure, usager):
    return factories.dossier_creer(procedure=procedure, user=usager)


def fill_valid(client, dossier):
    data = {
        field(dossier, "Nom du projet"): "Pharmacie du centre",
        field(dossier, "Nombre de patients"): "42",
        field(dossier, "Adresse du responsable"): "resp@exemple.fr",
    }
    client.post(reverse("dossiers:brouillon", args=[dossier.pk]), data, **htmx())
    services.piece_ajouter(
        dossier=dossier, user=dossier.user, type_de_champ=tdc(dossier, "Plan des locaux"), uploaded=pdf()
    )


# Commencer -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_commencer_anonymous_offers_signup_and_login_back_to_the_demarche(client, procedure):
    # when an anonymous visitor opens the public link
    url = reverse("dossiers:commencer", kwargs={"path": procedure.path})
    response = client.get(url)
    # then the démarche is presented with the two ways in, both coming back here
    content = page(response)
    assert response.status_code == 200
    assert procedure.libelle in content and procedure.description in content
    assert "Service des autorisations" in content and "Cette démarche est gérée par" in content
    assert "contact@prefecture.example.fr" in content
    assert "Créer un compte" in content and "J'ai déjà un compte" in content
    assert f"{reverse('account_signup')}?next=%2Fcommencer%2F{procedure.path}" in content
    assert f"{reverse('account_login')}?next=%2Fcommencer%2F{procedure.path}" in content
    assert "Commencer la démarche" not in content


@pytest.mark.django_db
def test_commencer_presents_the_object_the_filling_time_the_notice_and_the_logo(client, procedure):
    from django.core.files.base import ContentFile

    # given a démarche with an estimated time, a notice and a logo
    procedure.duree_estimee_minutes = 20
    procedure.notice.save("guide.pdf", ContentFile(PDF), save=False)
    procedure.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    procedure.save()
    # when anyone opens its public link
    content = page(client.get(reverse("dossiers:commencer", kwargs={"path": procedure.path})))
    # then the two questions of the démarche page answer with its description, time and pièces to prepare
    objet = content.split("Quel est l'objet de la démarche ?")[1].split("Quelle est la durée de remplissage")[0]
    assert procedure.description in objet
    duree = content.split("Quelle est la durée de remplissage de la démarche ?")[1]
    assert "environ 20 minutes pour remplir ce formulaire" in duree
    assert "Plan des locaux" in duree.split("</section>")[0]
    assert "Télécharger le guide de la démarche" in content and "guide.pdf" in content
    assert reverse("procedures:fichier", args=[procedure.pk, "logo"]) in content


@pytest.mark.django_db
def test_commencer_anonymous_post_goes_to_login(client, procedure):
    url = reverse("dossiers:commencer", kwargs={"path": procedure.path})
    response = client.post(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_commencer_logged_in_starts_a_dossier_and_asks_identity(logged, procedure, usager, run_on_commit):
    url = reverse("dossiers:commencer", kwargs={"path": procedure.path})
    # given a logged-in usager on the démarche page
    assert "Commencer la démarche" in page(logged.get(url))
    # when they start
    response = logged.post(url)
    # then a brouillon exists and the identity page follows
    dossier = Dossier.objects.get()
    assert dossier.user == usager and dossier.state == S.BROUILLON and not dossier.for_procedure_preview
    assert response.url == reverse("dossiers:identite", args=[dossier.pk])
    assert OutgoingEmail.objects.filter(kind="brouillon_cree", dossier_id=dossier.pk).exists()


@pytest.mark.django_db
def test_commencer_with_an_existing_brouillon_offers_to_continue(logged, procedure, brouillon):
    response = logged.get(reverse("dossiers:commencer", kwargs={"path": procedure.path}))
    content = page(response)
    assert "Vous avez déjà commencé à remplir un dossier" in content
    assert "Continuer à remplir" in content
    assert reverse("dossiers:brouillon", args=[brouillon.pk]) in content
    assert "Commencer un nouveau dossier" in content
    # and starting a new one is still possible
    logged.post(reverse("dossiers:commencer", kwargs={"path": procedure.path}))
    assert Dossier.objects.filter(procedure=procedure).count() == 2


@pytest.mark.django_db
def test_commencer_on_a_closed_demarche_has_no_start_button(logged, procedure, administrateur):
    procedure_services.procedure_clore(procedure=procedure, administrateur=administrateur)
    url = reverse("dossiers:commencer", kwargs={"path": procedure.path})
    content = page(logged.get(url))
    assert "Cette démarche est close" in content
    assert "Commencer la démarche" not in content and "Commencer un nouveau dossier" not in content
    logged.post(url)
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_commencer_test_link_creates_test_dossiers(logged, administrateur, instructeur):
    # given a démarche still en test
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=CHAMPS, publier=False
    )
    url = reverse("dossiers:commencer_test", kwargs={"test_token": procedure.test_token})
    # then its test link says so
    content = page(logged.get(url))
    assert "Démarche en test" in content and "Commencer la démarche" in content
    # and dossiers started there are test dossiers
    logged.post(url)
    dossier = Dossier.objects.get()
    assert dossier.for_procedure_preview
    assert "Démarche en test" in page(logged.get(reverse("dossiers:identite", args=[dossier.pk])))


@pytest.mark.django_db
def test_commencer_test_link_of_a_published_demarche_redirects_to_its_address(client, procedure):
    response = client.get(reverse("dossiers:commencer_test", kwargs={"test_token": procedure.test_token}))
    assert response.status_code == 302
    assert response.url == reverse("dossiers:commencer", kwargs={"path": procedure.path})


@pytest.mark.django_db
def test_commencer_unknown_path_is_404(client, db):
    assert client.get("/commencer/inconnue").status_code == 404


# Identité ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_identity_is_required_with_french_errors_next_to_fields(logged, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    Dossier.objects.filter(pk=dossier.pk).update(nom="", prenom="", civilite="")
    url = reverse("dossiers:identite", args=[dossier.pk])
    # the form page asks first for the identity
    assert logged.get(reverse("dossiers:brouillon", args=[dossier.pk])).url == url
    # when submitted empty
    response = logged.post(url, {"nom": "  ", "prenom": ""})
    content = page(response)
    # then each field says what is missing
    assert response.status_code == 200
    assert "Choisissez votre civilité" in content
    assert "Renseignez votre nom." in content and "Renseignez votre prénom." in content
    assert 'aria-describedby="nom-messages"' in content and "fr-input-group--error" in content
    # when filled in
    response = logged.post(url, {"civilite": "Mme", "nom": "Durand", "prenom": "Alice"})
    assert response.url == reverse("dossiers:brouillon", args=[dossier.pk])
    dossier.refresh_from_db()
    assert (dossier.civilite, dossier.nom, dossier.prenom) == ("Mme", "Durand", "Alice")


# Formulaire ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_brouillon_renders_every_champ_with_its_widget(logged, brouillon):
    Champ.objects.create(
        dossier=brouillon, type_de_champ=tdc(brouillon, "Nom du projet"),
        stable_id=tdc(brouillon, "Nom du projet").stable_id, value="Déjà saisi",
    )
    response = logged.get(reverse("dossiers:brouillon", args=[brouillon.pk]))
    content = page(response)
    assert response.status_code == 200
    assert "Les champs suivis d'un astérisque ( * ) sont obligatoires." in content
    assert '<h2 class="fr-h4 fr-mt-5w fr-mb-2w"' in content and "Votre projet</h2>" in content
    assert "Décrivez votre projet en quelques lignes." in content
    assert "Nom du projet *" in content and 'value="Déjà saisi"' in content
    assert f'for="{field(brouillon, "Nombre de patients")}"' in content
    assert f'name="{field(brouillon, "Activités")}-present"' in content
    assert "Taille maximale : 200 Mo" in content
    assert f'hx-post="{reverse("dossiers:brouillon", args=[brouillon.pk])}"' in content
    assert 'hx-trigger="change, input delay:800ms"' in content
    assert "Enregistrer le brouillon" in content and "Déposer le dossier" in content
    assert content.count("<h1") == 1


@pytest.mark.django_db
def test_the_deposit_bar_says_the_draft_is_saved_automatically(logged, brouillon):
    content = page(logged.get(reverse("dossiers:brouillon", args=[brouillon.pk])))
    barre = content.split('id="barre-depot"')[1].split("</form>")[0]
    assert "Votre brouillon est automatiquement enregistré." in barre
    assert 'id="autosave-status"' in barre
    assert "Enregistrer le brouillon" in barre and "Déposer le dossier" in barre
    assert "Les champs suivis d'un astérisque ( * ) sont obligatoires." in content


@pytest.mark.django_db
def test_autosave_saves_and_returns_errors_without_losing_other_values(logged, brouillon):
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    nom, nombre = field(brouillon, "Nom du projet"), field(brouillon, "Nombre de patients")
    activites = field(brouillon, "Activités")
    # when the form autosaves with one invalid value
    response = logged.post(
        url, {nom: "Mon projet", nombre: "douze", activites: ["Livraison"], f"{activites}-present": "1"}, **htmx()
    )
    content = page(response)
    # then the status and the error slot come back, but no input is replaced
    assert response.status_code == 200
    assert re.search(r"Votre brouillon a été enregistré à \d\d:\d\d", content)
    assert "1 champ contient une erreur" in content
    assert f'id="{nombre}-messages"' in content and 'hx-swap-oob="true"' in content
    assert "Saisissez un nombre entier" in content and "fr-error-text" in content
    assert "<input" not in content and "<textarea" not in content
    # and every value is kept, the invalid one as typed
    values = {c.stable_id: c for c in brouillon.champs.all()}
    assert values[tdc(brouillon, "Nom du projet").stable_id].value == "Mon projet"
    assert values[tdc(brouillon, "Nombre de patients").stable_id].value == "douze"
    assert values[tdc(brouillon, "Activités").stable_id].data == ["Livraison"]
    # when the value is corrected, the error slot is emptied
    content = page(logged.post(url, {nombre: "12"}, **htmx()))
    assert "Saisissez un nombre entier" not in content and f'id="{nombre}-messages"' in content
    # and unchecking every choice is saved thanks to the -present marker
    logged.post(url, {f"{activites}-present": "1"}, **htmx())
    assert brouillon.champs.get(stable_id=tdc(brouillon, "Activités").stable_id).value == ""


@pytest.mark.django_db
def test_save_without_javascript_redirects_or_rerenders_with_typed_values(logged, brouillon):
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    nom, nombre = field(brouillon, "Nom du projet"), field(brouillon, "Nombre de patients")
    response = logged.post(url, {nom: "Projet", "action": "enregistrer"})
    assert response.status_code == 302 and response.url == url
    response = logged.post(url, {nom: "Projet", nombre: "-5", "action": "enregistrer"})
    content = page(response)
    assert response.status_code == 200
    assert 'value="-5"' in content and 'value="Projet"' in content
    assert "La valeur doit être supérieure ou égale à 0." in content
    assert "fr-input-group--error" in content


@pytest.mark.django_db
def test_piece_justificative_upload_list_and_delete(logged, brouillon):
    champ = tdc(brouillon, "Plan des locaux")
    url = reverse("dossiers:piece_ajouter", args=[brouillon.pk, champ.stable_id])
    # when a valid file is uploaded
    response = logged.post(url, {f"{champ.html_id}-fichier": pdf()}, **htmx())
    content = page(response)
    # then it is attached and listed with its delete button
    piece = PieceJointe.objects.get()
    assert piece.filename == "plan.pdf" and piece.champ.dossier == brouillon
    assert "plan.pdf" in content and "Supprimer" in content
    assert reverse("dossiers:piece_telecharger", args=[brouillon.pk, piece.pk]) in content
    assert 'hx-swap-oob="innerHTML:#autosave-status"' in content
    # and it can be downloaded by its owner
    download = logged.get(reverse("dossiers:piece_telecharger", args=[brouillon.pk, piece.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # when it is deleted
    response = logged.post(reverse("dossiers:piece_supprimer", args=[brouillon.pk, piece.pk]), **htmx())
    assert response.status_code == 200 and not PieceJointe.objects.exists()
    assert "Fichier supprimé" in page(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uploaded, message",
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream"), "n'est pas accepté"),
        (SimpleUploadedFile("faux.pdf", b"GIF89a....", content_type="application/pdf"), "ne correspond pas"),
    ],
)
def test_piece_justificative_bad_file_is_rejected_next_to_the_field(logged, brouillon, uploaded, message):
    champ = tdc(brouillon, "Plan des locaux")
    url = reverse("dossiers:piece_ajouter", args=[brouillon.pk, champ.stable_id])
    content = page(logged.post(url, {f"{champ.html_id}-fichier": uploaded}, **htmx()))
    assert message in content and "fr-upload-group--error" in content and "fr-error-text" in content
    assert not PieceJointe.objects.exists()


@pytest.mark.django_db
def test_piece_justificative_too_big_is_rejected(logged, brouillon, settings):
    settings.PIECE_JUSTIFICATIVE_MAX_SIZE = 10
    champ = tdc(brouillon, "Plan des locaux")
    url = reverse("dossiers:piece_ajouter", args=[brouillon.pk, champ.stable_id])
    content = page(logged.post(url, {f"{champ.html_id}-fichier": pdf()}, **htmx()))
    assert "trop volumineux" in content
    assert not PieceJointe.objects.exists()


@pytest.mark.django_db
def test_piece_justificative_upload_without_javascript_comes_with_the_form(logged, brouillon):
    champ = tdc(brouillon, "Plan des locaux")
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    response = logged.post(url, {f"{champ.html_id}-fichier": pdf(), "action": "enregistrer"})
    assert response.status_code == 302
    assert PieceJointe.objects.get().champ.stable_id == champ.stable_id


@pytest.mark.django_db
def test_deposit_with_missing_champs_shows_the_banner_and_keeps_state(logged, brouillon, run_on_commit):
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    nom = field(brouillon, "Nom du projet")
    # when depositing with two mandatory champs missing and one filled in
    response = logged.post(url, {nom: "Projet gardé", "action": "deposer"})
    content = page(response)
    # then the banner counts them and links to each, the typed value is kept
    assert response.status_code == 200
    assert "Votre dossier contient 2 champs en erreur" in content
    assert f'href="#{field(brouillon, "Nombre de patients")}"' in content
    assert f'href="#{field(brouillon, "Plan des locaux")}"' in content
    assert "Ce champ est obligatoire" in content and 'value="Projet gardé"' in content
    brouillon.refresh_from_db()
    assert brouillon.state == S.BROUILLON
    assert not OutgoingEmail.objects.filter(kind="accuse_de_reception").exists()
    # with a single error, the wording is singular
    logged.post(url, {field(brouillon, "Nombre de patients"): "3"}, **htmx())
    content = page(logged.post(url, {"action": "deposer"}))
    assert "Votre dossier contient 1 champ en erreur" in content


@pytest.mark.django_db
def test_successful_deposit_sends_the_receipt_and_thanks(
    logged, brouillon, django_capture_on_commit_callbacks, mailoutbox
):
    fill_valid(logged, brouillon)
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    # when the usager deposits a complete dossier
    with django_capture_on_commit_callbacks(execute=True):
        response = logged.post(url, {field(brouillon, "Nom du projet"): "Pharmacie du centre", "action": "deposer"})
    # then it is en construction, the receipt is recorded and delivered, and the thanks page follows
    assert response.url == reverse("dossiers:merci", args=[brouillon.pk])
    brouillon.refresh_from_db()
    assert brouillon.state == S.EN_CONSTRUCTION and brouillon.depose_at
    assert OutgoingEmail.objects.filter(kind="accuse_de_reception", dossier_id=brouillon.pk).exists()
    assert any(brouillon.user.email in mail.to and "a bien été déposé" in mail.subject for mail in mailoutbox)
    content = page(logged.get(response.url))
    assert "Merci !" in content and "Votre dossier a bien été déposé" in content
    assert f"n° {brouillon.pk}" in content
    assert "Accéder à votre dossier" in content and reverse("dossiers:show", args=[brouillon.pk]) in content
    assert "Déposer un autre dossier" in content
    assert reverse("dossiers:commencer", kwargs={"path": brouillon.procedure.path}) in content


@pytest.mark.django_db
def test_merci_of_a_brouillon_goes_back_to_the_form(logged, brouillon):
    response = logged.get(reverse("dossiers:merci", args=[brouillon.pk]))
    assert response.url == reverse("dossiers:brouillon", args=[brouillon.pk])


@pytest.mark.django_db
def test_en_construction_is_modified_through_a_working_copy(logged, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    copie_url = logged.get(url).url
    assert copie_url != url
    content = page(logged.get(copie_url))
    assert "Déposer les modifications" in content and "Déposer le dossier" not in content
    response = logged.post(copie_url, {field(dossier, "Nom du projet"): "Modifié"}, **htmx())
    assert "Vos modifications ont été enregistrées à" in page(response)
    assert not dossier.champs.exists()  # the deposited dossier waits for « Déposer les modifications »
    # a stale page posting to the deposited dossier itself changes nothing and says so
    response = logged.post(url, {field(dossier, "Nom du projet"): "Ancien onglet"}, **htmx())
    assert response.headers["HX-Redirect"] == reverse("dossiers:show", args=[dossier.pk])
    assert not dossier.champs.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.EN_INSTRUCTION, S.ACCEPTE])
def test_read_only_once_en_instruction(logged, procedure, usager, state):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=state)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    # the form is not offered any more
    assert logged.get(url).url == reverse("dossiers:demande", args=[dossier.pk])
    # and posts change nothing
    logged.post(url, {field(dossier, "Nom du projet"): "Tentative"})
    response = logged.post(url, {field(dossier, "Nom du projet"): "Tentative"}, **htmx())
    assert response.headers["HX-Redirect"] == reverse("dossiers:show", args=[dossier.pk])
    champ = tdc(dossier, "Plan des locaux")
    logged.post(
        reverse("dossiers:piece_ajouter", args=[dossier.pk, champ.stable_id]), {f"{champ.html_id}-fichier": pdf()}
    )
    assert not dossier.champs.exists()
    # the summary shows values without inputs
    content = page(logged.get(reverse("dossiers:demande", args=[dossier.pk])))
    assert "Nom du projet" in content and 'name="champ-' not in content
    assert "Modifier le dossier" not in content


# Mes dossiers, suivi -------------------------------------------------------------------------


@pytest.mark.django_db
def test_mes_dossiers_lists_by_tab_with_counts_and_badges(logged, procedure, usager, django_assert_max_num_queries):
    for state in (S.BROUILLON, S.EN_CONSTRUCTION, S.EN_INSTRUCTION, S.EN_CONSTRUCTION):
        factories.dossier_creer(procedure=procedure, user=usager, state=state)
    refuse = factories.dossier_creer(procedure=procedure, user=usager, state=S.REFUSE)
    other = factories.dossier_creer(procedure=procedure)
    with django_assert_max_num_queries(8):
        response = logged.get(reverse("dossiers:index"))
    content = page(response)
    assert "Mes dossiers" in content and "4 en cours" in content and "1 traité" in content
    assert "en construction</span>" in content and "en instruction</span>" in content and "brouillon</span>" in content
    assert "Continuer à remplir" in content and procedure.libelle in content
    assert f">{other.pk}</td>" not in content and f">{refuse.pk}</td>" not in content
    content = page(logged.get(reverse("dossiers:index") + "?statut=traites"))
    assert f">{refuse.pk}</td>" in content and "refusé</span>" in content


@pytest.mark.django_db
def test_mes_dossiers_query_count_does_not_grow_with_dossiers(logged, procedure, usager, django_assert_max_num_queries):
    for _ in range(20):
        factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    with django_assert_max_num_queries(8):
        logged.get(reverse("dossiers:index"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state, current, text",
    [
        (S.EN_CONSTRUCTION, "en construction", "Vous pouvez encore le modifier."),
        (S.EN_INSTRUCTION, "en instruction", "Vous ne pouvez plus le modifier."),
    ],
)
def test_dossier_page_highlights_the_current_step(logged, procedure, usager, state, current, text):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=state)
    content = page(logged.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "en construction" in content and "en instruction" in content and "terminé" in content
    current_step = rf'aria-current="step">\s*<span class="fr-badge fr-badge--no-icon fr-badge--info">{current}'
    assert re.search(current_step, content)
    assert text in content
    assert "Résumé" in content and "Votre dossier" in content and "Messagerie" in content
    assert "Cette démarche est gérée par" in content and "par la messagerie de votre dossier" in content


@pytest.mark.django_db
def test_dossier_page_of_a_brouillon_redirects_to_the_form(logged, brouillon):
    assert logged.get(reverse("dossiers:show", args=[brouillon.pk])).url == reverse(
        "dossiers:brouillon", args=[brouillon.pk]
    )


@pytest.mark.django_db
def test_decision_with_motivation_and_justificatif(logged, procedure, usager, instructeur, client, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_INSTRUCTION)
    transitions.refuser(
        dossier=dossier, instructeur=instructeur, motivation="Le plan de masse manque.", justificatif=pdf("arrete.pdf")
    )
    content = page(logged.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "Votre dossier a été refusé" in content and "Le plan de masse manque." in content
    assert re.search(r'aria-current="step">\s*<span class="fr-badge fr-badge--no-icon fr-badge--info">terminé', content)
    url = reverse("dossiers:justificatif", args=[dossier.pk])
    assert url in content and "arrete" in content
    response = logged.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_votre_dossier_shows_identity_champs_and_attachments(logged, brouillon):
    fill_valid(logged, brouillon)
    services.dossier_deposer(dossier=brouillon, user=brouillon.user)
    content = page(logged.get(reverse("dossiers:demande", args=[brouillon.pk])))
    assert "Mme Claire Martin" in content
    assert "Pharmacie du centre" in content and "42" in content and "resp@exemple.fr" in content
    assert "plan.pdf" in content and "Non renseigné" in content
    assert "Modifier le dossier" in content


# Messagerie ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_messagerie_shows_senders_and_sends_with_attachment(logged, procedure, usager, instructeur, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    Commentaire.objects.create(dossier=dossier, email="ne-pas-repondre@x.fr", body="Accusé", is_automatic=True)
    services.message_envoyer(
        dossier=dossier, user=instructeur.user, body="Merci de compléter.", instructeur=instructeur
    )
    url = reverse("dossiers:messagerie", args=[dossier.pk])
    content = page(logged.get(url))
    assert "Email automatique" in content and "Service des autorisations" in content
    assert "Merci de compléter." in content
    # when the usager answers with an attachment
    response = logged.post(url, {"body": "Voici la pièce.", "piece_jointe": pdf("piece.pdf")})
    # then the message is recorded and shown as theirs
    commentaire = Commentaire.objects.get(body="Voici la pièce.")
    assert commentaire.piece_jointe_filename == "piece.pdf"
    assert response.url.startswith(url)
    content = page(logged.get(url))
    assert "Vous" in content and "Voici la pièce." in content
    attachment = reverse("dossiers:commentaire_piece_jointe", args=[dossier.pk, commentaire.pk])
    assert attachment in content
    download = logged.get(attachment)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_messagerie_errors_keep_the_text(logged, procedure, usager, settings):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.EN_CONSTRUCTION)
    url = reverse("dossiers:messagerie", args=[dossier.pk])
    content = page(logged.post(url, {"body": "   "}))
    assert "Votre message est vide" in content and 'aria-describedby="message-body-messages"' in content
    settings.MESSAGE_ATTACHMENT_MAX_SIZE = 10
    response = logged.post(url, {"body": "Mon texte", "piece_jointe": pdf()})
    content = page(response)
    assert response.status_code == 200
    assert "trop volumineux" in content and "Mon texte</textarea>" in content
    assert not Commentaire.objects.filter(body="Mon texte").exists()


@pytest.mark.django_db
def test_archived_dossier_messagerie_is_closed(logged, procedure, usager):
    dossier = factories.dossier_creer(procedure=procedure, user=usager, state=S.ACCEPTE, archived=True)
    url = reverse("dossiers:messagerie", args=[dossier.pk])
    assert "Envoyer le message" not in page(logged.get(url))
    logged.post(url, {"body": "Encore une question"})
    assert not Commentaire.objects.exists()


# Autorisations ------------------------------------------------------------------------------


def dossier_urls(dossier, piece, commentaire, stable_id):
    return [
        ("get", reverse("dossiers:show", args=[dossier.pk])),
        ("get", reverse("dossiers:identite", args=[dossier.pk])),
        ("post", reverse("dossiers:identite", args=[dossier.pk])),
        ("get", reverse("dossiers:brouillon", args=[dossier.pk])),
        ("post", reverse("dossiers:brouillon", args=[dossier.pk])),
        ("post", reverse("dossiers:piece_ajouter", args=[dossier.pk, stable_id])),
        ("get", reverse("dossiers:piece_telecharger", args=[dossier.pk, piece.pk])),
        ("post", reverse("dossiers:piece_supprimer", args=[dossier.pk, piece.pk])),
        ("get", reverse("dossiers:merci", args=[dossier.pk])),
        ("get", reverse("dossiers:demande", args=[dossier.pk])),
        ("get", reverse("dossiers:justificatif", args=[dossier.pk])),
        ("get", reverse("dossiers:messagerie", args=[dossier.pk])),
        ("post", reverse("dossiers:messagerie", args=[dossier.pk])),
        ("get", reverse("dossiers:commentaire_piece_jointe", args=[dossier.pk, commentaire.pk])),
    ]


@pytest.fixture
def dossier_complet(procedure, usager, instructeur, run_on_commit):
    dossier = factories.dossier_creer(procedure=procedure, user=usager)
    piece = services.piece_ajouter(
        dossier=dossier, user=usager, type_de_champ=tdc(dossier, "Plan des locaux"), uploaded=pdf()
    )
    Dossier.objects.filter(pk=dossier.pk).update(state=S.EN_INSTRUCTION)
    dossier.refresh_from_db()
    commentaire = services.message_envoyer(dossier=dossier, user=usager, body="Bonjour", piece_jointe=pdf("q.pdf"))
    transitions.accepter(dossier=dossier, instructeur=instructeur, justificatif=pdf("arrete.pdf"))
    return dossier, piece, commentaire


@pytest.mark.django_db
def test_another_usager_gets_404_everywhere(client, dossier_complet):
    dossier, piece, commentaire = dossier_complet
    client.force_login(factories.UserFactory())
    for method, url in dossier_urls(dossier, piece, commentaire, tdc(dossier, "Plan des locaux").stable_id):
        assert getattr(client, method)(url).status_code == 404, url
    assert PieceJointe.objects.filter(pk=piece.pk).exists()


@pytest.mark.django_db
def test_an_instructeur_is_not_an_owner_here(client, dossier_complet, instructeur):
    dossier, piece, commentaire = dossier_complet
    client.force_login(instructeur.user)
    for method, url in dossier_urls(dossier, piece, commentaire, tdc(dossier, "Plan des locaux").stable_id):
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.django_db
def test_the_owner_reaches_every_download(logged, dossier_complet):
    dossier, piece, commentaire = dossier_complet
    for name, args in [
        ("dossiers:piece_telecharger", [dossier.pk, piece.pk]),
        ("dossiers:justificatif", [dossier.pk]),
        ("dossiers:commentaire_piece_jointe", [dossier.pk, commentaire.pk]),
    ]:
        response = logged.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, dossier_complet):
    dossier, piece, commentaire = dossier_complet
    urls = [("get", reverse("dossiers:index"))] + dossier_urls(
        dossier, piece, commentaire, tdc(dossier, "Plan des locaux").stable_id
    )
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login") + "?next="), url


@pytest.mark.django_db
def test_anonymous_htmx_request_redirects_the_whole_page(client, brouillon):
    url = reverse("dossiers:brouillon", args=[brouillon.pk])
    response = client.post(url, {}, **htmx(HTTP_HX_CURRENT_URL=f"http://testserver{url}"))
    assert response.headers["HX-Redirect"].startswith(reverse("account_login") + "?next=")
