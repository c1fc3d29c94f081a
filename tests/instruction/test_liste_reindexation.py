"""A deposited dossier's copy in the list's index is rebuilt by a job when its change commits
(instruction/liste/reindexation.py), so the next list page has nothing left to index."""

import logging

import pytest
from django.db import transaction
from django.http import QueryDict

from demarches.dossiers import services as dossiers_services
from demarches.dossiers.models import Dossier
from demarches.instruction import services
from demarches.instruction.liste import indexation, reindexation, tasks
from demarches.instruction.models import DossierTexte
from demarches.procedures import services as procedure_services
from tests import factories
from tests.instruction.test_liste_filtres import demarche, remplir, tdc  # noqa: F401 (the fixture)

S = Dossier.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(monkeypatch):
    """The indexing jobs sent (and run, as a worker would)."""
    envoyes = []
    delay = tasks.dossiers_indexer.delay

    def enregistrer(ids):
        envoyes.append(list(ids))
        return delay(ids)

    monkeypatch.setattr(tasks.dossiers_indexer, "delay", enregistrer)
    return envoyes


def texte(dossier):
    return DossierTexte.objects.get(dossier=dossier).texte


def test_a_usager_s_change_is_indexed_when_it_commits(demarche, jobs, django_capture_on_commit_callbacks):
    dossier = remplir(demarche, Nom_du_projet="Jardin partagé")
    nom = tdc(demarche, "Nom du projet")
    with django_capture_on_commit_callbacks(execute=True):
        dossiers_services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=QueryDict(f"{nom.html_id}=Verger du quartier"))
        assert "verger" not in texte(dossier)  # not before the change commits
    assert "verger du quartier" in texte(dossier)
    assert indexation.dossiers_a_indexer(demarche) == []  # the next list page has nothing to do
    assert dossier.pk in jobs[-1]


def test_an_annotation_changed_by_an_instructeur_is_indexed_when_it_commits(
    administrateur, instructeur, jobs, django_capture_on_commit_callbacks
):
    demarche = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], publier=False)
    procedure_services.type_de_champ_ajouter(
        procedure=demarche, administrateur=administrateur, type_champ="text", libelle="Avis du service", private=True
    )
    demarche = procedure_services.procedure_publier(procedure=demarche, administrateur=administrateur, path="avis")
    dossier = factories.dossier_creer(procedure=demarche, state=S.EN_INSTRUCTION)
    indexation.dossiers_indexer([dossier.pk])
    services.dossier_suivre(dossier=dossier, instructeur=instructeur)
    avis = dossier.revision.private_types_de_champ().get(libelle="Avis du service")
    with django_capture_on_commit_callbacks(execute=True):
        services.annotations_enregistrer(dossier=dossier, instructeur=instructeur, posted={avis.html_id: "Très solide"})
    assert "tres solide" in texte(dossier)
    assert indexation.dossiers_a_indexer(demarche) == []


def test_several_changes_in_one_transaction_send_one_job(demarche, jobs, django_capture_on_commit_callbacks):
    premier, second = remplir(demarche), remplir(demarche)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for dossier in (premier, second, premier):
                dossier.save(update_fields=["updated_at"])
    assert jobs == [sorted([premier.pk, second.pk])]


def test_a_brouillon_being_filled_sends_no_job(demarche, jobs, django_capture_on_commit_callbacks):
    brouillon = factories.dossier_creer(procedure=demarche, state=S.BROUILLON)
    nom = tdc(demarche, "Nom du projet")
    with django_capture_on_commit_callbacks(execute=True):
        dossiers_services.champs_enregistrer(dossier=brouillon, user=brouillon.user, posted=QueryDict(f"{nom.html_id}=Brouillon"))
    assert jobs == []


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_is_not_indexed_with_the_next_one(demarche, jobs):
    annule, garde = remplir(demarche), remplir(demarche)
    avant = len(jobs)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            annule.save(update_fields=["updated_at"])
            raise RuntimeError
    with transaction.atomic():
        garde.save(update_fields=["updated_at"])
    assert jobs[avant:] == [[garde.pk]]


def test_a_broker_out_of_reach_does_not_fail_the_change(demarche, monkeypatch, caplog, django_capture_on_commit_callbacks):
    dossier = remplir(demarche)

    def injoignable(ids):
        raise ConnectionError("broker injoignable")

    monkeypatch.setattr(tasks.dossiers_indexer, "delay", injoignable)
    nom = tdc(demarche, "Nom du projet")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        erreurs = dossiers_services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=QueryDict(f"{nom.html_id}=Sauvé"))
    assert erreurs == {}
    assert "broker injoignable" in caplog.text
    # the list catches it up before it reads
    assert indexation.dossiers_a_indexer(demarche) == [dossier.pk]
    assert reindexation._ids() == set()
