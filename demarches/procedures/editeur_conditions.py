"""The condition editor's form: rows « champ / comparaison / valeur » combined with « et » or « ou »,
optionally in groups (one level), turned into the JSON tree of fields/conditions.py and back.

Posted fields (prefix « condition »):
    condition-combinaison            "and" | "or" for the rows outside any group
    condition-lignes                 number of rows
    condition-<i>-champ / -operator / -value / -groupe   one row; groupe "0" = no group, "1".."n" = group n
    condition-groupe-<n>-combinaison "and" | "or" inside group n
    action                           "ajouter", "ajouter-groupe", "supprimer-<i>", "rafraichir" or "enregistrer"
"""

from dataclasses import dataclass, field

from demarches.fields import conditions as champ_conditions
from demarches.fields import options as champ_options

COMBINAISONS = (("and", "Toutes les conditions (et)"), ("or", "Au moins une condition (ou)"))
MAX_LIGNES = 30


@dataclass
class LigneCondition:
    index: int
    champ: str = ""
    operator: str = ""
    value: str = ""
    groupe: int = 0
    source: object = None  # the TypeDeChamp the row refers to

    @property
    def operateurs(self) -> list[tuple[str, str]]:
        if self.source is None:
            return []
        return [(op, champ_conditions.OPERATEURS[op]) for op in self.source.field_type.condition_operators]

    @property
    def sans_valeur(self) -> bool:
        return self.operator in champ_conditions.WITHOUT_VALUE

    @property
    def choix(self):
        if self.source is None or self.sans_valeur:
            return None
        operator = self.operator or (self.operateurs[0][0] if self.operateurs else "")
        return champ_options.choix_de_condition(self.source.field_type, self.source.options or {}, operator)

    @property
    def input_type(self) -> str:
        if self.source is None:
            return "text"
        kind = self.source.field_type.input_type
        return kind if kind in ("date", "datetime-local") else "text"


@dataclass
class EtatCondition:
    combinaison: str = "and"
    lignes: list[LigneCondition] = field(default_factory=list)
    groupes: dict[int, str] = field(default_factory=dict)  # group number → "and" | "or"

    def lignes_du_groupe(self, groupe: int) -> list[LigneCondition]:
        return [ligne for ligne in self.lignes if ligne.groupe == groupe]

    @property
    def blocs(self) -> list[dict]:
        """For the template: the rows outside groups and each group, in the order of their first row."""
        result, seen = [], set()
        for ligne in self.lignes:
            if ligne.groupe == 0:
                result.append({"groupe": 0, "lignes": [ligne]})
            elif ligne.groupe not in seen:
                seen.add(ligne.groupe)
                result.append({
                    "groupe": ligne.groupe, "combinaison": self.groupes.get(ligne.groupe, "and"),
                    "lignes": self.lignes_du_groupe(ligne.groupe),
                })
        return result


def _leaf_from_row(ligne: LigneCondition) -> dict | None:
    if not ligne.champ:
        return None
    try:
        stable_id = int(ligne.champ)
    except ValueError:
        return None
    node = {"champ": stable_id, "operator": ligne.operator}
    if ligne.operator not in champ_conditions.WITHOUT_VALUE:
        node["value"] = ligne.value.strip()
    return node


def condition_de(etat: EtatCondition) -> dict | None:
    """The JSON tree of the rows (None when no row names a champ)."""
    items, placed = [], set()
    for ligne in etat.lignes:
        if ligne.groupe == 0:
            leaf = _leaf_from_row(ligne)
            if leaf:
                items.append(leaf)
        elif ligne.groupe not in placed:
            placed.add(ligne.groupe)
            leaves = [leaf for leaf in map(_leaf_from_row, etat.lignes_du_groupe(ligne.groupe)) if leaf]
            if leaves:
                items.append({etat.groupes.get(ligne.groupe, "and"): leaves})
    if not items:
        return None
    return {etat.combinaison: items}


