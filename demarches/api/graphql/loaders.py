"""Batch loading for one API request.

Resolvers ask for the relations of one dossier (its champs, messages, avis…); the first such
call loads that relation for every dossier of the current page in a single query, so a page of
100 dossiers costs the same number of queries as a page of 10.
"""

from collections import defaultdict

from django.db.models import F

from demarches.accounts.models import Instructeur
from demarches.fields.registry import StoredValue
from demarches.dossiers.models import Champ, Commentaire, Follow, PieceJointe, Traitement
from demarches.dossiers.models import Dossier as DossierModel
from demarches.instruction.models import Avis, DossierLabel
from demarches.procedures.models import GroupeInstructeur, Procedure, ProcedureRevision, TypeDeChamp


class ChampRow:
    """What the API reads of a champ row. A page of 100 dossiers holds thousands of champs:
    plain tuples from the database spare the cost of building as many Django model instances."""

    COLUMNS = ("dossier_id", "stable_id", "row_id", "pk", "value", "data", "prefilled", "updated_at")
    __slots__ = ("pk", "value", "data", "prefilled", "updated_at")

    def __init__(self, pk: int, value: str, data, updated_at, prefilled: bool = False):
        self.pk = pk
        self.value = value
        self.data = data
        self.updated_at = updated_at
        self.prefilled = prefilled

    @property
    def stored(self) -> StoredValue:
        return StoredValue(value=self.value, data=self.data)


class RevisionSchema:
    __slots__ = ("public", "private", "children")

    def __init__(self):
        self.public: list = []
        self.private: list = []
        self.children: dict[int, list] = defaultdict(list)


