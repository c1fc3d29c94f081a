"""Titres de section: levels 1 to 3, numbered from their levels unless the administrateur numbered them."""

import pytest
from django.urls import reverse

from demarches.fields.types.layout import numeros
from tests import factories
from tests.fields.demarches import champs_de_sections, demarche_creer


def test_numbers_follow_the_levels():
    sections = [
        (1, "Le demandeur", {}), (2, "Identité", {"level": 2}), (3, "Pièce", {"level": 3}), (4, "Adresse", {"level": 2}),
        (5, "Le projet", {"level": 1}), (6, "Budget", {"level": 2}), (7, "Détail", {"level": 3}), (8, "Total", {"level": 3}),
        (9, "Annexes", {"level": "inconnu"}),
    ]
    assert numeros(sections) == {
        1: "1.", 2: "1.1", 3: "1.1.1", 4: "1.2", 5: "2.", 6: "2.1", 7: "2.1.1", 8: "2.1.2", 9: "3.",
    }


def test_titles_numbered_by_the_administrateur_are_left_as_they_are():
    assert numeros([(1, "1 - Le demandeur", {}), (2, "Le projet", {})]) == {}
    assert numeros([(1, "Le demandeur", {}), (2, " 2) Le projet", {})]) == {}
    assert numeros([]) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("libelles, attendus", [
    (("Votre structure", "Localisation", "Votre demande"), ("1. Votre structure", "1.1 Localisation", "2. Votre demande")),
    (("A. Votre structure", "Localisation", "3 Votre demande"), ("A. Votre structure", ">Localisation<", ">3 Votre demande<")),
])
def test_the_usager_form_and_its_read_only_view_show_the_numbers(client, libelles, attendus):
    procedure = demarche_creer(champs_de_sections(*libelles))
    dossier = factories.dossier_creer(procedure=procedure)
    client.force_login(dossier.user)
    html = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).content.decode()
    for attendu in attendus:
        assert attendu in html
    assert html.index(attendus[0]) < html.index(attendus[1]) < html.index(attendus[2])


# Descriptions formatted with a few HTML tags (seed « Nouveautés pour les administrateurs ») -----------

FORMATEE = (
    '<p>Joignez le <b>devis signé</b> et <i>daté</i>, <u>lisible</u>.</p><h2>Attention</h2>'
    '<ul><li>un seul fichier</li></ul><p><a href="https://www.service-public.fr" onclick="vol()">aide</a> '
    '<a href="javascript:vol()">piège</a></p><script>vol()</script><img src="x" onerror="vol()">'
)


def test_a_plain_description_keeps_its_line_breaks_and_is_escaped():
    from demarches.fields.description import description_html

    assert description_html("Entre 14h et 18h\nsi montant < 100 & > 10") == "Entre 14h et 18h<br>si montant &lt; 100 &amp; &gt; 10"
    assert description_html("Le <b>devis</b>\nsigné") == "Le <strong>devis</strong><br>signé"
    assert description_html("Un\n\nDeux", bloc=True) == "<p>Un</p>\n\n<p>Deux</p>"


def test_formatting_is_kept_and_anything_else_removed():
    from demarches.fields.description import description_html

    bloc = description_html(FORMATEE, bloc=True)
    assert "<strong>devis signé</strong>" in bloc and "<em>daté</em>" in bloc and "<u>lisible</u>" in bloc
    assert "<p><strong>Attention</strong></p>" in bloc and "<ul><li>un seul fichier</li></ul>" in bloc
    assert '<a href="https://www.service-public.fr" rel="noopener noreferrer">aide</a>' in bloc
    for danger in ("script", "onclick", "onerror", "javascript", "<img", "<h2"):
        assert danger not in bloc
    inline = description_html(FORMATEE)
    assert "<p" not in inline and "<ul" not in inline and "<li" not in inline
    assert "<strong>devis signé</strong>" in inline and "<br>– un seul fichier" in inline
    for danger in ("script", "onclick", "onerror", "javascript", "<img"):
        assert danger not in inline


@pytest.mark.django_db
def test_the_usager_form_shows_the_formatted_descriptions(client):
    procedure = demarche_creer(
        [("header_section", "Pièces", False), ("explication", "À savoir", False), ("text", "Référence du devis", False)],
        descriptions={"Pièces": FORMATEE, "À savoir": FORMATEE, "Référence du devis": FORMATEE},
    )
    dossier = factories.dossier_creer(procedure=procedure)
    client.force_login(dossier.user)
    html = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).content.decode()
    assert html.count("<strong>devis signé</strong>") == 3
    assert html.count("<ul><li>un seul fichier</li></ul>") == 2  # the section and the explication
    assert '<span class="fr-hint-text">Joignez le <strong>devis signé</strong>' in html  # the label's hint
    assert "vol()" not in html and "&lt;b&gt;" not in html
