"""The condition editor's rows ↔ the JSON tree of fields/conditions.py (no database)."""

from types import SimpleNamespace

from django.http import QueryDict

from demarches.fields import registry
from demarches.procedures.editeur_conditions import condition_de, etat_de, etat_du_post


def source(stable_id, type_champ, libelle="Champ"):
    return SimpleNamespace(stable_id=stable_id, libelle=libelle, field_type=registry.get(type_champ), options={})


SOURCES = [source(1, "yes_no"), source(2, "integer_number"), source(3, "multiple_drop_down_list")]


def post(**data):
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query[key.replace("_", "-")] = value
    return query


def test_rows_become_an_and_or_tree():
    data = post(**{
        "condition_combinaison": "and", "condition_lignes": "3", "action": "enregistrer",
        "condition_0_champ": "1", "condition_0_operator": "eq", "condition_0_value": "true", "condition_0_groupe": "0",
        "condition_1_champ": "2", "condition_1_operator": "gte", "condition_1_value": " 10 ", "condition_1_groupe": "1",
        "condition_2_champ": "2", "condition_2_operator": "empty", "condition_2_value": "x", "condition_2_groupe": "1",
        "condition_groupe_1_combinaison": "or",
    })
    etat, action = etat_du_post(data, SOURCES)
    assert action == "enregistrer"
    assert condition_de(etat) == {"and": [
        {"champ": 1, "operator": "eq", "value": "true"},
        {"or": [{"champ": 2, "operator": "gte", "value": "10"}, {"champ": 2, "operator": "empty"}]},
    ]}


def test_the_tree_comes_back_as_the_same_rows():
    tree = {"or": [{"champ": 3, "operator": "include", "value": "Vélo"}, {"and": [
        {"champ": 1, "operator": "eq", "value": "true"}, {"champ": 2, "operator": "lt", "value": "5"}]}]}
    etat = etat_de(tree, SOURCES)
    assert etat.combinaison == "or" and etat.groupes == {1: "and"}
    assert [(ligne.champ, ligne.operator, ligne.value, ligne.groupe) for ligne in etat.lignes] == [
        ("3", "include", "Vélo", 0), ("1", "eq", "true", 1), ("2", "lt", "5", 1),
    ]
    assert condition_de(etat) == tree
    assert condition_de(etat_de({"champ": 1, "operator": "empty"}, SOURCES)) == {"and": [{"champ": 1, "operator": "empty"}]}


def test_operator_not_offered_by_the_type_is_replaced_and_rows_are_added_or_removed():
    data = post(**{
        "condition_lignes": "2", "action": "supprimer-0",
        "condition_0_champ": "2", "condition_0_operator": "eq", "condition_0_value": "1", "condition_0_groupe": "0",
        "condition_1_champ": "1", "condition_1_operator": "gt", "condition_1_value": "", "condition_1_groupe": "0",
    })
    etat, _ = etat_du_post(data, SOURCES)
    assert [(ligne.champ, ligne.operator) for ligne in etat.lignes] == [("1", "eq")]  # « gt » impossible on oui/non
    assert [label for _, label in etat.lignes[0].operateurs] == ["est égal à", "est différent de", "n'est pas rempli", "est rempli"]
    etat, _ = etat_du_post(post(condition_lignes="0", action="ajouter-groupe"), SOURCES)
    assert [ligne.groupe for ligne in etat.lignes] == [1, 1] and etat.groupes == {1: "or"}
    assert condition_de(etat) is None  # no champ chosen yet
