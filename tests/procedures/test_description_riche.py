"""The démarche's description with simple formatting: the nh3 allow-list (unit), the form that saves
it, and the pages that show it sanitised (administrateur's page, usager's /commencer/<path>)."""

import pytest
from django.urls import reverse

from demarches.procedures import description, services
from demarches.procedures.models import Procedure
from tests import factories

pytestmark = pytest.mark.django_db


# --- the sanitiser (unit) -----------------------------------------------------------------------------


def test_allowed_formatting_is_kept():
    html = (
        "<h2>Qui peut demander ?</h2><p>Les <strong>associations</strong> et les <em>entreprises</em>, "
        "<u>avant le 1er mars</u>.<br>Pièces :</p><ul><li>statuts</li></ul><ol><li>un</li></ol>"
        "<h3>Sous-titre</h3><h4>Détail</h4>"
    )
    assert description.description_nettoyer(html) == html


def test_links_keep_http_https_mailto_with_rel_noopener():
    propre = description.description_nettoyer(
        '<p><a href="https://www.service-public.fr" target="_blank" title="x">site</a> '
        '<a href="http://exemple.fr">ancien</a> <a href="mailto:contact@exemple.fr">écrire</a></p>'
    )
    assert propre == (
        '<p><a href="https://www.service-public.fr" rel="noopener">site</a> '
        '<a href="http://exemple.fr" rel="noopener">ancien</a> '
        '<a href="mailto:contact@exemple.fr" rel="noopener">écrire</a></p>'
    )


@pytest.mark.parametrize("dangereux, reste", [
    ("<p>Bonjour<script>alert(1)</script></p>", "<p>Bonjour</p>"),
    ('<p onclick="alert(1)" style="color:red">Bonjour</p>', "<p>Bonjour</p>"),
    ('<p><a href="javascript:alert(1)">clic</a></p>', '<p><a rel="noopener">clic</a></p>'),
    ('<p><a href="data:text/html;base64,PHNjcmlwdD4=">clic</a></p>', '<p><a rel="noopener">clic</a></p>'),
    ('<p><img src="x" onerror="alert(1)">texte</p>', "<p>texte</p>"),
    ('<iframe src="https://pirate.example"></iframe><p>ok</p>', "<p>ok</p>"),
    ("<style>body{display:none}</style><p>ok</p>", "<p>ok</p>"),
    ('<p>a<!-- commentaire --></p>', "<p>a</p>"),
])
def test_scripts_events_and_dangerous_links_are_removed(dangereux, reste):
    assert description.description_nettoyer(dangereux) == reste


def test_browser_markup_is_mapped_to_the_allowed_tags():
    propre = description.description_nettoyer("<div>Ligne <b>grasse</b> et <i>penchée</i></div><h1>Grand</h1><p><br></p><p></p>")
    assert propre == "<p>Ligne <strong>grasse</strong> et <em>penchée</em></p><h2>Grand</h2>"


def test_plain_text_descriptions_still_render_as_paragraphs():
    texte = "Première ligne\nsuite\n\nDeuxième paragraphe avec 3 < 5 et <pas une balise"
    assert description.description_nettoyer(texte) == texte
    assert str(description.description_html(texte)) == (
        "<p>Première ligne<br>suite</p>\n\n<p>Deuxième paragraphe avec 3 &lt; 5 et &lt;pas une balise</p>"
    )


def test_display_sanitises_again_and_text_version_has_no_markup():
    # A value that did not go through the form (import, older data) is cleaned on display.
    assert str(description.description_html('<p onmouseover="x()">a <script>b</script></p>')) == "<p>a </p>"
    assert description.description_texte("<h2>Titre</h2><p>a &amp; b<br>c</p><ul><li>d</li></ul>") == "Titre\na & b\nc\nd"


# --- the form and the pages -------------------------------------------------------------------------


