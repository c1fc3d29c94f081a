"""The « Demande » tab: links to the dossiers named by a « Lien vers un autre dossier » champ, and
section titles numbered as on the usager's form."""

import re

import pytest
from django.urls import reverse

from demarches.dossiers.models import Champ, Dossier
from demarches.instruction import selectors
from demarches.procedures.models import GroupeInstructeur
from tests import factories
from tests.fields.demarches import champs_de_sections

from .conftest import autre_procedure, dossier_url

S = Dossier.State
pytestmark = pytest.mark.django_db

LIENS = [("dossier_link", "Dossier précédent", False), ("dossier_link", "Dossier lié", False), ("dossier_link", "Autre dossier", False)]


def lier(dossier, valeurs: dict):
    types = {t.libelle: t for t in dossier.revision.public_types_de_champ()}
    for libelle, numero in valeurs.items():
        tdc = types[libelle]
        Champ.objects.create(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=str(numero), data={"dossier_id": numero})


def test_a_linked_dossier_the_instructeur_may_open_is_a_link_and_others_plain_text(instructeur_client, instructeur, administrateur):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=LIENS)
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    voisin = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    ailleurs = factories.dossier_creer(procedure=autre_procedure(), state=S.EN_CONSTRUCTION)
    hors_groupe = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    hors_groupe.groupe_instructeur = GroupeInstructeur.objects.create(procedure=procedure, label="Sud")
    hors_groupe.save()
    lier(dossier, {"Dossier précédent": voisin.pk, "Dossier lié": ailleurs.pk, "Autre dossier": hors_groupe.pk})

    html = instructeur_client.get(dossier_url(dossier)).content.decode()

    assert f'<a class="fr-link" href="{dossier_url(voisin)}">Dossier n° {voisin.pk}</a>' in html
    for other in (ailleurs, hors_groupe):
        assert f"Dossier n° {other.pk}" in html
        assert reverse("instruction:dossier", args=[other.procedure_id, other.pk]) not in html
    # The linked page opens for the instructeur, the others do not exist for him.
    assert instructeur_client.get(dossier_url(voisin)).status_code == 200
    assert instructeur_client.get(dossier_url(ailleurs)).status_code == 404
    assert instructeur_client.get(dossier_url(hors_groupe)).status_code == 404


def test_the_linked_dossiers_are_checked_in_one_query(instructeur, administrateur, django_assert_num_queries):
    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=LIENS)
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    lies = [factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION) for _ in range(3)]
    lier(dossier, dict(zip(["Dossier précédent", "Dossier lié", "Autre dossier"], [d.pk for d in lies])))
    lignes = selectors.demande(dossier)

    with django_assert_num_queries(1):
        selectors.liens_visibles(instructeur, lignes)

    assert [(ligne.dossier_lie, ligne.procedure_liee) for ligne in lignes] == [(d.pk, procedure.pk) for d in lies]


def test_an_expert_reads_the_linked_dossier_number_without_a_link(client, instructeur, administrateur):
    from demarches.instruction import services

    procedure = factories.procedure_creer(administrateur=administrateur, instructeurs=[instructeur], champs=LIENS[:1])
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_INSTRUCTION)
    voisin = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)
    lier(dossier, {"Dossier précédent": voisin.pk})
    expert = factories.UserFactory()
    avis = services.avis_demander(dossier=dossier, instructeur=instructeur, expert_email=expert.email, introduction="Votre avis ?")
    client.force_login(expert)

    html = client.get(reverse("instruction:avis_detail", args=[avis.pk])).content.decode()

    assert f"Dossier n° {voisin.pk}" in html and dossier_url(voisin) not in html


@pytest.mark.parametrize("libelles, attendus", [
    (("Votre structure", "Localisation", "Votre demande"), ("1. Votre structure", "1.1 Localisation", "2. Votre demande")),
    (("A. Votre structure", "Localisation", "3 Votre demande"), (">A. Votre structure<", ">Localisation<", ">3 Votre demande<")),
])
def test_the_demande_tab_numbers_the_section_titles_like_the_usager_form(
    instructeur_client, instructeur, administrateur, libelles, attendus
):
    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[instructeur], champs=champs_de_sections(*libelles)
    )
    dossier = factories.dossier_creer(procedure=procedure, state=S.EN_CONSTRUCTION)

    html = re.sub(r"\s+", " ", instructeur_client.get(dossier_url(dossier)).content.decode())

    for attendu in attendus:
        assert attendu in html
    assert html.index(attendus[0]) < html.index(attendus[1]) < html.index(attendus[2])
