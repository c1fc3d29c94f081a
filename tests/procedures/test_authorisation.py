"""Role × action × ownership: only the démarche's administrateurs see or change it."""

import pytest
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.procedures.models import InstructeurInvitation, MailTemplate, Procedure
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cible(procedure, instructeur):
    """A published démarche of `administrateur` with one instructeur, one champ and one pending invitation."""
    invitation = InstructeurInvitation.objects.create(email="attente@exemple.fr", groupe=procedure.default_groupe)
    MailTemplate.objects.create(procedure=procedure, kind="refus", subject="Refus", body="Refusé.")
    stable_id = procedure.draft_revision.types_de_champ.get().stable_id
    co = factories.AdministrateurFactory()
    procedure.administrateurs.add(co)
    pirate = factories.AdministrateurFactory()
    return {"procedure": procedure, "stable_id": stable_id, "instructeur": instructeur, "invitation": invitation,
            "co": co, "pirate": pirate}


def _actions(c):
    p, s = c["procedure"].pk, c["stable_id"]
    return [
        ("GET", reverse("procedures:show", args=[p]), None),
        ("GET", reverse("procedures:modifier", args=[p]), None),
        ("POST", reverse("procedures:modifier", args=[p]), {"libelle": "Piraté", "description": "x", "for_individual": "1",
                                                           "duree_conservation_dossiers": "12", "service_choice": "nouveau",
                                                           "service_nom": "x", "service_email": "x@exemple.fr"}),
        ("GET", reverse("procedures:champs", args=[p]), None),
        ("POST", reverse("procedures:champs", args=[p]), {"nouveau-type_champ": "text", "nouveau-libelle": "Piraté"}),
        ("GET", reverse("procedures:champ_modifier", args=[p, s]), None),
        ("POST", reverse("procedures:champ_modifier", args=[p, s]), {f"champ-{s}-type_champ": "text", f"champ-{s}-libelle": "Piraté"}),
        ("POST", reverse("procedures:champ_deplacer", args=[p, s]), {"direction": "bas"}),
        ("GET", reverse("procedures:champ_supprimer", args=[p, s]), None),
        ("POST", reverse("procedures:champ_supprimer", args=[p, s]), {}),
        ("GET", reverse("procedures:instructeurs", args=[p]), None),
        ("POST", reverse("procedures:instructeurs", args=[p]), {"email": "pirate@exemple.fr"}),
        ("POST", reverse("procedures:instructeur_retirer", args=[p, c["instructeur"].pk]), {}),
        ("POST", reverse("procedures:invitation_annuler", args=[p, c["invitation"].pk]), {}),
        ("GET", reverse("procedures:publier", args=[p]), None),
        ("POST", reverse("procedures:publier", args=[p]), {"path": "pirate"}),
        ("GET", reverse("procedures:clore", args=[p]), None),
        ("POST", reverse("procedures:clore", args=[p]), {}),
        ("GET", reverse("procedures:envoyer_copie", args=[p]), None),
        ("POST", reverse("procedures:envoyer_copie", args=[p]), {"email": c["pirate"].user.email}),
        ("POST", reverse("procedures:reactiver", args=[p]), {}),
        ("GET", reverse("procedures:exporter", args=[p]), None),
        ("POST", reverse("procedures:supprimer", args=[p]), {}),
        ("GET", reverse("procedures:administrateurs", args=[p]), None),
        ("POST", reverse("procedures:administrateurs", args=[p]), {"email": c["pirate"].user.email}),
        ("POST", reverse("procedures:administrateur_retirer", args=[p, c["co"].pk]), {}),
        ("GET", reverse("procedures:emails", args=[p]), None),
        ("GET", reverse("procedures:email_modifier", args=[p, "refus"]), None),
        ("POST", reverse("procedures:email_modifier", args=[p, "acceptation"]), {"subject": "Piraté", "body": "Piraté"}),
        ("POST", reverse("procedures:email_modifier", args=[p, "acceptation"]), {"subject": "Piraté", "body": "x", "apercu": "1"}),
        ("POST", reverse("procedures:email_retablir", args=[p, "refus"]), {}),
        ("GET", reverse("procedures:service_modifier", args=[c["procedure"].service_id]), None),
        ("POST", reverse("procedures:service_modifier", args=[c["procedure"].service_id]), {"nom": "Piraté", "email": "x@exemple.fr"}),
    ]


def _snapshot(c):
    procedure = Procedure.objects.get(pk=c["procedure"].pk)
    return (
        procedure.libelle, procedure.state, procedure.path, procedure.service.nom, procedure.hidden_at,
        list(procedure.draft_revision.types_de_champ.values_list("stable_id", "libelle", "position")),
        list(procedure.default_groupe.instructeurs.values_list("pk", flat=True)),
        list(InstructeurInvitation.objects.values_list("email", flat=True)),
        list(MailTemplate.objects.values_list("kind", "subject", "body")),
        sorted(procedure.administrateurs.values_list("pk", flat=True)),
        OperationLog.objects.count(),
    )


def _request(client, method, url, data):
    return client.get(url) if method == "GET" else client.post(url, data or {})


def test_anonymous_is_sent_to_login(client, cible):
    before = _snapshot(cible)
    for method, url, data in _actions(cible) + [("GET", reverse("procedures:index"), None), ("GET", reverse("procedures:nouvelle"), None)]:
        response = _request(client, method, url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert _snapshot(cible) == before


@pytest.mark.parametrize("role", ["usager", "instructeur"])
def test_users_without_administrateur_profile_are_forbidden(client, cible, role):
    # the instructeur of this very démarche is not its administrateur
    user = cible["instructeur"].user if role == "instructeur" else factories.UserFactory()
    client.force_login(user)
    before = _snapshot(cible)
    for method, url, data in _actions(cible) + [("GET", reverse("procedures:index"), None), ("POST", reverse("procedures:nouvelle"), {})]:
        assert _request(client, method, url, data).status_code == 403, url
    assert _snapshot(cible) == before


def test_another_administrateur_gets_404(client, cible):
    other = cible["pirate"]
    client.force_login(other.user)
    before = _snapshot(cible)
    for method, url, data in _actions(cible):
        assert _request(client, method, url, data).status_code == 404, url
    assert _snapshot(cible) == before
    # and his dashboard does not list it
    assert cible["procedure"].libelle not in client.get(reverse("procedures:index")).content.decode()


def test_administrateur_reaches_every_page(admin_client, cible):
    for method, url, data in _actions(cible):
        if method == "GET":
            assert admin_client.get(url).status_code == 200, url


def test_co_administrateur_has_the_same_rights(client, cible):
    co = factories.AdministrateurFactory()
    cible["procedure"].administrateurs.add(co)
    client.force_login(co.user)
    assert client.get(reverse("procedures:show", args=[cible["procedure"].pk])).status_code == 200
    assert client.get(reverse("procedures:service_modifier", args=[cible["procedure"].service_id])).status_code == 200


def test_service_modifier_redirect_target_must_be_administered(admin_client, cible):
    foreign = factories.procedure_creer(publier=False)
    url = reverse("procedures:service_modifier", args=[cible["procedure"].service_id]) + f"?procedure={foreign.pk}"
    assert admin_client.get(url).status_code == 404
