"""Champ.prefilled: true for the champs whose value came from a prefill (link or public API), false
for the others — the usager's own answers, and dossiers never prefilled."""

from demarches.dossiers import prefill, services_modification
from demarches.dossiers.models import Champ, Dossier
from tests import factories

QUERY = "query($n: Int!) { dossier(number: $n) { prefilled champs { label prefilled stringValue } } }"


def champs_data(gql, secret, dossier) -> dict[str, tuple[bool, str | None]]:
    status, body, _ = gql(secret, QUERY, {"n": dossier.pk})
    assert status == 200 and "errors" not in body, body.get("errors")
    return {c["label"]: (c["prefilled"], c["stringValue"]) for c in body["data"]["dossier"]["champs"]}


def param(procedure, libelle):
    tdc = procedure.active_revision.types_de_champ.get(libelle=libelle)
    return f"{prefill.PARAM_PREFIX}{tdc.stable_id}"


def test_champs_prefilled_through_the_public_api(gql, jeton, demarche):
    valeurs = prefill.valeurs_verifier(demarche, {param(demarche, "Nom du projet"): "Fête", param(demarche, "Thèmes"): ["Sport"]})
    dossier = prefill.dossier_prerempli_creer(procedure=demarche, preremplissage=valeurs)
    prefill.dossier_prerempli_reclamer(dossier=dossier, user=factories.UserFactory())
    # The usager answers another champ himself, then the dossier is deposited.
    Champ.objects.create(
        dossier=dossier, type_de_champ=demarche.active_revision.types_de_champ.get(libelle="Courriel du responsable"),
        stable_id=demarche.active_revision.types_de_champ.get(libelle="Courriel du responsable").stable_id,
        value="camille@example.fr",
    )
    Dossier.objects.filter(pk=dossier.pk).update(state=Dossier.State.EN_CONSTRUCTION)
    data = champs_data(gql, jeton[1], dossier)
    assert data["Nom du projet"] == (True, "Fête")
    assert data["Thèmes"] == (True, "Sport")
    assert data["Courriel du responsable"] == (False, "camille@example.fr")
    assert data["Description du projet"] == (False, None)


def test_champs_prefilled_through_a_link(gql, jeton, demarche):
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=demarche, user=usager)
    valeurs = prefill.valeurs_verifier(demarche, {param(demarche, "Nombre de participants"): "12"})
    assert prefill.dossier_preremplir(dossier=dossier, user=usager, valeurs=valeurs.valeurs) == 1
    Dossier.objects.filter(pk=dossier.pk).update(state=Dossier.State.EN_CONSTRUCTION)
    data = champs_data(gql, jeton[1], dossier)
    assert data["Nombre de participants"] == (True, "12")
    assert {label for label, (prefilled, _) in data.items() if prefilled} == {"Nombre de participants"}


def test_a_dossier_never_prefilled(gql, jeton, dossier_complet):
    assert not any(prefilled for prefilled, _ in champs_data(gql, jeton[1], dossier_complet).values())


def test_the_working_copy_keeps_the_prefill_mark(demarche):
    usager = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=demarche, user=usager)
    prefill.dossier_preremplir(
        dossier=dossier, user=usager, valeurs=prefill.valeurs_verifier(demarche, {param(demarche, "Nom du projet"): "Fête"}).valeurs
    )
    Dossier.objects.filter(pk=dossier.pk).update(state=Dossier.State.EN_CONSTRUCTION)
    dossier.refresh_from_db()
    copie = services_modification.dossier_modification_commencer(dossier=dossier, user=usager)
    assert Champ.objects.get(dossier=copie, stable_id=demarche.active_revision.types_de_champ.get(libelle="Nom du projet").stable_id).prefilled
