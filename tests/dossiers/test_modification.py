"""« Modifier le dossier » en construction: a working copy, « Déposer les modifications », abandon,
the administration's view unchanged until the deposit, and the authorisation matrix."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demarches.audit.models import OperationLog
from demarches.core.models import OutgoingEmail
from demarches.dossiers import services, services_modification, transitions
from demarches.dossiers.models import Champ, Dossier, Follow, PieceJointe
from demarches.procedures import services as procedure_services
from tests import factories

S = Dossier.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(response) -> str:
    return html.unescape(response.content.decode())


def htmx(**extra):
    return {"HTTP_HX_REQUEST": "true", **extra}


@pytest.fixture
def monde(db, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False,
        champs=[("text", "Nom du projet", True, {}), ("piece_justificative", "Plan", False, {})],
    )
    procedure_services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="text", libelle="Note interne", private=True
    )
    procedure = procedure_services.procedure_publier(
        procedure=procedure, administrateur=administrateur, path=f"demarche-{procedure.pk}"
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, nom="Durand", prenom="Ana", civilite="Mme")
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    plan = dossier.revision.types_de_champ.get(libelle="Plan")
    Champ.objects.create(dossier=dossier, type_de_champ=nom, stable_id=nom.stable_id, value="Projet initial")
    services.piece_ajouter(
        dossier=dossier, user=owner, type_de_champ=plan,
        uploaded=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    assert services.dossier_deposer(dossier=dossier, user=owner) == []
    dossier.refresh_from_db()
    Follow.objects.create(instructeur=instructeur, dossier=dossier)
    invitee = factories.UserFactory()
    dossier.invitations.create(email=invitee.email, invited_by=owner)
    return {"dossier": dossier, "owner": owner, "invitee": invitee, "instructeur": instructeur, "nom": nom, "plan": plan}


def _valeur(dossier, tdc):
    return Champ.objects.get(dossier=dossier, stable_id=tdc.stable_id, row_id="").value


def test_modifier_opens_a_working_copy_and_the_administration_sees_nothing_until_the_deposit(client, monde):
    dossier, owner, nom = monde["dossier"], monde["owner"], monde["nom"]
    client.force_login(owner)
    # when the usager clicks « Modifier le dossier »
    response = client.get(reverse("dossiers:brouillon", args=[dossier.pk]))
    copie = Dossier.objects.get(editing_fork_origin=dossier)
    assert response.url == reverse("dossiers:brouillon", args=[copie.pk])
    assert copie.state == S.BROUILLON and copie.user == owner and copie.nom == "Durand"
    content = page(client.get(response.url))
    assert f"Dossier n° {dossier.pk}" in content and "Déposer les modifications" in content
    assert "Abandonner les modifications" in content and "Déposer le dossier" not in content
    # and the same click again reuses the copy
    assert client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url == response.url
    # when he changes an answer (autosave)
    client.post(reverse("dossiers:brouillon", args=[copie.pk]), {nom.html_id: "Projet modifié"}, **htmx())
    # then the deposited dossier is unchanged
    assert _valeur(copie, nom) == "Projet modifié" and _valeur(dossier, nom) == "Projet initial"
    # and the copy is not listed among his dossiers
    assert f"n° {copie.pk}" not in page(client.get(reverse("dossiers:index")))
    # while the dossier page says changes are waiting
    content = page(client.get(reverse("dossiers:show", args=[dossier.pk])))
    assert "ne sont pas encore transmises" in content and "Reprendre mes modifications" in content


def test_deposer_les_modifications_merges_records_the_event_and_tells_the_instructeurs(client, monde, run_on_commit):
    dossier, owner, nom, plan = monde["dossier"], monde["owner"], monde["nom"], monde["plan"]
    note = dossier.revision.types_de_champ.get(libelle="Note interne")
    assert note.private
    Champ.objects.create(dossier=dossier, type_de_champ=note, stable_id=note.stable_id, value="annotation")
    client.force_login(owner)
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    copie = Dossier.objects.get(editing_fork_origin=dossier)
    client.post(copie_url, {nom.html_id: "Projet modifié"}, **htmx())
    client.post(
        reverse("dossiers:piece_ajouter", args=[copie.pk, plan.stable_id]),
        {f"{plan.html_id}-fichier": SimpleUploadedFile("plan-v2.pdf", PDF, content_type="application/pdf")},
        **htmx(),
    )
    OutgoingEmail.objects.all().delete()
    # when he deposits the modifications
    response = client.post(copie_url, {nom.html_id: "Projet modifié", "action": "deposer_modifications"})
    # then they reach the dossier, the copy is gone
    assert response.url == reverse("dossiers:show", args=[dossier.pk])
    assert not Dossier.objects.filter(pk=copie.pk).exists()
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION and _valeur(dossier, nom) == "Projet modifié"
    filenames = sorted(PieceJointe.objects.filter(champ__dossier=dossier).values_list("filename", flat=True))
    assert filenames == ["plan-v2.pdf", "plan.pdf"]
    # the private annotation is untouched
    assert Champ.objects.filter(dossier=dossier, value="annotation").exists()
    # an event in the history and an e-mail to the instructeur who follows it
    log = OperationLog.objects.filter(operation="dossier_modifications_deposer", dossier_id=dossier.pk).get()
    assert sorted(log.data["champs"]) == ["Nom du projet", "Plan"]
    mail = OutgoingEmail.objects.get(kind="modifications_instructeur")
    assert mail.to == monde["instructeur"].user.email and "Nom du projet" in mail.body
    assert dossier.last_champ_updated_at is not None


def test_deposer_les_modifications_with_an_error_shows_the_banner_and_merges_nothing(client, monde):
    dossier, owner, nom = monde["dossier"], monde["owner"], monde["nom"]
    client.force_login(owner)
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    response = client.post(copie_url, {nom.html_id: "", "action": "deposer_modifications"})
    content = page(response)
    assert response.status_code == 200 and "champ en erreur" in content and "Nom du projet" in content
    assert _valeur(dossier, nom) == "Projet initial"


def test_abandonner_les_modifications_keeps_the_deposited_dossier(client, monde):
    dossier, owner, nom = monde["dossier"], monde["owner"], monde["nom"]
    client.force_login(owner)
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    copie = Dossier.objects.get(editing_fork_origin=dossier)
    client.post(copie_url, {nom.html_id: "Oups"}, **htmx())
    response = client.post(reverse("dossiers:modifications_abandonner", args=[copie.pk]))
    assert response.url == reverse("dossiers:show", args=[dossier.pk])
    assert not Dossier.objects.filter(pk=copie.pk).exists()
    assert _valeur(dossier, nom) == "Projet initial"
    assert PieceJointe.objects.filter(champ__dossier=dossier).count() == 1


def test_passing_en_instruction_meanwhile_stops_the_copy(client, monde):
    dossier, owner, nom = monde["dossier"], monde["owner"], monde["nom"]
    client.force_login(owner)
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    transitions.passer_en_instruction(dossier=dossier, instructeur=monde["instructeur"])
    response = client.post(copie_url, {nom.html_id: "Trop tard", "action": "deposer_modifications"})
    assert response.url == reverse("dossiers:show", args=[dossier.pk])
    assert _valeur(dossier, nom) == "Projet initial"


def test_an_invitee_edits_the_copy_but_only_the_owner_deposits(client, monde):
    dossier, nom = monde["dossier"], monde["nom"]
    client.force_login(monde["invitee"])
    copie_url = client.get(reverse("dossiers:brouillon", args=[dossier.pk])).url
    copie = Dossier.objects.get(editing_fork_origin=dossier)
    content = page(client.get(copie_url))
    assert "Seul le titulaire du dossier" in content
    client.post(copie_url, {nom.html_id: "Par l'invitée"}, **htmx())
    assert _valeur(copie, nom) == "Par l'invitée"
    with pytest.raises(Exception):
        services_modification.dossier_modifications_deposer(copie=copie, user=monde["invitee"])
    client.post(copie_url, {nom.html_id: "Par l'invitée", "action": "deposer_modifications"})
    assert _valeur(dossier, nom) == "Projet initial"


ROLES = ("owner", "invitee", "other", "instructeur_autre", "instructeur", "anonymous")


def _login(client, monde, role):
    if role == "owner":
        client.force_login(monde["owner"])
    elif role == "invitee":
        client.force_login(monde["invitee"])
    elif role == "other":
        client.force_login(factories.UserFactory())
    elif role == "instructeur":
        client.force_login(monde["instructeur"].user)
    elif role == "instructeur_autre":
        autre = factories.InstructeurFactory()
        factories.procedure_creer(instructeurs=[autre])
        client.force_login(autre.user)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_working_copy_urls(client, monde, role):
    dossier, nom = monde["dossier"], monde["nom"]
    copie = services_modification.dossier_modification_commencer(dossier=dossier, user=monde["owner"])
    _login(client, monde, role)
    urls = {
        "modifier": client.get(reverse("dossiers:brouillon", args=[dossier.pk])),
        "copie": client.get(reverse("dossiers:brouillon", args=[copie.pk])),
        "enregistrer": client.post(reverse("dossiers:brouillon", args=[copie.pk]), {nom.html_id: f"par {role}"}),
        "deposer": client.post(
            reverse("dossiers:brouillon", args=[copie.pk]), {nom.html_id: f"par {role}", "action": "deposer_modifications"}
        ),
    }
    merged = _valeur(dossier, nom) == f"par {role}"
    copie_exists = Dossier.objects.filter(pk=copie.pk).exists()
    if role == "owner":
        assert urls["modifier"].status_code == 302 and urls["copie"].status_code == 200
        assert merged and not copie_exists
        return
    if role == "invitee":
        assert urls["modifier"].status_code == 302 and urls["copie"].status_code == 200
        assert not merged and copie_exists and _valeur(copie, nom) == "par invitee"
        abandon = client.post(reverse("dossiers:modifications_abandonner", args=[copie.pk]))
        assert abandon.status_code == 302 and not Dossier.objects.filter(pk=copie.pk).exists()
        return
    for response in urls.values():
        if role == "anonymous":
            assert response.status_code == 302 and reverse("account_login") in response["Location"]
        else:
            assert response.status_code == 404
    assert not merged and _valeur(copie, nom) == "Projet initial"
    abandon = client.post(reverse("dossiers:modifications_abandonner", args=[copie.pk]))
    assert abandon.status_code in (302, 404) and Dossier.objects.filter(pk=copie.pk).exists()


def test_double_submit_of_the_deposit_gives_exactly_one_deposit(client, db, administrateur, instructeur, run_on_commit):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", True, {})]
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, nom="Durand", prenom="Ana", civilite="Mme")
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    client.force_login(owner)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    data = {nom.html_id: "Projet", "action": "deposer"}
    first, second = client.post(url, data), client.post(url, data)
    merci = reverse("dossiers:merci", args=[dossier.pk])
    assert first.url == merci and second.url == merci
    dossier.refresh_from_db()
    assert dossier.state == S.EN_CONSTRUCTION
    assert dossier.traitements.filter(state=S.EN_CONSTRUCTION).count() == 1
    assert OutgoingEmail.objects.filter(kind="accuse_de_reception", dossier_id=dossier.pk).count() == 1
    assert not Dossier.objects.filter(editing_fork_origin=dossier).exists()


def test_two_tabs_on_the_same_draft_never_lose_a_value_silently(client, db, administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", False, {}), ("text", "Ville", False, {})]
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner, nom="Durand", prenom="Ana", civilite="Mme")
    nom = dossier.revision.types_de_champ.get(libelle="Nom du projet")
    ville = dossier.revision.types_de_champ.get(libelle="Ville")
    client.force_login(owner)
    url = reverse("dossiers:brouillon", args=[dossier.pk])
    # given two tabs loaded at the same time
    version_a = version_b = _version(client.get(url))
    # when tab A saves the name
    response_a = client.post(url, {nom.html_id: "Nom A", ville.html_id: "", "champs_version": version_a}, **htmx())
    assert "Votre brouillon a été enregistré" in page(response_a)
    # and tab B, still showing the old empty name, saves the town
    response_b = client.post(url, {nom.html_id: "", ville.html_id: "Lyon", "champs_version": version_b}, **htmx())
    # then A's name is kept, B's town is saved, and B is told
    assert _valeur(dossier, nom) == "Nom A" and _valeur(dossier, ville) == "Lyon"
    assert "modifié entre-temps" in page(response_b)
    # and tab A, whose version followed its own saves, goes on saving without conflict
    version_a = _version(response_a)
    response_a = client.post(url, {nom.html_id: "Nom A2", ville.html_id: "Lyon", "champs_version": version_a}, **htmx())
    assert _valeur(dossier, nom) == "Nom A2" and "modifié entre-temps" not in page(response_a)


def _version(response) -> str:
    """The page's version (full page), or the one an autosave answer gives back (header)."""
    import re

    if "X-Champs-Version" in response.headers:
        return response.headers["X-Champs-Version"]
    return re.search(r'name="champs_version" id="champs-version" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_deposits_give_exactly_one(administrateur, instructeur):
    """Two requests deposit at the same moment (double click, two tabs): the row lock lets one through."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole transactions)")
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=[("text", "Nom du projet", False, {})]
    )
    owner = factories.UserFactory()
    dossier = factories.dossier_creer(procedure=procedure, user=owner)
    barrier, outcomes = threading.Barrier(2), []

    def deposer():
        try:
            copy = Dossier.objects.get(pk=dossier.pk)
            barrier.wait()
            outcomes.append(services.dossier_deposer(dossier=copy, user=owner))
        except Exception as exc:  # the loser: « le dossier est en construction »
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deposer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for outcome in outcomes if outcome == []) == 1
    assert Dossier.objects.get(pk=dossier.pk).traitements.filter(state=S.EN_CONSTRUCTION).count() == 1


def test_a_working_copy_is_never_deposited_as_a_new_dossier(monde):
    from django.core.exceptions import ValidationError

    copie = services_modification.dossier_modification_commencer(dossier=monde["dossier"], user=monde["owner"])
    assert not transitions.can_passer_en_construction(copie, monde["owner"])
    with pytest.raises(ValidationError):
        services.dossier_deposer(dossier=copie, user=monde["owner"])
    with pytest.raises(ValidationError):
        transitions.passer_en_construction(dossier=copie, user=monde["owner"])
    copie.refresh_from_db()
    assert copie.state == S.BROUILLON