def etat_de(condition, sources) -> EtatCondition:
    """The rows showing a stored condition (a bare leaf counts as a group of one)."""
    by_id = {str(tdc.stable_id): tdc for tdc in sources}
    etat = EtatCondition()
    if not isinstance(condition, dict) or not condition:
        return etat
    if not any(group in condition for group in ("and", "or")):
        condition = {"and": [condition]}
    etat.combinaison = "or" if "or" in condition else "and"

    def row(node, groupe):
        champ = str(node.get("champ", ""))
        etat.lignes.append(LigneCondition(
            index=len(etat.lignes), champ=champ, operator=str(node.get("operator", "")),
            value="" if node.get("value") is None else str(node.get("value")), groupe=groupe, source=by_id.get(champ),
        ))

    for item in condition.get(etat.combinaison) or []:
        if not isinstance(item, dict):
            continue
        sub = "or" if "or" in item else "and" if "and" in item else None
        if sub is None:
            row(item, 0)
            continue
        numero = len(etat.groupes) + 1
        etat.groupes[numero] = sub
        for leaf in item.get(sub) or []:
            if isinstance(leaf, dict):
                row(leaf, numero)
    return etat


def etat_du_post(post, sources) -> tuple[EtatCondition, str]:
    """The rows as posted, with the action asked (rows added or removed accordingly)."""
    by_id = {str(tdc.stable_id): tdc for tdc in sources}
    etat = EtatCondition(combinaison="or" if post.get("condition-combinaison") == "or" else "and")
    try:
        count = min(int(post.get("condition-lignes", "0")), MAX_LIGNES)
    except ValueError:
        count = 0
    action = post.get("action", "enregistrer")
    for i in range(count):
        if action == f"supprimer-{i}":
            continue
        try:
            groupe = max(int(post.get(f"condition-{i}-groupe", "0")), 0)
        except ValueError:
            groupe = 0
        champ = post.get(f"condition-{i}-champ", "")
        source = by_id.get(champ)
        operator = post.get(f"condition-{i}-operator", "")
        if source is not None and operator not in source.field_type.condition_operators:
            operator = source.field_type.condition_operators[0]
        etat.lignes.append(LigneCondition(
            index=len(etat.lignes), champ=champ if (source is not None or champ.isdigit()) else "", operator=operator,
            value=post.get(f"condition-{i}-value", ""), groupe=groupe, source=source,
        ))
        if groupe:
            etat.groupes[groupe] = "or" if post.get(f"condition-groupe-{groupe}-combinaison") == "or" else "and"
    if action == "ajouter" and len(etat.lignes) < MAX_LIGNES:
        etat.lignes.append(LigneCondition(index=len(etat.lignes)))
    if action == "ajouter-groupe" and len(etat.lignes) < MAX_LIGNES - 1:
        numero = max(etat.groupes, default=0) + 1
        etat.groupes[numero] = "or"
        etat.lignes.append(LigneCondition(index=len(etat.lignes), groupe=numero))
        etat.lignes.append(LigneCondition(index=len(etat.lignes), groupe=numero))
    # Renumber the groups still used, in order.
    used = []
    for ligne in etat.lignes:
        if ligne.groupe and ligne.groupe not in used:
            used.append(ligne.groupe)
    renumber = {old: new for new, old in enumerate(used, start=1)}
    etat.groupes = {renumber[old]: comb for old, comb in etat.groupes.items() if old in renumber}
    for ligne in etat.lignes:
        ligne.groupe = renumber.get(ligne.groupe, 0)
    return etat, action


def pour_affichage(condition, sources_by_id: dict) -> object:
    """The condition with each value replaced by its label where the editor offers a list
    (« Oui » rather than « true »), for conditions.decrire."""
    if isinstance(condition, list):
        return [pour_affichage(item, sources_by_id) for item in condition]
    if not isinstance(condition, dict):
        return condition
    if any(group in condition for group in ("and", "or")):
        return {key: pour_affichage(value, sources_by_id) for key, value in condition.items()}
    source = sources_by_id.get(str(condition.get("champ")))
    if source is None or condition.get("value") in (None, ""):
        return condition
    choix = champ_options.choix_de_condition(source.field_type, source.options or {}, str(condition.get("operator", "")))
    labels = dict(choix or [])
    return {**condition, "value": labels.get(str(condition["value"]), condition["value"])}
