"""The public prefill API: POST creates a brouillon without owner that the usager holding its link
claims (once); GET follows the state of the dossiers created; unclaimed drafts are purged."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from demarches.api.graphql.ids import global_id
from demarches.audit.models import OperationLog
from demarches.dossiers import prefill, selectors, services, services_usager
from demarches.dossiers.models import Champ, Dossier, DossierSupprime
from demarches.procedures.models import Procedure
from tests import factories
from tests.fields.demarches import demarche_creer
from tests.fields.test_properties import is_french_message

CHAMPS = [
    ("text", "Nom du projet", True, {}),
    ("integer_number", "Nombre de participants", False, {"min": 1}),
    ("drop_down_list", "Type", False, {"choices": ["Concert", "Exposition"]}),
    ("carte", "Emprise", False, {}),
    ("piece_justificative", "Plan", False, {}),
]
POINT = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.04, 47.32]}, "properties": {}}]}


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def procedure(db):
    return demarche_creer(CHAMPS)


def ids(procedure) -> dict[str, str]:
    return {t.libelle: f"champ_{t.stable_id}" for t in procedure.active_revision.types_de_champ.all()}


def valeurs_du_dossier(dossier) -> dict[str, str]:
    return {c.type_de_champ.libelle: c.value for c in Champ.objects.filter(dossier=dossier).select_related("type_de_champ")}


def api(client, procedure, payload, **extra):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(
        f"/api/public/v1/demarches/{procedure.pk}/dossiers", body,
        content_type=extra.pop("content_type", "application/json"), **extra,
    )


def creer(client, procedure, payload=None) -> dict:
    p = ids(procedure)
    payload = payload if payload is not None else {
        p["Nom du projet"]: "Fête du quartier", p["Emprise"]: POINT, "identite_nom": "Dupont", "identite_prenom": "Camille",
        "identite_civilite": "Mme",
    }
    response = api(client, procedure, payload)
    assert response.status_code == 201, response.content
    return response.json()


# Creation ------------------------------------------------------------------------------------------


def test_post_creates_a_prefilled_brouillon_without_owner(client, procedure):
    payload = creer(client, procedure)

    dossier = Dossier.objects.get()
    assert dossier.user_id is None and dossier.prefilled and dossier.state == Dossier.State.BROUILLON
    assert dossier.expire_at is None and dossier.revision == procedure.active_revision
    assert (dossier.civilite, dossier.nom, dossier.prenom) == ("Mme", "Dupont", "Camille")
    values = valeurs_du_dossier(dossier)
    assert values["Nom du projet"] == "Fête du quartier" and values["Emprise"].startswith("1 géométrie")
    assert payload == {
        "dossier_url": f"http://testserver/preremplissage/{dossier.prefill_token}",
        "dossier_id": global_id("Dossier", dossier.pk),
        "dossier_number": dossier.pk,
        "dossier_prefill_state": "prefilled",
        "prefill_token": dossier.prefill_token,
    }
    assert len(dossier.prefill_token) >= 40
    log = OperationLog.objects.get(dossier_id=dossier.pk)
    assert log.operation == OperationLog.Operation.DOSSIER_CREER and log.automatic and log.actor_email == ""
    # Nobody's dossier: no e-mail, and it is in no usager's list.
    assert mail.outbox == []
    usager = factories.UserFactory()
    assert dossier not in selectors.dossiers_de_l_usager(user=usager, onglet="en-cours", recherche="")


def test_each_call_creates_its_own_draft_with_its_own_token(client, procedure):
    first, second = creer(client, procedure), creer(client, procedure)
    assert first["dossier_number"] != second["dossier_number"]
    assert first["prefill_token"] != second["prefill_token"]


def test_bad_values_are_refused_with_french_messages_and_nothing_is_created(client, procedure):
    p = ids(procedure)
    response = api(client, procedure, {
        p["Nom du projet"]: "Fête", p["Nombre de participants"]: "0", p["Type"]: "Cirque", p["Plan"]: "plan.pdf",
        "champ_999999": "x", "identite_civilite": "Monsieur",
    })
    assert response.status_code == 400
    payload = response.json()
    assert payload["erreur"] == "Certaines valeurs ne peuvent pas être préremplies : aucun dossier n'a été créé."
    assert payload["erreurs"] == {
        p["Nombre de participants"]: "La valeur doit être supérieure ou égale à 1.",
        p["Type"]: "Choisissez une des valeurs proposées.",
        p["Plan"]: prefill.UNKNOWN_MESSAGE,
        "champ_999999": prefill.UNKNOWN_MESSAGE,
        "identite_civilite": "La civilité doit être « M. » ou « Mme ».",
    }
    assert all(is_french_message(message) for message in [payload["erreur"], *payload["erreurs"].values()])
    assert not Dossier.objects.exists()


def test_an_unknown_champ_alone_is_refused(client, procedure):
    response = api(client, procedure, {"champ_123456789": "x"})
    assert response.status_code == 400
    assert response.json()["erreurs"] == {"champ_123456789": prefill.UNKNOWN_MESSAGE}
    assert not Dossier.objects.exists()


def test_malformed_requests_are_refused_in_french(client, procedure):
    for body, status in (("{pas du json", 400), ("[1, 2]", 400), ('"texte"', 400)):
        response = api(client, procedure, body)
        assert response.status_code == status
        assert is_french_message(response.json()["erreur"])
    assert api(client, procedure, "a=b", content_type="application/x-www-form-urlencoded").status_code == 415
    assert client.put(f"/api/public/v1/demarches/{procedure.pk}/dossiers").status_code == 405
    assert not Dossier.objects.exists()


def test_a_too_big_body_is_refused(client, procedure):
    p = ids(procedure)
    response = api(client, procedure, {p["Nom du projet"]: "x" * 1_100_000})
    assert response.status_code == 413 and response.json()["erreur"] == "La requête est trop volumineuse."
    assert not Dossier.objects.exists()


def test_identity_is_refused_for_a_demarche_addressed_to_companies(client, procedure):
    Procedure.objects.filter(pk=procedure.pk).update(for_individual=False)
    procedure.refresh_from_db()
    response = api(client, procedure, {"identite_nom": "Dupont"})
    assert response.status_code == 400
    assert "personnes morales" in response.json()["erreurs"]["identite_nom"]


def test_only_published_demarches_open_to_dossiers_accept_prefilled_drafts(client, db):
    en_test = factories.procedure_creer(publier=False)
    assert api(client, en_test, {}).status_code == 404
    close = demarche_creer([("text", "Nom", False, {})])
    Procedure.objects.filter(pk=close.pk).update(state=Procedure.State.CLOSE)
    assert api(client, close, {}).status_code == 404
    assert client.post("/api/public/v1/demarches/999999/dossiers", "{}", content_type="application/json").status_code == 404
    assert not Dossier.objects.exists()


def test_the_api_is_rate_limited_per_address(client, procedure, settings):
    settings.PREFILL_API_LIMITE_PAR_MINUTE = 2
    statuses = [api(client, procedure, {}).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    limited = api(client, procedure, {})
    assert limited["Retry-After"] == "60" and is_french_message(limited.json()["erreur"])
    # Another address is counted apart.
    assert api(client, procedure, {}, REMOTE_ADDR="10.0.0.2").status_code == 201


# Claiming -----------------------------------------------------------------------------------------


def test_the_usager_opening_the_link_claims_the_draft_after_login(client, procedure):
    payload = creer(client, procedure)
    url = payload["dossier_url"]

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Fête du quartier" in html and "Mme Camille Dupont" in html and "Point : latitude 47,32000" in html
    assert "Se connecter" in html and "next=%2Fpreremplissage%2F" in html
    # Anonymous POST: sent to the login page, nothing claimed.
    response = client.post(url)
    assert response.status_code == 302 and "next=/preremplissage/" in response["Location"].replace("%2F", "/")
    assert Dossier.objects.get().user_id is None

    usager = factories.UserFactory()
    client.force_login(usager)
    assert "Commencer la démarche" in client.get(url).content.decode()
    response = client.post(url)
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{dossier.pk}/identite/"
    assert dossier.user == usager and dossier.prefilled and dossier.state == Dossier.State.BROUILLON
    assert dossier.expire_at is not None and dossier.expire_at > timezone.now() + timedelta(days=300)
    assert dossier in selectors.dossiers_de_l_usager(user=usager, onglet="en-cours", recherche="")
    assert OperationLog.objects.filter(dossier_id=dossier.pk, actor_email=usager.email).exists()
    # The owner following the link again lands on his dossier.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == f"/dossiers/{dossier.pk}/identite/"
    # The usager can edit and deposit it like any brouillon.
    response = client.get(f"/dossiers/{dossier.pk}/brouillon/")
    assert response.status_code == 200 and "Fête du quartier" in response.content.decode()


def test_a_claimed_draft_cannot_be_claimed_by_another_user(client, procedure):
    payload = creer(client, procedure)
    owner, other = factories.UserFactory(), factories.UserFactory()
    client.force_login(owner)
    client.post(payload["dossier_url"])

    client.force_login(other)
    page = client.get(payload["dossier_url"])
    html = page.content.decode()
    assert page.status_code == 403 and "déjà été repris" in html
    assert "Fête du quartier" not in html and "Dupont" not in html  # nothing of the owner's data
    assert client.post(payload["dossier_url"]).status_code == 403
    dossier = Dossier.objects.get()
    assert dossier.user == owner
    assert client.get(f"/dossiers/{dossier.pk}/brouillon/").status_code in (403, 404)
    client.logout()
    assert client.get(payload["dossier_url"]).status_code == 403


def test_the_claim_service_refuses_a_second_claim(procedure, client):
    payload = creer(client, procedure)
    dossier = Dossier.objects.get(pk=payload["dossier_number"])
    first, second = factories.UserFactory(), factories.UserFactory()
    prefill.dossier_prerempli_reclamer(dossier=dossier, user=first)
    with pytest.raises(Exception, match="déjà été repris"):
        prefill.dossier_prerempli_reclamer(dossier=dossier, user=second)
    dossier.refresh_from_db()
    assert dossier.user == first


def test_a_draft_of_a_closed_demarche_cannot_be_claimed(client, procedure):
    payload = creer(client, procedure)
    Procedure.objects.filter(pk=procedure.pk).update(state=Procedure.State.CLOSE)
    client.force_login(factories.UserFactory())
    html = client.get(payload["dossier_url"]).content.decode()
    assert "n'accepte plus de nouveaux dossiers" in html and "Commencer la démarche" not in html
    client.post(payload["dossier_url"])
    assert Dossier.objects.get().user_id is None


def test_unknown_or_forged_tokens_are_not_found(client, procedure):
    payload = creer(client, procedure)
    token = payload["prefill_token"]
    assert client.get(f"/preremplissage/{token[:-2]}xx").status_code == 404
    assert client.get(f"/preremplissage/{'a' * 200}").status_code == 404
    # A dossier created by the usager himself has no token and cannot be reached this way.
    factories.dossier_creer(procedure=procedure)
    assert client.get("/preremplissage/None").status_code == 404


# Following the dossiers created (GET) -----------------------------------------------------------------


def test_get_gives_the_state_of_the_dossiers_created_with_the_tokens(client, procedure):
    a, b = creer(client, procedure), creer(client, procedure)
    other_procedure = demarche_creer([("text", "Nom", False, {})])
    c = creer(client, other_procedure, {})
    usager = factories.UserFactory()
    client.force_login(usager)
    client.post(b["dossier_url"])
    dossier_b = Dossier.objects.get(pk=b["dossier_number"])
    assert services.dossier_deposer(dossier=dossier_b, user=usager) == []
    client.logout()

    url = f"/api/public/v1/demarches/{procedure.pk}/dossiers"
    tokens = ",".join([a["prefill_token"], b["prefill_token"], c["prefill_token"], "inconnu"])
    response = client.get(url, {"prefill_token": tokens})
    assert response.status_code == 200
    rows = response.json()
    assert [row["dossier_number"] for row in rows] == [a["dossier_number"], b["dossier_number"]]  # not the other démarche's
    assert rows[0]["dossier_prefill_state"] == "prefilled" and rows[0]["submitted_at"] is None
    assert rows[1]["dossier_prefill_state"] == "en_construction" and rows[1]["submitted_at"]
    assert set(rows[0]) == {"dossier_url", "dossier_id", "dossier_number", "dossier_prefill_state", "submitted_at", "processed_at"}
    # Repeated parameter works too; no token → 400 in French.
    assert len(client.get(url + f"?prefill_token={a['prefill_token']}&prefill_token={b['prefill_token']}").json()) == 2
    missing = client.get(url)
    assert missing.status_code == 400 and is_french_message(missing.json()["erreur"])
    assert client.get(url, {"prefill_token": ",".join(["x"] * 101)}).status_code == 400


# Purge ------------------------------------------------------------------------------------------------


def test_unclaimed_drafts_are_purged_after_the_delay_by_the_retention_job(client, procedure):
    old, recent, claimed = creer(client, procedure), creer(client, procedure), creer(client, procedure)
    usager = factories.UserFactory()
    prefill.dossier_prerempli_reclamer(dossier=Dossier.objects.get(pk=claimed["dossier_number"]), user=usager)
    now = timezone.now()
    Dossier.objects.filter(pk__in=[old["dossier_number"], claimed["dossier_number"]]).update(
        updated_at=now - prefill.PURGE_DELAY - timedelta(hours=1)
    )
    Dossier.objects.filter(pk=recent["dossier_number"]).update(updated_at=now - prefill.PURGE_DELAY + timedelta(hours=1))

    result = services_usager.retention_appliquer(now=now)

    assert result["prefilled_purged"] == 1
    assert set(Dossier.objects.values_list("pk", flat=True)) == {recent["dossier_number"], claimed["dossier_number"]}
    trace = DossierSupprime.objects.get(dossier_number=old["dossier_number"])
    assert trace.reason == DossierSupprime.Reason.PREREMPLI_ABANDONNE
    assert client.get(old["dossier_url"]).status_code == 404
    # Idempotent.
    assert prefill.dossiers_preremplis_purger(now=now) == 0


def test_the_expiry_job_ignores_unclaimed_drafts(client, procedure):
    creer(client, procedure)
    result = services_usager.retention_appliquer(now=timezone.now() + timedelta(days=3))
    assert result["warned"] == 0 and Dossier.objects.count() == 1


# The link-based prefill keeps working, identity included --------------------------------------------


def test_a_link_prefills_identity_and_champs(client, procedure):
    p = ids(procedure)
    usager = factories.UserFactory()
    client.force_login(usager)
    url = f"/commencer/{procedure.path}"
    html = client.get(url, {p["Nom du projet"]: "Fête", "identite_nom": "Martin", "identite_civilite": "X"}).content.decode()
    assert "Identité du demandeur, Nom du projet" in html
    assert "Civilité du demandeur : La civilité doit être « M. » ou « Mme »." in html
    client.post(url)
    dossier = Dossier.objects.get(user=usager)
    assert dossier.nom == "Martin" and dossier.civilite == "" and dossier.prefilled and dossier.prefill_token is None
    assert valeurs_du_dossier(dossier) == {"Nom du projet": "Fête"}


def test_the_documentation_describes_the_api_and_identity(client, procedure):
    html = client.get(f"/demarches/{procedure.pk}/preremplissage").content.decode()
    for text in ("dossier_prefill_state", "identite_nom", "identite_civilite", "prefill_token=",
                 f"supprimé au bout de {prefill.PURGE_DELAY.days} jours", "&quot;identite_nom&quot;: &quot;Dupont&quot;"):
        assert text in html, text


def test_a_link_with_identity_only_is_kept_until_the_draft_is_created(client, procedure):
    url = f"/commencer/{procedure.path}"
    html = client.get(url, {"identite_prenom": "Camille"}).content.decode()
    assert "Identité du demandeur" in html
    usager = factories.UserFactory()
    client.force_login(usager)
    client.post(url)
    assert Dossier.objects.get(user=usager).prenom == "Camille"
    # Without any prefill value, a dossier is not marked prefilled.
    client.post(url)
    assert Dossier.objects.filter(user=usager, prefilled=False).count() == 1