def _form_data(procedure, **extra):
    return {
        "libelle": procedure.libelle, "description": procedure.description, "for_individual": "1",
        "declarative_with_state": "", "duree_conservation_dossiers": "12",
        "service_choice": str(procedure.service_id), "cadre_juridique": "Loi n° 78-17", **extra,
    }


FORMATE = (
    '<h2>Conditions</h2><p>Réservé aux <b>associations</b> <u>déclarées</u>.</p>'
    '<ul><li>statuts</li><li>budget</li></ul>'
    '<p><a href="https://www.service-public.fr">En savoir plus</a><a href="javascript:alert(1)">piège</a></p>'
    '<script>alert("x")</script><p onclick="alert(2)">Fin</p>'
)
FORMATE_PROPRE = (
    '<h2>Conditions</h2><p>Réservé aux <strong>associations</strong> <u>déclarées</u>.</p>'
    '<ul><li>statuts</li><li>budget</li></ul>'
    '<p><a href="https://www.service-public.fr" rel="noopener">En savoir plus</a><a rel="noopener">piège</a></p>'
    '<p>Fin</p>'
)


def test_form_offers_the_toolbar_script_and_saves_sanitised_html(admin_client, procedure_en_test):
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    page = admin_client.get(url).content.decode()
    assert "data-description-riche" in page and "procedures/description_riche.js" in page
    assert admin_client.post(url, _form_data(procedure_en_test, description=FORMATE)).status_code == 302
    procedure = Procedure.objects.get(pk=procedure_en_test.pk)
    assert procedure.description == FORMATE_PROPRE
    show = admin_client.get(reverse("procedures:show", args=[procedure.pk])).content.decode()
    assert FORMATE_PROPRE in show and "alert(" not in show
    # the form shows the saved HTML back, escaped inside the textarea
    page = admin_client.get(url).content.decode()
    assert "&lt;h2&gt;Conditions&lt;/h2&gt;" in page


def test_description_made_only_of_markup_is_refused(admin_client, procedure_en_test):
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    response = admin_client.post(url, _form_data(procedure_en_test, description="<p><br></p><script>x</script>"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Décrivez la démarche." in html.split('id="id_description-messages"', 1)[1].split("</div>", 1)[0]
    assert Procedure.objects.get(pk=procedure_en_test.pk).description == "Pour demander une autorisation."


def test_usager_sees_the_formatted_description_on_commencer(client, administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], cadre_juridique="Loi")
    services.procedure_modifier(procedure=procedure, administrateur=administrateur,
                                description=description.description_nettoyer(FORMATE))
    html = client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert FORMATE_PROPRE in html and "<script>alert" not in html and "javascript:" not in html


def test_unsafe_value_stored_by_another_way_is_sanitised_on_display(client, administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], cadre_juridique="Loi")
    Procedure.objects.filter(pk=procedure.pk).update(description='<p>Bonjour <img src=x onerror="alert(1)"></p>')
    html = client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert "<p>Bonjour </p>" in html and "onerror" not in html


def test_plain_text_description_keeps_its_paragraphs_on_commencer(client, administrateur, instructeur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], cadre_juridique="Loi")
    Procedure.objects.filter(pk=procedure.pk).update(description="Premier paragraphe.\n\nSecond paragraphe, 3 < 5.")
    html = client.get(reverse("dossiers:commencer", args=[procedure.path])).content.decode()
    assert "<p>Premier paragraphe.</p>" in html
    assert "<p>Second paragraphe, 3 &lt; 5.</p>" in html


def test_another_administrateur_cannot_change_the_description(client, procedure_en_test):
    client.force_login(factories.AdministrateurFactory().user)
    url = reverse("procedures:modifier", args=[procedure_en_test.pk])
    assert client.post(url, _form_data(procedure_en_test, description="<p>Piraté</p>")).status_code == 404
    assert Procedure.objects.get(pk=procedure_en_test.pk).description == "Pour demander une autorisation."
