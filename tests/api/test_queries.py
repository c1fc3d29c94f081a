"""Client documents (the seed's two examples and others) against seeded data, compared with the database."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demarches.api.graphql.ids import global_id
from demarches.dossiers import services as dossier_services
from demarches.dossiers.models import Commentaire, Dossier
from tests import factories

from .conftest import PDF, dossier_en_construction
from .documents import SEED_CURL, SEED_GET_DEMARCHE


def iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


@pytest.fixture
def demarche_remplie(demarche, dossier_complet, instructeur, django_capture_on_commit_callbacks):
    """The démarche with 12 deposited dossiers (one of them complete) and one brouillon."""
    for numero in range(2, 13):
        dossier_en_construction(demarche, numero, nom=f"Nom{numero}", prenom=f"Prénom{numero}", civilite="M.")
    factories.dossier_creer(procedure=demarche, state=Dossier.State.BROUILLON)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.message_envoyer(
            dossier=dossier_complet, user=instructeur.user, body="Voici le courrier.", instructeur=instructeur,
            piece_jointe=SimpleUploadedFile("courrier.pdf", PDF, content_type="application/pdf"),
        )
    return demarche


def test_seed_curl_example_lists_the_demandeurs(gql, jeton, demarche_remplie):
    # Given the seed's curl document, sent with the older header form shown in the seed
    status, body, _ = gql(jeton[1], SEED_CURL, {"number": demarche_remplie.pk}, legacy=True)
    # Then every deposited dossier is there, in deposit order, with its demandeur
    assert status == 200 and "errors" not in body
    data = body["data"]["demarche"]
    assert data["id"] == global_id("Procedure", demarche_remplie.pk)
    expected = Dossier.objects.filter(procedure=demarche_remplie).exclude(state="brouillon").order_by("depose_at", "pk")
    assert [node["id"] for node in data["dossiers"]["nodes"]] == [global_id("Dossier", d.pk) for d in expected]
    assert [node["demandeur"] for node in data["dossiers"]["nodes"]] == [
        {"civilite": {"M.": "M", "Mme": "Mme"}[d.civilite], "nom": d.nom, "prenom": d.prenom} for d in expected
    ]


def test_seed_get_demarche_example_matches_the_database(gql, jeton, demarche_remplie, dossier_complet, client):
    # Given the seed's getDemarche document, verbatim (its variable has a default; we give ours)
    status, body, _ = gql(jeton[1], SEED_GET_DEMARCHE, {"demarcheNumber": demarche_remplie.pk}, operation_name="getDemarche")
    assert status == 200 and "errors" not in body, body.get("errors")
    data = body["data"]["demarche"]
    # Then the démarche and its form are described
    assert (data["number"], data["title"]) == (demarche_remplie.pk, demarche_remplie.libelle)
    tdcs = list(demarche_remplie.active_revision.public_types_de_champ())
    assert data["champDescriptors"] == [
        {"id": global_id("Champ", tdc.stable_id), "type": tdc.type_champ, "label": tdc.libelle} for tdc in tdcs
    ]
    # And the first page holds 10 dossiers, with more to come
    nodes = data["dossiers"]["nodes"]
    assert len(nodes) == 10 and data["dossiers"]["pageInfo"]["hasNextPage"] is True
    first = nodes[0]
    dossier = Dossier.objects.get(pk=dossier_complet.pk)
    assert first["id"] == global_id("Dossier", dossier.pk) and first["number"] == dossier.pk
    assert first["datePassageEnConstruction"] == iso(dossier.en_construction_at or dossier.depose_at)
    assert first["datePassageEnInstruction"] == iso(dossier.en_instruction_at)
    assert first["dateTraitement"] is None
    assert first["dateDerniereModification"] == iso(dossier.updated_at)
    assert first["usager"] == {"email": dossier.user.email}
    assert first["demandeur"] == {"civilite": "Mme", "nom": "Martin", "prenom": "Claire"}
    # Messages: every message of the messagerie, automatic ones included, oldest first
    commentaires = list(Commentaire.objects.filter(dossier=dossier).order_by("created_at", "pk"))
    assert [m["body"] for m in first["messages"]] == [c.body for c in commentaires]
    with_file = [m for m in first["messages"] if m["attachment"]]
    assert len(with_file) == 1 and with_file[0]["attachment"]["filename"] == "courrier.pdf"
    downloaded = client.get(with_file[0]["attachment"]["url"])
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF
    # Avis
    avis = dossier.avis.get()
    assert first["avis"] == [{
        "attachment": None, "dateQuestion": iso(avis.created_at), "dateReponse": None,
        "expert": {"email": "experte@exemple.fr"}, "instructeur": {"email": avis.claimant.user.email},
        "question": "Qu'en pensez-vous ?", "reponse": None,
    }]
    # Champs: typed values under fragments whose `value` types differ
    champs = {champ["label"]: champ for champ in first["champs"]}
    assert [champ["label"] for champ in first["champs"]] == [tdc.libelle for tdc in tdcs]
    assert champs["Nom du projet"]["value"] == "Projet n° 1"
    assert champs["Nombre de participants"]["value"] == "11"
    assert champs["Budget prévisionnel"]["value"] == 1.5
    assert champs["J'accepte les conditions"]["value"] is True
    assert champs["Premier dépôt ?"]["value"] is False
    assert champs["Date de début"]["value"] == "2026-03-15T00:00:00+01:00"
    assert champs["Rendez-vous"]["value"] == "2026-03-15T14:30:00+01:00"
    assert champs["Thèmes"]["values"] == ["Sport", "Santé"]
    assert champs["Département"]["value"] == "Aisne"
    fichier = champs["Justificatif de domicile"]["file"]
    assert fichier["filename"] == "domicile.pdf" and fichier["byteSize"] == len(PDF)
    assert fichier["contentType"] == "application/pdf"
    downloaded = client.get(fichier["url"])
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF


def test_brouillons_are_never_visible(gql, jeton, demarche):
    brouillon = factories.dossier_creer(procedure=demarche, state=Dossier.State.BROUILLON)
    status, body, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { id } }", {"n": brouillon.pk})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "not_found"


DOSSIER_CHAMPS = """query($n: Int!) { dossier(number: $n) { champs {
  __typename label
  ... on DateChamp { date value }
  ... on DatetimeChamp { datetime }
  ... on CheckboxChamp { value }
  ... on YesNoChamp { yesNo: value }
} } }"""


def test_datetime_and_yes_no_champs_get_their_own_types_when_the_document_asks(gql, jeton, dossier):
    # Given a document with DatetimeChamp and YesNoChamp fragments
    _, body, _ = gql(jeton[1], DOSSIER_CHAMPS, {"n": dossier.pk})
    champs = {champ["label"]: champ for champ in body["data"]["dossier"]["champs"]}
    # Then those champs use these types, as in the reference
    assert champs["Rendez-vous"] == {"__typename": "DatetimeChamp", "label": "Rendez-vous", "datetime": "2026-03-15T14:30:00+01:00"}
    assert champs["Premier dépôt ?"] == {"__typename": "YesNoChamp", "label": "Premier dépôt ?", "yesNo": False}
    assert champs["Date de début"]["__typename"] == "DateChamp" and champs["Date de début"]["date"] == "2026-03-15"


def test_without_those_fragments_they_read_as_date_and_checkbox(gql, jeton, dossier):
    _, body, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { champs { __typename label } } }", {"n": dossier.pk})
    types = {champ["label"]: champ["__typename"] for champ in body["data"]["dossier"]["champs"]}
    assert types["Rendez-vous"] == "DateChamp" and types["Premier dépôt ?"] == "CheckboxChamp"
    assert types["Civilité du responsable"] == "CiviliteChamp"
    assert types["Pièces jointes"] == "TextChamp"  # section titles, as in the reference


def test_empty_champs_are_listed_with_null_values(gql, jeton, demarche):
    dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
    _, body, _ = gql(jeton[1], """query($n: Int!) { dossier(number: $n) { champs { label stringValue
        ... on TextChamp { text: value } ... on IntegerNumberChamp { integer: value } ... on CheckboxChamp { checked: value }
        ... on MultipleDropDownListChamp { values } ... on PieceJustificativeChamp { files { filename } } } } }""", {"n": dossier.pk})
    champs = {champ["label"]: champ for champ in body["data"]["dossier"]["champs"]}
    assert champs["Nom du projet"] == {"label": "Nom du projet", "stringValue": None, "text": None}
    assert champs["Nombre de participants"]["integer"] is None
    assert champs["J'accepte les conditions"]["checked"] is False
    assert champs["Thèmes"]["values"] == []
    assert champs["Justificatif de domicile"]["files"] == []


def test_a_champ_message_or_avis_can_be_asked_by_id(gql, jeton, dossier_complet):
    tdc = dossier_complet.revision.public_types_de_champ().get(type_champ="integer_number")
    message = Commentaire.objects.filter(dossier=dossier_complet, is_automatic=False).get()
    avis = dossier_complet.avis.get()
    _, body, _ = gql(jeton[1], """query($n: Int!, $c: ID, $m: ID, $a: ID) { dossier(number: $n) {
        champs(id: $c) { id label } messages(id: $m) { body } avis(id: $a) { question } } }""",
        {"n": dossier_complet.pk, "c": global_id("Champ", tdc.stable_id), "m": global_id("Commentaire", message.pk),
         "a": global_id("Avis", avis.pk)})
    data = body["data"]["dossier"]
    assert data["champs"] == [{"id": global_id("Champ", tdc.stable_id), "label": "Nombre de participants"}]
    assert data["messages"] == [{"body": "Merci pour votre dossier."}]
    assert data["avis"] == [{"question": "Qu'en pensez-vous ?"}]


def test_dossier_details_match_the_database(gql, jeton, dossier_complet, instructeur):
    _, body, _ = gql(jeton[1], """query($n: Int!) { dossier(number: $n) {
        state archived motivation dateDepot dateExpiration
        traitements { state emailAgentTraitant motivation dateTraitement }
        instructeurs { id email }
        groupeInstructeur { id number label instructeurs { email } }
        demarche { id number title state revision { id champDescriptors { label } annotationDescriptors { label } } }
        annotations { label ... on TextChamp { value } ... on CheckboxChamp { value } }
    } }""", {"n": dossier_complet.pk})
    data = body["data"]["dossier"]
    dossier = Dossier.objects.get(pk=dossier_complet.pk)
    assert data["state"] == "en_instruction" and data["archived"] is False and data["motivation"] is None
    assert data["dateDepot"] == iso(dossier.depose_at)
    assert data["dateExpiration"] is None  # en instruction: no expiry, as in the reference
    traitement = dossier.traitements.get()
    assert data["traitements"] == [{
        "state": "en_instruction", "emailAgentTraitant": instructeur.user.email, "motivation": None,
        "dateTraitement": iso(traitement.processed_at),
    }]
    assert data["instructeurs"] == [{"id": global_id("Instructeur", instructeur.pk), "email": instructeur.user.email}]
    groupe = dossier.groupe_instructeur
    assert data["groupeInstructeur"] == {
        "id": global_id("GroupeInstructeur", groupe.pk), "number": groupe.pk, "label": groupe.label,
        "instructeurs": [{"email": instructeur.user.email}],
    }
    assert data["demarche"]["id"] == global_id("Procedure", dossier.procedure_id)
    assert data["demarche"]["state"] == "publiee"
    assert data["demarche"]["revision"]["id"] == global_id("ProcedureRevision", dossier.revision_id)
    assert [d["label"] for d in data["demarche"]["revision"]["annotationDescriptors"]] == ["Avis du service", "Dossier complet"]
    assert data["annotations"] == [{"label": "Avis du service", "value": None}, {"label": "Dossier complet", "value": False}]


def test_dossier_labels_match_the_database(gql, jeton, demarche, instructeur):
    # Given two dossiers of a page, one carrying two labels put by an instructeur, the other none
    from demarches.instruction import services as instruction_services

    labelled, plain = dossier_en_construction(demarche, 1), dossier_en_construction(demarche, 2)
    labels = instruction_services.labels_de_la_procedure(demarche)
    instruction_services.dossier_labels_definir(dossier=labelled, instructeur=instructeur, label_ids=[labels[3].pk, labels[0].pk])
    # When the page is read with the labels of each dossier
    _, body, _ = gql(jeton[1], """query($n: Int!) { demarche(number: $n) { dossiers { nodes {
        number labels { id name color } } } } }""", {"n": demarche.pk})
    assert "errors" not in body, body.get("errors")
    # Then each dossier lists its own labels, in the démarche's order of labels, with the reference's colour names
    nodes = {node["number"]: node["labels"] for node in body["data"]["demarche"]["dossiers"]["nodes"]}
    assert nodes[plain.pk] == []
    assert nodes[labelled.pk] == [
        {"id": global_id("Label", label.pk), "name": label.name, "color": label.color.replace("-", "_")}
        for label in sorted((labels[0], labels[3]), key=lambda label: label.pk)
    ]


def test_demarche_fields_revisions_and_groupes(gql, jeton, demarche, instructeur):
    _, body, _ = gql(jeton[1], """query($n: Int!) { demarche(number: $n) {
        id number title description state declarative dateCreation datePublication dateFermeture
        service { nom organisme typeOrganisme }
        activeRevision { id datePublication champDescriptors { label required options type } }
        publishedRevision { id } draftRevision { id datePublication } revisions { id }
        groupeInstructeurs { number label instructeurs { email } }
    } }""", {"n": demarche.pk})
    data = body["data"]["demarche"]
    assert (data["title"], data["description"], data["state"], data["declarative"]) == (
        demarche.libelle, demarche.description, "publiee", None
    )
    assert data["datePublication"] == iso(demarche.published_at) and data["dateFermeture"] is None
    assert data["service"] == {"nom": demarche.service.nom, "organisme": demarche.service.organisme, "typeOrganisme": "autre"}
    assert data["activeRevision"]["id"] == data["publishedRevision"]["id"] == global_id("ProcedureRevision", demarche.published_revision_id)
    assert data["draftRevision"] == {"id": global_id("ProcedureRevision", demarche.draft_revision_id), "datePublication": None}
    assert [r["id"] for r in data["revisions"]] == [
        global_id("ProcedureRevision", pk) for pk in demarche.revisions.order_by("created_at", "id").values_list("pk", flat=True)
    ]
    descriptors = {d["label"]: d for d in data["activeRevision"]["champDescriptors"]}
    assert descriptors["Nom du projet"] == {"label": "Nom du projet", "required": True, "options": None, "type": "text"}
    assert descriptors["Département"]["options"] == ["Ain", "Aisne", "Allier"]
    assert data["groupeInstructeurs"] == [{"number": demarche.default_groupe.pk, "label": "défaut", "instructeurs": [{"email": instructeur.user.email}]}]


def test_demarche_descriptor_by_number_or_id(gql, jeton, demarche):
    query = "query($d: FindDemarcheInput!) { demarcheDescriptor(demarche: $d) { number title revision { champDescriptors { label } } } }"
    _, by_number, _ = gql(jeton[1], query, {"d": {"number": demarche.pk}})
    _, by_id, _ = gql(jeton[1], query, {"d": {"id": global_id("Procedure", demarche.pk)}})
    assert by_number == by_id
    assert by_number["data"]["demarcheDescriptor"]["number"] == demarche.pk
    assert len(by_number["data"]["demarcheDescriptor"]["revision"]["champDescriptors"]) == 16
    _, both, _ = gql(jeton[1], query, {"d": {"number": demarche.pk, "id": "x"}})
    assert both["errors"]  # @oneOf: exactly one of the two


def test_groupe_instructeur_with_its_dossiers(gql, jeton, demarche, dossier):
    groupe = demarche.default_groupe
    _, body, _ = gql(jeton[1], "query($n: Int!) { groupeInstructeur(number: $n) { id label dossiers { nodes { number } } } }", {"n": groupe.pk})
    assert body["data"]["groupeInstructeur"] == {
        "id": global_id("GroupeInstructeur", groupe.pk), "label": "défaut", "dossiers": {"nodes": [{"number": dossier.pk}]}
    }


def test_unknown_field_is_a_validation_error(gql, jeton, dossier):
    status, body, _ = gql(jeton[1], "query getDossier { dosier(number: 1) { id } }")
    assert status == 200
    assert "dosier" in body["errors"][0]["message"] and body["errors"][0]["locations"] == [{"line": 1, "column": 20}]


def test_query_depth_is_limited(gql, jeton, dossier):
    nested = "champs { ... on DossierLinkChamp { dossier { " * 8 + "id" + " } } }" * 8
    _, body, _ = gql(jeton[1], "query { dossier(number: %d) { %s } }" % (dossier.pk, nested))
    assert body["errors"] and "depth" in body["errors"][0]["message"]


def test_signed_file_links_expire(client, dossier, monkeypatch):
    import time

    from django.core import signing

    from demarches.api import files

    piece = dossier.champs.get(pieces__isnull=False).pieces.get()
    url = files.signed_url("piece", piece.pk)
    assert client.get(url).status_code == 200
    assert client.get(url.replace("/fichiers/", "/fichiers/x")).status_code == 404
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + files.MAX_AGE + 5)
    assert client.get(url).status_code == 404


def test_unexpected_errors_are_logged_and_not_leaked(gql, jeton, dossier, monkeypatch, caplog):
    from demarches.api.graphql import loaders

    def broken(self, dossier):
        raise RuntimeError("secret interne")

    monkeypatch.setattr(loaders.Batch, "traitements", broken)
    _, body, _ = gql(jeton[1], "query($n: Int!) { dossier(number: $n) { number traitements { state } } }", {"n": dossier.pk})
    assert body["errors"] == [{"message": "Erreur interne du serveur.", "extensions": {"code": "internal_server_error"},
                               "path": ["dossier", "traitements"]}]
    assert "secret interne" in caplog.text


def test_the_demandeur_birth_date_when_the_demarche_asks_for_it(gql, jeton, demarche):
    # Given a démarche asking the birth date, and a dossier whose usager gave it
    type(demarche).objects.filter(pk=demarche.pk).update(demander_date_naissance=True)
    avec = dossier_en_construction(demarche, 1, date_naissance=datetime.date(1985, 7, 14))
    sans = dossier_en_construction(demarche, 2, nom="Durand", prenom="Paul")
    query = """query($number: Int!) { dossier(number: $number) { demandeur {
        ... on PersonnePhysique { nom prenom dateDeNaissance } } } }"""
    # Then PersonnePhysique.dateDeNaissance gives it as an ISO 8601 date
    status, body, _ = gql(jeton[1], query, {"number": avec.pk})
    assert status == 200 and "errors" not in body, body.get("errors")
    demandeur = body["data"]["dossier"]["demandeur"]
    assert demandeur == {"nom": "Martin", "prenom": "Claire", "dateDeNaissance": "1985-07-14"}
    # And it is null for a dossier without one
    status, body, _ = gql(jeton[1], query, {"number": sans.pk})
    assert body["data"]["dossier"]["demandeur"]["dateDeNaissance"] is None
