"""Copy a démarche (own or from the catalogue), export its definition as JSON, import it back."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from demarches.procedures import definitions, services
from demarches.procedures.models import MailTemplate, Procedure, Service, TypeDeChamp
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(administrateur, instructeur):
    """A published démarche with options, a list, a repetition block, an annotation and a custom e-mail."""
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], publier=False, libelle="Aide au vélo",
        declarative_with_state="en_instruction", duree_conservation_dossiers=24, for_individual=False,
        champs=[("text", "Nom du projet", True), ("drop_down_list", "Catégorie", False, {"choices": ["--Deux roues--", "Vélo", "Trottinette"]}),
                ("repetition", "Membres", False)],
    )
    bloc = procedure.draft_revision.types_de_champ.get(libelle="Membres")
    for position, (type_champ, libelle) in enumerate([("text", "Nom du membre"), ("integer_number", "Âge")], start=1):
        TypeDeChamp.objects.create(
            revision=bloc.revision, stable_id=services.next_stable_id(), type_champ=type_champ, libelle=libelle,
            parent=bloc, position=position, mandatory=position == 1,
        )
    services.type_de_champ_ajouter(
        procedure=procedure, administrateur=administrateur, type_champ="textarea", libelle="Avis", private=True,
        description="Pour l'instructeur",
    )
    services.mail_template_enregistrer(
        procedure=procedure, administrateur=administrateur, kind="acceptation",
        subject="Accepté : --numéro du dossier--", body="Projet --Nom du projet-- accepté. Avis : --Avis--",
    )
    return services.procedure_publier(procedure=procedure, administrateur=administrateur, path="aide-velo")


def _definition_sans_service(procedure):
    document = definitions.exporter(procedure)
    document.pop("service")
    return document


# --- Clone --------------------------------------------------------------------------------------


def test_clone_own_demarche(source, administrateur):
    copie = services.procedure_cloner(procedure=source, administrateur=administrateur)
    assert copie.pk != source.pk and copie.state == Procedure.State.BROUILLON and copie.path is None
    assert list(copie.administrateurs.all()) == [administrateur]
    assert copie.service_id == source.service_id
    assert definitions.exporter(copie) == definitions.exporter(source)
    assert (copie.libelle, copie.declarative_with_state, copie.duree_conservation_dossiers, copie.for_individual) == (
        "Aide au vélo", "en_instruction", 24, False)
    # new stable_ids, children attached to the copied block, nothing else copied
    old_ids = set(TypeDeChamp.objects.filter(revision__procedure=source).values_list("stable_id", flat=True))
    new_ids = set(copie.draft_revision.types_de_champ.values_list("stable_id", flat=True))
    assert len(new_ids) == 6 and not old_ids & new_ids
    bloc = copie.draft_revision.types_de_champ.get(libelle="Membres")
    assert list(bloc.children.values_list("libelle", "mandatory")) == [("Nom du membre", True), ("Âge", False)]
    # his own démarche: the groupe keeps its instructeurs (like the reference platform)
    assert list(copie.default_groupe.instructeurs.all()) == list(source.default_groupe.instructeurs.all())
    assert MailTemplate.objects.get(procedure=copie).subject == "Accepté : --numéro du dossier--"
    assert copie.dossiers.count() == 0


def test_clone_a_published_demarche_of_someone_else_leaves_the_service_empty(source):
    autre = factories.AdministrateurFactory()
    copie = services.procedure_cloner(procedure=source, administrateur=autre)
    assert copie.service_id is None
    assert list(copie.administrateurs.all()) == [autre]
    assert _definition_sans_service(copie) == _definition_sans_service(source)


def test_a_demarche_en_test_of_someone_else_cannot_be_cloned(administrateur):
    en_test = factories.procedure_creer(publier=False)
    with pytest.raises(PermissionDenied):
        services.procedure_cloner(procedure=en_test, administrateur=administrateur)


def test_catalogue_lists_own_and_published_demarches_and_searches(admin_client, source, administrateur):
    autre_publiee = factories.procedure_creer(libelle="Permis de végétaliser", instructeurs=[factories.InstructeurFactory()])
    autre_en_test = factories.procedure_creer(libelle="Brouillon secret", publier=False)
    mienne_en_test = factories.procedure_creer(administrateur=administrateur, libelle="Ma démarche en test", publier=False)
    url = reverse("procedures:modeles")
    html = admin_client.get(url).content.decode()
    for procedure in (source, autre_publiee, mienne_en_test):
        assert reverse("procedures:cloner", args=[procedure.pk]) in html
    assert "Brouillon secret" not in html and reverse("procedures:cloner", args=[autre_en_test.pk]) not in html
    html = admin_client.get(url, {"recherche": "végétaliser"}).content.decode()
    assert "Permis de végétaliser" in html and "Aide au vélo" not in html
    html = admin_client.get(url, {"recherche": str(source.pk)}).content.decode()
    assert "Aide au vélo" in html
    html = admin_client.get(url, {"recherche": "introuvable"}).content.decode()
    assert "Aucune démarche publiée ne correspond à votre recherche." in html
    assert "Aucune de vos démarches ne correspond à votre recherche." in html


def test_cloner_view(admin_client, source, administrateur):
    response = admin_client.post(reverse("procedures:cloner", args=[source.pk]))
    copie = Procedure.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("procedures:show", args=[copie.pk])
    assert admin_client.get(reverse("procedures:nouvelle")).content.decode().count(reverse("procedures:modeles")) == 1


def test_cloner_view_refuses_what_cannot_be_cloned(client, administrateur, usager):
    en_test = factories.procedure_creer(publier=False)
    url = reverse("procedures:cloner", args=[en_test.pk])
    assert client.post(url).status_code == 302  # anonymous: login
    client.force_login(usager)
    assert client.post(url).status_code == 403
    assert client.get(reverse("procedures:modeles")).status_code == 403
    client.force_login(administrateur.user)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert Procedure.objects.count() == 1


# --- Export / import ----------------------------------------------------------------------------


def test_export_document(source):
    document = definitions.exporter(source)
    assert document["format"] == "demarches.procedure" and document["version"] == 2
    assert document["service"]["nom"] == source.service.nom
    assert [c["libelle"] for c in document["champs"]] == ["Nom du projet", "Catégorie", "Membres"]
    assert document["champs"][1]["options"] == {"choices": ["--Deux roues--", "Vélo", "Trottinette"]}
    assert [c["libelle"] for c in document["champs"][2]["children"]] == ["Nom du membre", "Âge"]
    assert [c["ref"] for c in document["champs"]] == [1, 2, 3]  # the block's champs are 4 and 5
    assert document["annotations"] == [{"ref": 6, "type_champ": "textarea", "libelle": "Avis",
                                        "description": "Pour l'instructeur", "mandatory": False, "options": {}}]
    assert document["mail_templates"] == [{"kind": "acceptation", "subject": "Accepté : --numéro du dossier--",
                                           "body": "Projet --Nom du projet-- accepté. Avis : --Avis--"}]
    json.dumps(document)  # serialisable as is


def test_round_trip_through_the_web_gives_an_identical_definition(admin_client, source, administrateur):
    response = admin_client.get(reverse("procedures:exporter", args=[source.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="demarche-{source.pk}.json"'
    other = factories.AdministrateurFactory()
    admin_client.force_login(other.user)
    upload = SimpleUploadedFile("demarche.json", response.content, content_type="application/json")
    response = admin_client.post(reverse("procedures:importer"), {"fichier": upload})
    assert response.status_code == 302
    importee = Procedure.objects.exclude(pk=source.pk).get()
    assert response["Location"] == reverse("procedures:show", args=[importee.pk])
    assert importee.state == Procedure.State.BROUILLON and list(importee.administrateurs.all()) == [other]
    assert definitions.exporter(importee) == definitions.exporter(source)
    # the service is a new one, owned by the importing administrateur
    assert importee.service.administrateur == other and importee.service_id != source.service_id


def test_round_trip_with_the_management_commands(source, tmp_path):
    other = factories.AdministrateurFactory()
    path = tmp_path / "export.json"
    call_command("procedure_exporter", str(source.pk), "--output", str(path), stderr=io.StringIO())
    out = io.StringIO()
    call_command("procedure_importer", str(path), "--administrateur", other.user.email.upper(), stdout=out)
    importee = Procedure.objects.exclude(pk=source.pk).get()
    assert f"Démarche n° {importee.pk}" in out.getvalue()
    assert definitions.exporter(importee) == definitions.exporter(source)
    # stdout export is the same document
    stdout = io.StringIO()
    call_command("procedure_exporter", str(source.pk), stdout=stdout)
    assert json.loads(stdout.getvalue()) == definitions.exporter(source)


def test_importing_twice_reuses_the_same_service(source):
    other = factories.AdministrateurFactory()
    document = definitions.exporter(source)
    first = services.procedure_importer(administrateur=other, document=document)
    second = services.procedure_importer(administrateur=other, document=document)
    assert first.service_id == second.service_id
    assert Service.objects.filter(administrateur=other).count() == 1


def test_command_errors(source, tmp_path):
    with pytest.raises(CommandError, match="Aucune démarche n° 999"):
        call_command("procedure_exporter", "999")
    path = tmp_path / "x.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="Aucun administrateur"):
        call_command("procedure_importer", str(path), "--administrateur", "personne@nulle.part")
    with pytest.raises(CommandError, match="pas une démarche exportée valide"):
        call_command("procedure_importer", str(path), "--administrateur", source.administrateurs.get().user.email)


@pytest.mark.parametrize("change,message", [
    (lambda d: d.update(format="autre"), "ce n'est pas un export de démarche"),
    (lambda d: d.update(version=3), "version 3 non prise en charge"),
    (lambda d: d["champs"][0].update(type_champ="hologramme"), "Type de champ inconnu : hologramme"),
    (lambda d: d["champs"][0].update(libelle=" "), "« libelle » de champ n° 1 est vide"),
    (lambda d: d["champs"][1].update(options={"choices": []}), "Indiquez au moins une option"),
    (lambda d: d["champs"][0].update(children=[{"type_champ": "text", "libelle": "x"}]), "n'est pas un bloc répétable"),
    (lambda d: d["mail_templates"][0].update(body="--Inconnue--"), "La balise --Inconnue-- n'existe pas"),
    (lambda d: d["mail_templates"][0].update(kind="autre"), "Type d'e-mail inconnu"),
    (lambda d: d["procedure"].update(duree_conservation_dossiers=99), "durée de conservation doit être comprise"),
    (lambda d: d["service"].update(email="pas-une-adresse"), "n'est pas valide"),
])
def test_invalid_documents_are_refused_and_nothing_is_created(source, change, message):
    document = definitions.exporter(source)
    change(document)
    before = (Procedure.objects.count(), Service.objects.count(), TypeDeChamp.objects.count())
    with pytest.raises(ValidationError) as error:
        services.procedure_importer(administrateur=factories.AdministrateurFactory(), document=document)
    assert message in " ".join(error.value.messages)
    assert (Procedure.objects.count(), Service.objects.count(), TypeDeChamp.objects.count()) == before


def test_import_form_errors_are_shown_next_to_the_field(admin_client):
    url = reverse("procedures:importer")
    html = admin_client.post(url, {}).content.decode()
    assert "Choisissez le fichier de la démarche à importer." in html
    upload = SimpleUploadedFile("x.json", b"pas du json", content_type="application/json")
    html = admin_client.post(url, {"fichier": upload}).content.decode()
    assert "Le fichier n&#x27;est pas un document JSON lisible." in html
    assert 'aria-describedby="id_fichier_helptext id_fichier-messages"' in html
    upload = SimpleUploadedFile("x.json", b'{"format": "demarches.procedure", "version": 1}', content_type="application/json")
    html = admin_client.post(url, {"fichier": upload}).content.decode()
    assert "la description de la démarche manque" in html
    assert Procedure.objects.count() == 0


def test_export_and_import_pages_are_for_administrateurs_only(client, source, usager):
    export = reverse("procedures:exporter", args=[source.pk])
    assert client.get(export).status_code == 302
    assert client.get(reverse("procedures:importer")).status_code == 302
    client.force_login(usager)
    assert client.get(export).status_code == 403
    assert client.get(reverse("procedures:importer")).status_code == 403
    client.force_login(factories.AdministrateurFactory().user)
    assert client.get(export).status_code == 404


def test_the_birth_date_option_goes_through_export_import_and_clone(administrateur, instructeur):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], libelle="Carte de stationnement",
        champs=[("text", "Immatriculation", True)], demander_date_naissance=True,
    )
    document = definitions.exporter(procedure)
    assert document["procedure"]["demander_date_naissance"] is True
    other = factories.AdministrateurFactory()
    importee = services.procedure_importer(administrateur=other, document=json.loads(json.dumps(document)))
    assert importee.demander_date_naissance is True
    assert definitions.exporter(importee) == document
    assert services.procedure_cloner(procedure=procedure, administrateur=administrateur).demander_date_naissance is True
    # a document written before the option existed imports without it
    document["procedure"].pop("demander_date_naissance")
    ancienne = services.procedure_importer(administrateur=administrateur, document=document)
    assert ancienne.demander_date_naissance is False
