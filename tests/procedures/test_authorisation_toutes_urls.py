"""Every URL of the administrateur's area that names a démarche, found by walking the URL configuration (so a
new page cannot be forgotten): another administrateur gets 404 on GET and POST and changes nothing, while the
démarche's own administrateur reaches it with the same arguments."""


import pytest
from django.test import Client
from django.urls import reverse

from tests.routes import routes_commencant_par
from tests.procedures.test_authorisation import _snapshot, cible  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# A source démarche of the catalogue may be cloned by any administrateur: tested in test_clone_export_import.py.
OUVERTES_A_TOUS = {"procedures:cloner"}
# Reached by the administrateur only when the object exists (a file, a webhook delivery): a 404 for him too.
OBJET_ABSENT = {"fichier", "modele_telecharger", "webhook_renvoyer"}


def _patterns_de_demarche():
    return routes_commencant_par("admin/procedures/<")


def _arguments(c, noms):
    procedure = c["procedure"]
    valeurs = {
        "procedure_id": procedure.pk, "source_id": procedure.pk, "stable_id": c["stable_id"],
        "instructeur_id": c["instructeur"].pk, "invitation_id": c["invitation"].pk,
        "groupe_id": procedure.default_groupe.pk, "administrateur_id": c["co"].pk, "kind": "refus",
        "nom": "logo", "delivery_id": 1,
    }
    return {nom: valeurs[nom] for nom in noms}


def test_the_sweep_finds_the_admin_pages():
    noms = {nom for nom, _ in _patterns_de_demarche()}
    assert {"procedures:show", "procedures:champs", "procedures:ineligibilite", "procedures:groupes"} <= noms
    assert len(noms) > 40


def test_another_administrateur_reaches_no_page_of_the_demarche(admin_client, cible):  # noqa: F811
    client = Client()
    client.force_login(cible["pirate"].user)
    before = _snapshot(cible)
    for nom, arguments in _patterns_de_demarche():
        if nom in OUVERTES_A_TOUS:
            continue
        url = reverse(nom, kwargs=_arguments(cible, arguments))
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (404, 405), f"{method.upper()} {url} → {status}"
        if nom.split(":")[-1] not in OBJET_ABSENT:
            assert admin_client.get(url).status_code != 404, f"the administrateur should reach {url}"
    assert _snapshot(cible) == before