class Batch:
    def __init__(self):
        self.dossiers: dict[int, object] = {}
        self.revision_ids: set[int] = set()
        self.groupe_ids: set[int] = set()
        self._by_dossier: dict[str, dict[int, object]] = defaultdict(dict)
        self._types_de_champ: dict[int, tuple[list, list]] = {}
        self._instructeurs: dict[int, list] = {}
        self._linked: dict[int, object] = {}
        self._linked_pending: set[int] = set()
        # Per-request memo of pure computations (champ metadata by type de champ, displayed values…).
        self.memo: dict = {}
        self._procedures: dict[int, object] = {}
        self._revisions: dict[int, object] = {}

    # --- priming ------------------------------------------------------------------------------------

    def prime(self, dossiers) -> None:
        for dossier in dossiers:
            self.dossiers.setdefault(dossier.pk, dossier)
            self.revision_ids.add(dossier.revision_id)
            if dossier.groupe_instructeur_id:
                self.groupe_ids.add(dossier.groupe_instructeur_id)

    # --- what the dossiers of a page share ----------------------------------------------------------

    def remember_procedure(self, procedure) -> None:
        """A démarche already loaded (with its service and, if loaded with it, its revisions)."""
        self._procedures.setdefault(procedure.pk, procedure)
        for field in (Procedure.published_revision.field, Procedure.draft_revision.field):
            if field.is_cached(procedure) and (revision := field.get_cached_value(procedure)) is not None:
                self._revisions.setdefault(revision.pk, revision)

    def share(self, dossiers) -> None:
        """Give each dossier its démarche (with service) and revision, loaded once for the request.

        Selecting them with every row would build and parse the same démarche and revision a hundred
        times for a page (a tenth of the page's time, bench/api_bench.py); here they cost at most one
        query each per request, none when the démarche was read already.
        """
        missing = {dossier.procedure_id for dossier in dossiers} - self._procedures.keys()
        if missing:
            for procedure in Procedure.objects.select_related("service").filter(pk__in=missing):
                self.remember_procedure(procedure)
        missing = {dossier.revision_id for dossier in dossiers} - self._revisions.keys()
        if missing:
            self._revisions.update(ProcedureRevision.objects.in_bulk(missing))
        set_procedure = DossierModel.procedure.field.set_cached_value
        set_revision = DossierModel.revision.field.set_cached_value
        for dossier in dossiers:
            set_procedure(dossier, self._procedures[dossier.procedure_id])
            set_revision(dossier, self._revisions[dossier.revision_id])

    def prime_revisions(self, revision_ids) -> None:
        self.revision_ids.update(revision_ids)

    def prime_groupes(self, groupe_ids) -> None:
        self.groupe_ids.update(groupe_ids)

    # --- per-dossier relations --------------------------------------------------------------------

    def _relation(self, name: str, dossier, load) -> object:
        cache = self._by_dossier[name]
        if dossier.pk not in cache:
            self.prime([dossier])
            missing = [pk for pk in self.dossiers if pk not in cache]
            loaded = load(missing)
            for pk in missing:
                cache[pk] = loaded.get(pk, [])
        return cache[dossier.pk]

    def champs(self, dossier, *, updated_at: bool = True) -> dict[tuple[int, str], "ChampRow"]:
        """The champ rows of a dossier keyed by (stable_id, row_id), as light ChampRow objects.

        `updated_at=False` when the document never asks for it: the column is then not read
        (on SQLite, parsing thousands of dates is a good part of the query's cost)."""

        def load(ids):
            rows = defaultdict(dict)
            columns = ChampRow.COLUMNS if updated_at else ChampRow.COLUMNS[:-1]
            for row in Champ.objects.filter(dossier_id__in=ids).values_list(*columns):
                rows[row[0]][(row[1], row[2])] = ChampRow(row[3], row[4], row[5], row[7] if updated_at else None, row[6])
            return rows

        return self._relation("champs", dossier, load) or {}

    def pieces(self, dossier) -> dict[int, list]:
        """The attachments of a dossier's champs, by champ id (one query for the page, no per-champ queryset)."""

        def load(ids):
            grouped = defaultdict(lambda: defaultdict(list))
            queryset = PieceJointe.objects.filter(champ__dossier_id__in=ids).annotate(dossier_pk=F("champ__dossier_id"))
            for piece in queryset.order_by("created_at", "id"):
                grouped[piece.dossier_pk][piece.champ_id].append(piece)
            return grouped

        return self._relation("pieces", dossier, load) or {}

    def messages(self, dossier) -> list:
        def load(ids):
            grouped = defaultdict(list)
            for commentaire in Commentaire.objects.filter(dossier_id__in=ids).order_by("created_at", "id"):
                grouped[commentaire.dossier_id].append(commentaire)
            return grouped

        return self._relation("messages", dossier, load)

    def avis(self, dossier) -> list:
        def load(ids):
            grouped = defaultdict(list)
            queryset = Avis.objects.filter(dossier_id__in=ids).select_related("expert__user", "claimant__user")
            for avis in queryset.order_by("created_at", "id"):
                grouped[avis.dossier_id].append(avis)
            return grouped

        return self._relation("avis", dossier, load)

    def attestations(self, dossier) -> list:
        """The attestation in force of the dossier (a list of at most one), one query for the page."""
        from demarches.documents.models import Attestation

        def load(ids):
            grouped = defaultdict(list)
            queryset = Attestation.objects.filter(dossier_id__in=ids, revoked_at__isnull=True).exclude(file="")
            for attestation in queryset.only("pk", "dossier_id", "file"):
                grouped[attestation.dossier_id].append(attestation)
            return grouped

        return self._relation("attestations", dossier, load)

    def labels(self, dossier) -> list:
        """The labels put on the dossier, in the order of the démarche's labels, one query for the page."""

        def load(ids):
            grouped = defaultdict(list)
            queryset = DossierLabel.objects.filter(dossier_id__in=ids).select_related("label")
            for link in queryset.order_by("label_id"):
                grouped[link.dossier_id].append(link.label)
            return grouped

        return self._relation("labels", dossier, load)

    def traitements(self, dossier) -> list:
        def load(ids):
            grouped = defaultdict(list)
            for traitement in Traitement.objects.filter(dossier_id__in=ids).order_by("processed_at", "id"):
                grouped[traitement.dossier_id].append(traitement)
            return grouped

        return self._relation("traitements", dossier, load)

    def followers(self, dossier) -> list:
        def load(ids):
            grouped = defaultdict(list)
            queryset = Follow.objects.filter(dossier_id__in=ids).select_related("instructeur__user")
            for follow in queryset.order_by("created_at", "id"):
                grouped[follow.dossier_id].append(follow.instructeur)
            return grouped

        return self._relation("followers", dossier, load)

    # --- per-revision and per-groupe relations ----------------------------------------------------

    def types_de_champ(self, revision_id: int) -> "RevisionSchema":
        """The types de champ of a revision: public and private roots in form order, children by parent."""
        if revision_id not in self._types_de_champ:
            self.revision_ids.add(revision_id)
            missing = [pk for pk in self.revision_ids if pk not in self._types_de_champ]
            loaded = {pk: RevisionSchema() for pk in missing}
            for tdc in TypeDeChamp.objects.filter(revision_id__in=missing).order_by("position", "id"):
                schema = loaded[tdc.revision_id]
                if tdc.parent_id is not None:
                    schema.children[tdc.parent_id].append(tdc)
                elif tdc.private:
                    schema.private.append(tdc)
                else:
                    schema.public.append(tdc)
            self._types_de_champ.update(loaded)
        return self._types_de_champ[revision_id]

    # --- linked dossiers (champs "lien vers un autre dossier") ---------------------------------------

    def want_linked(self, number: int) -> None:
        if number not in self._linked:
            self._linked_pending.add(number)

    def linked(self, number: int):
        """A dossier a champ links to (not a brouillon), or None; pending numbers are loaded together."""
        if number not in self._linked:
            self._linked_pending.add(number)
            from demarches.dossiers.models import Dossier

            queryset = Dossier.objects.filter(pk__in=self._linked_pending).exclude(state=Dossier.State.BROUILLON)
            found = {dossier.pk: dossier for dossier in queryset.select_related("user", "groupe_instructeur", "procedure__service", "revision")}
            for pk in self._linked_pending:
                self._linked[pk] = found.get(pk)
            self._linked_pending.clear()
        return self._linked[number]

    def instructeurs(self, groupe_id: int) -> list:
        if groupe_id not in self._instructeurs:
            self.groupe_ids.add(groupe_id)
            missing = [pk for pk in self.groupe_ids if pk not in self._instructeurs]
            loaded = {pk: [] for pk in missing}
            through = GroupeInstructeur.instructeurs.through.objects.filter(groupeinstructeur_id__in=missing)
            links = list(through.values_list("groupeinstructeur_id", "instructeur_id"))
            by_id = Instructeur.objects.select_related("user").in_bulk({instructeur_id for _, instructeur_id in links})
            for groupe_id_, instructeur_id in sorted(links, key=lambda link: link[1]):
                loaded[groupe_id_].append(by_id[instructeur_id])
            self._instructeurs.update(loaded)
        return self._instructeurs[groupe_id]
