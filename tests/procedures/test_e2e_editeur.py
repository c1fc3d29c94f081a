"""Browser journey of the form editor: options, autosave, repetition block with its champs, a
condition, reordering by dragging, the preview with the condition evaluated live. axe-core on every screen."""

import pytest
from django.test import Client

from demarches.procedures.models import Procedure
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, live_url, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])


def _libelles(procedure):
    return list(Procedure.objects.get(pk=procedure.pk).draft_revision.public_types_de_champ().values_list("libelle", flat=True))


HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def _ajouter(page, type_champ, libelle, options=None, label_type=None):
    # The add form may just have been swapped in: let htmx bind it before its type select is changed.
    page.wait_for_function(HTMX_IDLE)
    page.locator("#id_nouveau-type_champ").select_option(type_champ)
    if label_type:
        page.locator("#nouveau-options-zone").get_by_text(f"Options du type « {label_type} »").wait_for()
    if options is not None:
        page.get_by_label("Options (une par ligne)").fill(options)
    page.locator("#id_nouveau-libelle").fill(libelle)
    page.get_by_role("button", name="Ajouter un champ", exact=True).click()
    page.get_by_text(f"Le champ « {libelle} » a été ajouté.", exact=True).first.wait_for()


def test_editeur_journey(page, live_url, check_page):
    administrateur = factories.AdministrateurFactory()
    procedure = factories.procedure_creer(administrateur=administrateur, publier=False, champs=[], libelle="Aide aux PME")
    _login(page, live_url, administrateur.user)
    page.goto(live_url + f"/admin/procedures/{procedure.pk}/champs/")
    check_page("editeur-vide")

    # a list with its « Autre » option, then its options typed: the options appear for the chosen type
    _ajouter(page, "yes_no", "Avez-vous des salariés ?")
    _ajouter(page, "drop_down_list", "Secteur", label_type="Choix simple", options="--Industrie--\nMétallurgie\n--Services--\nConseil")
    _ajouter(page, "integer_number", "Nombre de salariés", label_type="Nombre entier")
    _ajouter(page, "repetition", "Salariés")
    check_page("editeur-quatre-champs")

    # options of a number, saved automatically with a visible state
    nombre = procedure.draft_revision.types_de_champ.get(libelle="Nombre de salariés")
    page.get_by_role("link", name="Modifier le champ « Nombre de salariés »").click()
    page.locator(f"#id_champ-{nombre.stable_id}-min").fill("10")
    page.locator(f"#id_champ-{nombre.stable_id}-max").fill("2")
    page.locator(f"#id_champ-{nombre.stable_id}-max").blur()
    page.get_by_text("La valeur maximale doit être supérieure ou égale à la valeur minimale.").wait_for()
    assert page.get_by_text("Non enregistré").is_visible()
    check_page("options-erreur")
    page.locator(f"#id_champ-{nombre.stable_id}-max").fill("500")
    page.locator(f"#id_champ-{nombre.stable_id}-max").blur()
    page.get_by_text("Enregistré à").wait_for()
    nombre.refresh_from_db()
    assert (nombre.options["min"], nombre.options["max"]) == (10, 500)
    page.get_by_role("link", name="Fermer le champ « Nombre de salariés »").click()
    page.get_by_text("Valeur maximale : 500").wait_for()

    # a formatted champ: the regular-expression options show in « Avancé » mode only
    _ajouter(page, "formatted", "Code d'activité", label_type="Champ formaté")
    code = procedure.draft_revision.types_de_champ.get(libelle="Code d'activité")
    page.get_by_role("link", name="Modifier le champ « Code d'activité »").click()
    regex = page.locator(f"#id_champ-{code.stable_id}-regex")
    regex.wait_for(state="hidden")
    page.locator(f"label[for='id_champ-{code.stable_id}-mode_1']").click()
    regex.wait_for(state="visible")
    assert not page.locator(f"#id_champ-{code.stable_id}-letters").is_visible()
    regex.fill("[A-Z]{2}[0-9]{3}")
    page.locator(f"#id_champ-{code.stable_id}-example").fill("AB123")
    page.locator(f"#id_champ-{code.stable_id}-error_message").fill("Deux lettres majuscules puis trois chiffres.")
    page.locator(f"#id_champ-{code.stable_id}-error_message").blur()
    page.locator(f"#champ-{code.stable_id}-statut").get_by_text("Enregistré à").wait_for()
    check_page("champ-formate-avance")
    code.refresh_from_db()
    assert (code.options["mode"], code.options["regex"]) == ("avance", "[A-Z]{2}[0-9]{3}")
    page.get_by_role("link", name="Fermer le champ « Code d'activité »").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Supprimer le champ « Code d'activité »").click()
    page.get_by_text("Le champ « Code d'activité » a été supprimé.", exact=True).first.wait_for()

    # the repetition block gets its own champs
    bloc = procedure.draft_revision.types_de_champ.get(libelle="Salariés")
    page.locator(f"#id_enfant-{bloc.stable_id}-libelle").fill("Nom du salarié")
    page.get_by_role("button", name="Ajouter au bloc « Salariés »").click()
    page.get_by_text("Le champ « Nom du salarié » a été ajouté au bloc « Salariés ».", exact=True).first.wait_for()
    page.locator(f"#id_enfant-{bloc.stable_id}-type_champ").select_option("date")
    page.locator(f"#id_enfant-{bloc.stable_id}-libelle").fill("Date d'embauche")
    page.get_by_role("button", name="Ajouter au bloc « Salariés »").click()
    page.get_by_text("Le champ « Date d'embauche » a été ajouté au bloc « Salariés ».", exact=True).first.wait_for()
    assert list(bloc.children.values_list("libelle", flat=True)) == ["Nom du salarié", "Date d'embauche"]
    check_page("bloc-repetable")

    # a condition: « Nombre de salariés » only when the answer is « Oui »
    page.get_by_role("link", name="Condition d'affichage du champ « Nombre de salariés »").click()
    editeur = page.locator(f"#champ-{nombre.stable_id}-editeur")
    editeur.wait_for()
    page.wait_for_function(HTMX_IDLE)
    editeur.get_by_label("Champ de la condition 1").select_option(label="Avez-vous des salariés ?")
    # the comparisons and values offered follow the chosen champ's type (refreshed by the server)
    page.locator(f"select#champ-{nombre.stable_id}-0-value option", has_text="Oui").wait_for(state="attached")
    editeur = page.locator(f"#champ-{nombre.stable_id}-editeur")
    editeur.get_by_label("Valeur de la condition 1").select_option(label="Oui")
    check_page("condition")
    editeur.get_by_role("button", name="Enregistrer la condition").click()
    page.get_by_text("La condition du champ « Nombre de salariés » a été enregistrée.", exact=True).first.wait_for()
    page.get_by_text("« Avez-vous des salariés ? » est égal à « Oui »").wait_for()

    # reorder by dragging « Secteur » below « Nombre de salariés »
    secteur = procedure.draft_revision.types_de_champ.get(libelle="Secteur")
    handle = page.locator(f"#champ-{secteur.stable_id} [data-poignee]").first
    target = page.locator(f"#champ-{nombre.stable_id}")
    handle.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.75, steps=8)
    page.mouse.up()
    page.get_by_text("Le nouvel ordre des champs a été enregistré.", exact=True).first.wait_for()
    assert _libelles(procedure) == ["Avez-vous des salariés ?", "Nombre de salariés", "Secteur", "Salariés"]
    # and with the keyboard on the handle
    page.locator(f"#champ-{secteur.stable_id} [data-poignee]").first.focus()
    with page.expect_response(lambda response: "/champs/reordonner/" in response.url):
        page.keyboard.press("ArrowDown")
    page.wait_for_function(
        f"document.activeElement && document.activeElement.closest('#champ-{secteur.stable_id}') !== null"
    )  # the focus stays on the handle of the champ moved
    assert _libelles(procedure) == ["Avez-vous des salariés ?", "Nombre de salariés", "Salariés", "Secteur"]
    check_page("apres-deplacement")

    # the preview: the usager's form, the condition evaluated as the usager answers
    page.get_by_role("link", name="Prévisualiser le formulaire").click()
    check_page("apercu")
    assert not page.get_by_label("Nombre de salariés").is_visible()
    assert page.get_by_role("button", name="Déposer le dossier").count() == 0
    oui_non = procedure.draft_revision.types_de_champ.get(libelle="Avez-vous des salariés ?")
    page.locator(f"label[for='{oui_non.html_id}-oui']").click()
    page.get_by_label("Nombre de salariés").wait_for(state="visible")
    page.get_by_label("Nombre de salariés").fill("3")
    page.get_by_text("1 champ contient une erreur").wait_for()  # the bounds set in the editor apply
    page.get_by_text("La valeur doit être supérieure ou égale à 10.").wait_for()
    page.get_by_text("Conseil", exact=True).click()
    page.get_by_role("button", name="Ajouter un élément à « Salariés »").click()
    page.get_by_role("group", name="Salariés – ligne 2").wait_for()
    check_page("apercu-rempli")
    page.locator(f"label[for='{oui_non.html_id}-non']").click()
    page.get_by_label("Nombre de salariés").wait_for(state="hidden")
    assert Procedure.objects.get(pk=procedure.pk).dossiers.count() == 0

    # règles d'inéligibilité: a condition and the message the usager will read
    page.goto(live_url + f"/admin/procedures/{procedure.pk}/champs/")
    page.get_by_role("link", name="Règles d'inéligibilité").click()
    check_page("ineligibilite")
    page.get_by_text("Activer les règles d'inéligibilité").click()
    page.get_by_label("Message affiché à l'usager inéligible").fill("Cette aide est réservée aux entreprises de moins de 250 salariés.")
    def htmx_round_trip(action):
        with page.expect_response(lambda response: "/ineligibilite/" in response.url):
            action()
        page.wait_for_load_state("networkidle")

    htmx_round_trip(lambda: page.get_by_label("Champ de la condition 1").select_option(label="Nombre de salariés"))
    # The comparisons of a number champ are there once the condition row was swapped in.
    page.get_by_label("Comparaison de la condition 1").locator("option", has_text="est supérieur ou égal à").wait_for(state="attached")
    htmx_round_trip(lambda: page.get_by_label("Comparaison de la condition 1").select_option(label="est supérieur ou égal à"))
    page.get_by_label("Valeur de la condition 1").fill("250")
    htmx_round_trip(lambda: page.get_by_role("button", name="Ajouter un groupe « ou »").click())
    page.get_by_role("group", name="Groupe 1").wait_for()
    htmx_round_trip(lambda: page.get_by_role("button", name="Retirer la condition 3").click())
    htmx_round_trip(lambda: page.get_by_role("button", name="Retirer la condition 2").click())
    page.get_by_role("group", name="Groupe 1").wait_for(state="detached")
    page.wait_for_load_state("networkidle")
    check_page("ineligibilite-remplie")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state("networkidle")
    check_page("ineligibilite-apres-enregistrement")
    page.get_by_text("Les règles d'inéligibilité ont été enregistrées.").wait_for()
    check_page("ineligibilite-enregistree")
    regle = Procedure.objects.get(pk=procedure.pk).regle_ineligibilite
    assert regle.active and regle.condition == {"and": [{"champ": nombre.stable_id, "operator": "gte", "value": "250"}]}
