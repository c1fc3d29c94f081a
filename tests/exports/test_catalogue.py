"""One column catalogue for the dossier list and the modèles d'export: every column the list offers
(metadata, champ, annotation) has its export column, champs under the same key and libellé."""

import re

import pytest
from django.urls import reverse

from demarches.exports import modeles
from demarches.instruction.liste import preferences
from demarches.instruction.liste.colonnes import colonnes_disponibles
from demarches.procedures import services as procedure_services

pytestmark = pytest.mark.django_db


def test_every_column_of_the_list_is_offered_by_the_modeles(demarche):
    liste = colonnes_disponibles(demarche)
    catalogue = {c.key: c for c in modeles.catalogue(demarche)}
    for key, colonne in liste.items():
        # then each column of the list has at least one export column
        assert modeles.cles_depuis_la_liste(demarche, [key]), key
        if colonne.is_champ:
            # and a champ or an annotation is the same column, under the same key and libellé
            assert catalogue[key].libelle == colonne.libelle
            assert catalogue[key].groupe == ("Annotations privées" if colonne.annotation else "Formulaire")
    # every metadata column of the list is mapped (a new one must be added to CLES_DE_LA_LISTE)
    assert {k for k, c in liste.items() if not c.is_champ} <= set(modeles.CLES_DE_LA_LISTE)


def test_champs_removed_by_a_new_revision_stay_in_both_catalogues(administrateur, demarche):
    # given a champ renamed and one removed in a newer published revision
    revision_1 = demarche.published_revision
    nom = revision_1.types_de_champ.get(libelle="Nom du projet")
    budget = revision_1.types_de_champ.get(libelle="Budget")
    procedure_services.type_de_champ_modifier(
        procedure=demarche, administrateur=administrateur, stable_id=nom.stable_id, type_champ="text",
        libelle="Intitulé du projet", mandatory=True,
    )
    procedure_services.type_de_champ_supprimer(procedure=demarche, administrateur=administrateur, stable_id=budget.stable_id)
    demarche = procedure_services.procedure_publier(procedure=demarche, administrateur=administrateur, path="subvention-projets")
    liste = colonnes_disponibles(demarche)
    catalogue = {c.key: c for c in modeles.catalogue(demarche)}
    # then the list and the modèles still offer the removed champ (older dossiers have values)
    key = f"champ:{budget.stable_id}"
    assert key in liste and modeles.cles_depuis_la_liste(demarche, [key]) == [key]
    # and both name the renamed one by its latest libellé
    key = f"champ:{nom.stable_id}"
    assert liste[key].libelle == catalogue[key].libelle == "Intitulé du projet"


def test_a_modele_can_start_from_the_columns_of_my_list(client, instructeur, demarche):
    # given an instructeur whose list shows the state, a champ and the followers, in that order
    projet = next(c for c in colonnes_disponibles(demarche).values() if c.libelle == "Nom du projet")
    preferences.colonnes_definir(
        instructeur=instructeur, procedure=demarche, keys=["etat", projet.key, "suiveurs"],
        disponibles=colonnes_disponibles(demarche),
    )
    client.force_login(instructeur.user)
    url = reverse("exports:modele_nouveau", args=[demarche.pk])
    html = client.get(url).content.decode()
    assert 'href="?colonnes=liste"' in html and "Reprendre les colonnes de ma liste de dossiers" in html
    # when he takes the columns of his list
    html = client.get(url, {"colonnes": "liste"}).content.decode()
    # then exactly those are checked, in the list's order
    checked = re.findall(r'name="colonne" value="([^"]+)" checked', html)
    assert checked == ["numero", "etat", projet.key, "instructeurs"]
    assert modeles.cles_de_ma_liste(instructeur, demarche) == checked
