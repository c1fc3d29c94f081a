"""The shared "Cette démarche est gérée par…" block."""

import pytest
from django.template.loader import render_to_string

from tests import factories

pytestmark = pytest.mark.django_db


def test_footer_shows_the_service_contact():
    service = factories.ServiceFactory(horaires="Du lundi au vendredi, de 9 h à 12 h", adresse="1 rue de la Paix\n75000 Paris")
    html = render_to_string("partials/service_footer.html", {"service": service, "messagerie_url": "/dossiers/1/messagerie/"})
    assert "Cette démarche est gérée par :" in html
    assert "Poser une question sur votre dossier :" in html
    assert "Service des autorisations" in html and "Préfecture de l&#x27;Exemple" in html
    assert 'href="mailto:contact@prefecture.example.fr"' in html
    assert 'href="tel:0123456789"' in html and "01 23 45 67 89" in html
    assert "Du lundi au vendredi, de 9 h à 12 h" in html
    assert "1 rue de la Paix<br>75000 Paris" in html
    assert 'href="/dossiers/1/messagerie/"' in html


def test_footer_without_service_renders_nothing():
    assert render_to_string("partials/service_footer.html", {"service": None}).strip() == ""
