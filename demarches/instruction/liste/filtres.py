"""Filter and sort builders of the dossier list.

A filter is {"colonne": key, "operateur": op, "valeur": …} as remembered in ListePreference:
"valeur" is a string (contient, egal), a list of strings (parmi) or {"du": "AAAA-MM-JJ", "au": …}
(entre). `filtre_valider` turns user input into that shape (or raises ValueError with a French
message); `filtre_q` turns it into a Q on Dossier; `tri` gives the annotations and order_by of a
sort. Champ values are read from ValeurIndexee (indexed on stable_id first), metadata from the
dossier's own columns.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, F, Min, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from demarches.dossiers.models import Dossier, Follow

from ..models import DossierLabel, DossierTexte, Label, ValeurIndexee
from .colonnes import CONTIENT, EGAL, ENTRE, OPERATEURS, PARMI, Colonne
from .indexation import _nombre, normaliser

MAX_VALEUR = 200


# --- validation -----------------------------------------------------------------------------------


def _date_ou_vide(text: str, nom: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"La date « {nom} » n'est pas valide (format jj/mm/aaaa).") from None


def filtre_valider(colonne: Colonne, operateur: str, valeurs: list[str], du: str = "", au: str = "") -> dict:
    """A filter as stored, from what the "Filtrer" form posted; ValueError (French) when unusable."""
    if operateur not in colonne.operateurs:
        raise ValueError(
            f"L'opérateur « {OPERATEURS.get(operateur, operateur)} » n'est pas proposé pour « {colonne.libelle} »."
        )
    valeurs = [v.strip()[:MAX_VALEUR] for v in valeurs if v and v.strip()]
    if operateur == ENTRE:
        if colonne.type == "nombre":
            bornes = {"du": (du or "").strip(), "au": (au or "").strip()}
            for borne in bornes.values():
                if borne and _nombre(borne) is None:
                    raise ValueError(f"« {borne} » n'est pas un nombre.")
        else:
            bornes = {"du": _date_ou_vide(du, "du"), "au": _date_ou_vide(au, "au")}
        if not bornes["du"] and not bornes["au"]:
            raise ValueError("Indiquez au moins une des deux bornes.")
        return {"colonne": colonne.key, "operateur": ENTRE, "valeur": bornes}
    if not valeurs:
        raise ValueError("Indiquez la valeur recherchée.")
    if operateur == PARMI:
        allowed = {value for value, _ in colonne.choix}
        chosen = [v for v in valeurs if v in allowed]
        if not chosen:
            raise ValueError("Choisissez au moins une des valeurs proposées.")
        return {"colonne": colonne.key, "operateur": PARMI, "valeur": chosen}
    if colonne.type == "nombre" and _nombre(valeurs[0]) is None:
        raise ValueError(f"« {valeurs[0]} » n'est pas un nombre.")
    return {"colonne": colonne.key, "operateur": operateur, "valeur": valeurs[0]}


def filtre_libelle(colonne: Colonne, filtre: dict) -> str:
    """The text of the removable tag: « Statut : accepté, refusé »."""
    valeur = filtre["valeur"]
    operateur = filtre["operateur"]
    if operateur == PARMI:
        labels = dict(colonne.choix)
        return f"{colonne.libelle} : {', '.join(labels.get(v, v) for v in valeur)}"
    if operateur == ENTRE:

        def show(text):
            if colonne.type == "date" and text:
                return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
            return text

        du, au = show(valeur.get("du")), show(valeur.get("au"))
        if du and au:
            return (
                f"{colonne.libelle} : du {du} au {au}"
                if colonne.type == "date"
                else f"{colonne.libelle} : de {du} à {au}"
            )
        return (
            f"{colonne.libelle} : {'à partir du' if colonne.type == 'date' else 'au moins'} {du}"
            if du
            else (f"{colonne.libelle} : {'jusqu’au' if colonne.type == 'date' else 'au plus'} {au}")
        )
    if operateur == CONTIENT:
        return f"{colonne.libelle} contient « {valeur} »"
    return f"{colonne.libelle} : {valeur}"


# --- filters -------------------------------------------------------------------------------------


def _debut(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time.min))


def _range_q(field: str, bornes: dict, *, dates: bool) -> Q:
    q = Q()
    du, au = bornes.get("du"), bornes.get("au")
    if dates:
        if du:
            q &= Q(**{f"{field}__gte": _debut(du)})
        if au:
            q &= Q(**{f"{field}__lt": _debut(au) + datetime.timedelta(days=1)})
    else:
        if du:
            q &= Q(**{f"{field}__gte": _nombre(du)})
        if au:
            q &= Q(**{f"{field}__lte": _nombre(au)})
    return q


def _champ_q(colonne: Colonne, operateur: str, valeur) -> Q:
    if operateur == CONTIENT:
        condition = Q(texte__contains=normaliser(valeur))
    elif operateur == EGAL and colonne.type == "nombre":
        condition = Q(nombre=_nombre(valeur))
    elif operateur == EGAL:
        condition = Q(texte=normaliser(valeur)[:200])
    elif operateur == PARMI:
        condition = Q(texte__in=[normaliser(v)[:200] for v in valeur])
    else:
        condition = _range_q("date" if colonne.type == "date" else "nombre", valeur, dates=colonne.type == "date")
    return Q(Exists(ValeurIndexee.objects.filter(condition, dossier_id=OuterRef("pk"), stable_id=colonne.stable_id)))


def _meta_q(colonne: Colonne, operateur: str, valeur) -> Q:
    key = colonne.key
    if key == "numero":
        if operateur == ENTRE:
            return _range_q("pk", valeur, dates=False)
        return Q(pk=int(_nombre(valeur)))
    if key == "demandeur":
        if operateur == CONTIENT:
            return Q(nom__icontains=valeur) | Q(prenom__icontains=valeur) | Q(user__email__icontains=valeur)
        return Q(nom__iexact=valeur) | Q(user__email__iexact=valeur)
    if key == "email":
        return Q(user__email__icontains=valeur) if operateur == CONTIENT else Q(user__email__iexact=valeur)
    if key == "etat":
        return Q(state__in=valeur if operateur == PARMI else [valeur])
    if key == "groupe":
        ids = valeur if operateur == PARMI else [valeur]
        return Q(groupe_instructeur_id__in=[int(v) for v in ids if str(v).isdigit()])
    if key == "labels":
        ids = [int(v) for v in (valeur if operateur == PARMI else [valeur]) if str(v).isdigit()]
        return Q(Exists(DossierLabel.objects.filter(label_id__in=ids, dossier_id=OuterRef("pk"))))
    if key == "suiveurs":
        lookup = "instructeur__user__email__icontains" if operateur == CONTIENT else "instructeur__user__email__iexact"
        return Q(Exists(Follow.objects.filter(dossier_id=OuterRef("pk"), **{lookup: valeur})))
    # Dates of the dossier.
    return _range_q(key, valeur, dates=True)


def filtre_q(colonne: Colonne, filtre: dict) -> Q:
    operateur, valeur = filtre["operateur"], filtre["valeur"]
    if colonne.is_champ:
        return _champ_q(colonne, operateur, valeur)
    return _meta_q(colonne, operateur, valeur)


def filtres_q(colonnes: dict, filtres: list[dict]) -> Q:
    """All the filters at once (AND); filters on a column that no longer exists are ignored."""
    q = Q()
    for filtre in filtres:
        colonne = colonnes.get(filtre.get("colonne"))
        if colonne is not None and filtre.get("operateur") in colonne.operateurs:
            q &= filtre_q(colonne, filtre)
    return q


RECHERCHE_PAR_CLE_MAX = 1000


def recherche_q(terme: str, procedure=None) -> Q:
    """Full-text search: the dossier number, or every word in the dossier's searchable text
    (of the démarche's dossiers only when `procedure` is given)."""
    mots = normaliser(terme).split()[:8]
    if not mots:
        return Q()
    textes = DossierTexte.objects.all() if procedure is None else DossierTexte.objects.filter(procedure=procedure)
    for mot in mots:
        textes = textes.filter(texte__contains=mot)
    # Most searches find a few dossiers (a name, a number): they are looked up first (the trigram
    # index on PostgreSQL) and the list reads those dossiers by key, whatever its sort. A search
    # that finds many stays a subquery: walking the list in its order meets matches at once.
    trouves = list(textes.values_list("dossier_id", flat=True)[: RECHERCHE_PAR_CLE_MAX + 1])
    if len(trouves) <= RECHERCHE_PAR_CLE_MAX:
        q = Q(pk__in=sorted(trouves))
    else:
        # "IN (SELECT …)" rather than an OR with a join, which would scan every dossier of the démarche.
        q = Q(pk__in=textes.values("dossier_id"))
    if len(mots) == 1 and mots[0].isdigit() and len(mots[0]) < 12:
        q |= Q(pk=int(mots[0]))
    return q


# --- sort ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tri:
    annotations: dict
    order_by: tuple
    # The join the sort needs (a champ's row), applied with the same filter() call as nothing else.
    filtre: Q | None = None

    @property
    def lit_tout(self) -> bool:
        """The sort computes a key for every dossier (first follower, first label) instead of walking
        an index of the démarche's dossiers in its order and stopping after one page."""
        return bool(self.annotations)


SENS = ("asc", "desc")


def _ordre(expression, sens: str, *, nullable: bool = True):
    """Empty values last in both directions. A column that is never empty is sorted without
    NULLS LAST, so that PostgreSQL reads its (procedure, column, id) index backwards for « desc »
    instead of sorting every dossier of the démarche (an index on ASC cannot serve DESC NULLS LAST)."""
    if not nullable:
        return expression.desc() if sens == "desc" else expression.asc()
    return expression.desc(nulls_last=True) if sens == "desc" else expression.asc(nulls_last=True)


def _nullable(key: str) -> bool:
    return Dossier._meta.get_field(key).null


# Above this many labels / followers on a démarche, sorting on them falls back to an aggregate.
TRI_PREMIER_MAX = 50


def _tri_premier(nom, valeurs, modele, champ, chemin, sens, tie) -> Tri:
    """Sort on the first (alphabetical) label / follower of each dossier.

    `valeurs`: the démarche's (name, id) pairs in alphabetical order. The sort key is
    CASE WHEN pk IN (dossiers with the 1st) THEN name1 WHEN pk IN (… the 2nd) THEN name2 … END:
    PostgreSQL hashes each (small, index-only) list of dossiers once and the sort reads no other
    row, where an aggregate per dossier or a correlated subquery costs seconds on 100 000 dossiers.
    Without `valeurs` (unknown, or too many): a correlated subquery per dossier."""
    if valeurs is None or len(valeurs) > TRI_PREMIER_MAX:
        premier = (
            modele.objects.filter(dossier_id=OuterRef("pk"))
            .values("dossier_id")
            .annotate(premier=Min(chemin))
            .values("premier")[:1]
        )
        return Tri({nom: Subquery(premier)}, (_ordre(F(nom), sens), tie))
    if not valeurs:
        return Tri({}, (tie,))
    cas = [
        When(pk__in=modele.objects.filter(**{champ: pk}).values("dossier_id"), then=Value(libelle))
        for libelle, pk in valeurs
    ]
    return Tri({nom: Case(*cas, default=None, output_field=CharField())}, (_ordre(F(nom), sens), tie))


def tri(colonne: Colonne, sens: str, *, procedure=None) -> Tri:
    """The annotations and order_by of a sort on one column; the number breaks ties.
    `procedure` (the list's démarche) lets the sort on followers know who may follow its dossiers."""
    sens = sens if sens in SENS else "asc"
    tie = "-pk" if sens == "desc" else "pk"
    if colonne.is_champ:
        # An inner join on the champ's row (every dossier has one, see indexation.lignes_d_index),
        # ordered like the (stable_id, value, dossier) indexes: PostgreSQL walks the index and
        # stops after one page. Empty values come last in both directions.
        field = {"nombre": "nombre", "date": "date"}.get(colonne.type, "texte")
        return Tri(
            {},
            (_ordre(F(f"valeurs_indexees__{field}"), sens), tie),
            filtre=Q(valeurs_indexees__stable_id=colonne.stable_id),
        )
    key = colonne.key
    if key == "numero":
        return Tri({}, (tie,))
    if key == "demandeur":
        return Tri({}, (_ordre(F("nom"), sens, nullable=False), _ordre(F("prenom"), sens, nullable=False), tie))
    if key == "email":
        return Tri({}, (_ordre(F("user__email"), sens), tie))
    if key == "etat":
        return Tri({}, (_ordre(F("state"), sens, nullable=False), tie))
    if key == "groupe":
        return Tri({}, (_ordre(F("groupe_instructeur__label"), sens), tie))
    # Labels and followers: the first one in alphabetical order.
    if key == "labels":
        # In the database's order (its collation), as the sort itself.
        labels = list(
            Label.objects.filter(pk__in=[int(pk) for pk, _ in colonne.choix]).order_by("name", "pk").values_list("name", "pk")
        )
        return _tri_premier("tri_labels", labels, DossierLabel, "label_id", "label__name", sens, tie)
    if key == "suiveurs":
        suiveurs = None
        if procedure is not None:
            suiveurs = list(
                Follow.objects.filter(dossier__procedure=procedure)
                .order_by("instructeur__user__email", "instructeur_id")
                .values_list("instructeur__user__email", "instructeur_id")
                .distinct()
            )
        return _tri_premier(
            "tri_suiveurs", suiveurs, Follow, "instructeur_id", "instructeur__user__email", sens, tie
        )
    return Tri({}, (_ordre(F(key), sens, nullable=_nullable(key)), tie))
