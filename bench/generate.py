"""Benchmark data: one démarche with N deposited dossiers × 30 champs of mixed types.

    .venv/bin/python bench/generate.py --dossiers 100000
    .venv/bin/python bench/generate.py --dossiers 100000 --multiplier-depuis 20000   # PostgreSQL: 20 000 then SQL copies

Writes to its own database (var/bench.sqlite3 by default, or --database-url / BENCH_DATABASE_URL),
never to the development one. Rows are inserted with bulk_create in batches, so memory stays flat.
A démarche generated earlier with the same number of dossiers is reused (one count checks that
the list's index covers it; only missing copies are built). On PostgreSQL a fresh generation
drops the secondary indexes of the big tables and builds them once at the end. Other benchmarks import
``setup()`` and ``generate()`` from this module.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
BATCH = 5000

# 30 champs: every fillable type of the registry, several times, with realistic options.
CHOIX = ["Agriculture", "Culture", "Éducation", "Environnement", "Santé", "Sport", "Transport", "Urbanisme"]
CHAMPS = [
    ("text", "Nom du projet", {}),
    ("textarea", "Description du projet", {}),
    ("integer_number", "Nombre de participants", {}),
    ("decimal_number", "Budget prévisionnel", {}),
    ("date", "Date de début", {}),
    ("date", "Date de fin", {}),
    ("datetime", "Rendez-vous souhaité", {}),
    ("checkbox", "J'atteste l'exactitude des informations", {}),
    ("yes_no", "Projet déjà financé", {}),
    ("drop_down_list", "Thème principal", {"choices": CHOIX}),
    ("multiple_drop_down_list", "Thèmes secondaires", {"choices": CHOIX}),
    ("email", "Adresse du référent", {}),
    ("phone", "Téléphone du référent", {}),
    ("civilite", "Civilité du référent", {}),
    ("text", "Nom du référent", {}),
    ("text", "Prénom du référent", {}),
    ("text", "Adresse postale", {}),
    ("text", "Commune", {}),
    ("integer_number", "Code postal", {}),
    ("decimal_number", "Surface (m²)", {}),
    ("integer_number", "Nombre de bénévoles", {}),
    ("decimal_number", "Montant demandé", {}),
    ("textarea", "Objectifs", {}),
    ("textarea", "Moyens mis en œuvre", {}),
    ("date", "Date de création de l'association", {}),
    ("yes_no", "Public prioritaire", {}),
    ("drop_down_list", "Département", {"choices": [f"{n:02d}" for n in range(1, 96)]}),
    ("text", "Partenaires", {}),
    ("checkbox", "Accepte d'être recontacté", {}),
    ("text", "Observations", {}),
]
assert len(CHAMPS) == 30
MOTS = (
    "projet association quartier jeunesse solidarité atelier festival jardin partagé numérique formation "
    "accompagnement rencontre citoyenne mobilité insertion patrimoine"
).split()


def setup(database_url: str | None = None, *, migrate: bool = True) -> None:
    """Point Django at the benchmark database (before django.setup()) and bring its tables up to date."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "demarches.settings.base"
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query in memory
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    (ROOT / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def _value(rng: random.Random, type_champ: str, options: dict) -> tuple[str, object]:
    """A stored (value, data) pair as the field registry would have parsed it."""
    if type_champ == "text":
        return " ".join(rng.choices(MOTS, k=rng.randint(1, 4))).capitalize(), None
    if type_champ == "textarea":
        return "\n".join(" ".join(rng.choices(MOTS, k=rng.randint(5, 12))) for _ in range(rng.randint(1, 3))), None
    if type_champ == "integer_number":
        return str(rng.randint(0, 99999)), None
    if type_champ == "decimal_number":
        return f"{rng.randint(0, 500000)}.{rng.randint(0, 99)}".rstrip("0").rstrip("."), None
    if type_champ == "date":
        return f"{rng.randint(1990, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", None
    if type_champ == "datetime":
        day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return f"{day}T{rng.randint(8, 18):02d}:{rng.choice(['00', '30'])}", None
    if type_champ == "checkbox":
        return rng.choice(["true", ""]), None
    if type_champ == "yes_no":
        return rng.choice(["true", "false"]), None
    if type_champ == "drop_down_list":
        return rng.choice(options["choices"]), None
    if type_champ == "multiple_drop_down_list":
        chosen = [c for c in options["choices"] if rng.random() < 0.3]
        return ", ".join(chosen), chosen
    if type_champ == "email":
        return f"referent{rng.randint(1, 10**6)}@association.example.fr", None
    if type_champ == "phone":
        return f"01 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}", None
    if type_champ == "civilite":
        return rng.choice(["M.", "Mme"]), None
    raise ValueError(type_champ)


def _libelle(dossiers: int) -> str:
    return f"Banc d'essai des exports ({dossiers} dossiers)"


def existing(dossiers: int):
    """The démarche generated earlier for this number of dossiers, with its instructeur, or None."""
    from demarches.procedures.models import Procedure

    procedure = Procedure.objects.filter(libelle=_libelle(dossiers)).order_by("-pk").first()
    if procedure is None or procedure.dossiers.count() != dossiers:
        return None
    return procedure, procedure.default_groupe.instructeurs.select_related("user").get()


def _index_completer(procedure, *, verbose: bool = True) -> int:
    """Index the dossiers that have no copy in the list's index yet (data generated before the list
    had one), in batches, synchronously. A complete index costs one count: reusing data stays fast.

    (procedure_index_actualiser is not used here: beyond its synchronous maximum it hands the rest to
    Celery jobs, which run eagerly in the benchmarks, and it compares every dossier's updated_at.)"""
    from demarches.dossiers.models import Dossier
    from demarches.instruction.liste import indexation
    from demarches.instruction.models import DossierTexte

    dossiers = Dossier.objects.filter(procedure=procedure).exclude(state=Dossier.State.BROUILLON)
    if DossierTexte.objects.filter(procedure=procedure).count() >= dossiers.count():
        return 0
    missing = list(dossiers.filter(texte_indexe__isnull=True).order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(missing), BATCH):
        indexation.dossiers_indexer(missing[start : start + BATCH])
        if verbose:
            done = min(start + BATCH, len(missing))
            print(f"  {done} / {len(missing)} dossiers indexés ({time.perf_counter() - started:.0f} s)", flush=True)
    return len(missing)


# Secondary indexes of the big tables: on PostgreSQL a fresh generation drops them and builds them
# again once every row is in (one sorted build instead of millions of insertions, the trigram index
# above all). Unique constraints and primary keys stay.
TABLES_INDEXEES = ("dossiers_champ", "instruction_valeurindexee", "instruction_dossiertexte")


class _IndexesDiffered:
    TABLE = "bench_index_differe"

    def __init__(self, connection, verbose):
        self.connection, self.verbose, self.definitions = connection, verbose, []

    def __enter__(self):
        if self.connection.vendor != "postgresql":
            return self
        with self.connection.cursor() as cursor:
            # The definitions are kept in the database until the indexes are back, so that a generation
            # killed half-way gives them back at the next one.
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE} (name text PRIMARY KEY, definition text NOT NULL)")
            cursor.execute(f"SELECT name, definition FROM {self.TABLE}")
            self.definitions = cursor.fetchall()
        self._rebuild()
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
                "AND NOT x.indisunique AND NOT x.indisprimary",
                [list(TABLES_INDEXEES)],
            )
            self.definitions = cursor.fetchall()
            for name, definition in self.definitions:
                cursor.execute(f"INSERT INTO {self.TABLE} VALUES (%s, %s) ON CONFLICT DO NOTHING", [name, definition])
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        return self

    def __exit__(self, *exc):
        self._rebuild()
        return False

    def _rebuild(self):
        if not self.definitions:
            return
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for name, definition in self.definitions:
                cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
                cursor.execute(f"DELETE FROM {self.TABLE} WHERE name = %s", [name])
            cursor.execute("RESET maintenance_work_mem")
        if self.verbose:
            print(f"  {len(self.definitions)} index reconstruits ({time.perf_counter() - started:.0f} s)", flush=True)
        self.definitions = []


def _cadre_juridique(procedure_model) -> dict:
    """Publication asks for a legal basis where the démarche has that field."""
    names = {field.name for field in procedure_model._meta.get_fields()}
    return {"cadre_juridique": "Délibération du conseil d'administration (banc d'essai)"} if "cadre_juridique" in names else {}


def generate(dossiers: int, *, seed: int = 2026, verbose: bool = True):
    """Create (or reuse) the démarche and its dossiers; returns (procedure, instructeur)."""
    from django.db import transaction
    from django.utils import timezone

    from demarches.accounts.models import Administrateur, Expert, Instructeur, User
    from demarches.instruction.liste import indexation
    from demarches.procedures import services as procedure_services
    from demarches.procedures.models import Procedure

    found = existing(dossiers)
    if found:
        if verbose:
            print(f"Démarche n° {found[0].pk} réutilisée ({dossiers} dossiers).")
        reindexed = _index_completer(found[0], verbose=verbose)
        if verbose and reindexed:
            print(f"  {reindexed} dossiers indexés pour la liste des instructeurs.")
        return found
    started = time.perf_counter()
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:10]  # unique e-mails and path; the values themselves follow the seed
    with transaction.atomic():
        admin_user = User.objects.create(email=f"admin-{run}@bench.example.fr", password="!")
        administrateur = Administrateur.objects.create(user=admin_user)
        instructeur_user = User.objects.create(email=f"instructeur-{run}@bench.example.fr", password="!")
        instructeur = Instructeur.objects.create(user=instructeur_user)
        expert = Expert.objects.create(user=User.objects.create(email=f"expert-{run}@bench.example.fr", password="!"))
        service = procedure_services.service_creer(
            administrateur=administrateur, nom="Service du banc d'essai", email="banc@bench.example.fr"
        )
        procedure = procedure_services.procedure_creer(
            administrateur=administrateur, libelle=_libelle(dossiers),
            description="Données générées pour les bancs d'essai.", service=service,
            **_cadre_juridique(Procedure),
        )
        for type_champ, libelle, options in CHAMPS:
            procedure_services.type_de_champ_ajouter(
                procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle,
                options=options,
            )
        procedure.default_groupe.instructeurs.add(instructeur)
        procedure = procedure_services.procedure_publier(
            procedure=procedure, administrateur=administrateur, path=f"banc-{run}"
        )
    revision = procedure.published_revision
    definitions = list(revision.types_de_champ.order_by("position"))
    colonnes = indexation.colonnes_de_champs(procedure.pk)
    groupe = procedure.default_groupe
    now = timezone.now()
    from django.db import connection

    with _IndexesDiffered(connection, verbose):
        _dossiers_creer(
            dossiers, rng=rng, run=run, procedure=procedure, revision=revision, definitions=definitions,
            colonnes=colonnes, groupe=groupe, instructeur=instructeur, expert=expert, now=now, started=started,
            verbose=verbose,
        )
    _historique(procedure)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # statistics and visibility map, as autovacuum would leave them
            cursor.execute("VACUUM ANALYZE")
    if verbose:
        elapsed = time.perf_counter() - started
        print(f"Démarche n° {procedure.pk} : {dossiers} dossiers × {len(definitions)} champs en {elapsed:.0f} s.")
    return procedure, instructeur


def _historique(procedure) -> None:
    """Each dossier was last changed at its last change of state, not all within the minutes of the
    generation: the list's default sort (« Mis à jour le ») and its index freshness check
    (dossiers changed since the newest copy) then see realistic dates. The copies follow."""
    from django.db import transaction
    from django.db.models import F, OuterRef
    from django.db.models.functions import Coalesce

    from demarches.dossiers.models import Dossier
    from demarches.instruction.models import DossierTexte

    with transaction.atomic():
        Dossier.objects.filter(procedure=procedure).update(
            updated_at=Coalesce(F("processed_at"), F("en_instruction_at"), F("depose_at"), F("updated_at"))
        )
        DossierTexte.objects.filter(procedure=procedure).update(
            source_updated_at=Dossier.objects.filter(pk=OuterRef("dossier_id")).values("updated_at")[:1]
        )


def _dossiers_creer(
    dossiers, *, rng, run, procedure, revision, definitions, colonnes, groupe, instructeur, expert, now, started,
    verbose,
):
    from django.db import transaction

    from demarches.accounts.models import User
    from demarches.dossiers.models import Champ, Dossier, Follow, Traitement
    from demarches.instruction.liste import indexation
    from demarches.instruction.models import Avis

    states = [Dossier.State.EN_CONSTRUCTION, Dossier.State.EN_INSTRUCTION, Dossier.State.ACCEPTE, Dossier.State.REFUSE,
              Dossier.State.SANS_SUITE]
    for start in range(0, dossiers, BATCH):
        count = min(BATCH, dossiers - start)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [User(email=f"usager-{run}-{start + i}@bench.example.fr", password="!") for i in range(count)]
            )
            batch = []
            for user in users:
                state = rng.choice(states)
                # Every date in the past: a dossier deposited yesterday was not decided next month.
                depose = now - timedelta(days=rng.randint(3, 700), minutes=rng.randint(0, 1440))
                instruction = None
                if state != Dossier.State.EN_CONSTRUCTION:
                    instruction = min(depose + timedelta(days=rng.randint(1, 30)), now - timedelta(days=2))
                processed = None
                if state in Dossier.TERMINE:
                    processed = min(instruction + timedelta(days=rng.randint(1, 30)), now - timedelta(days=1))
                batch.append(Dossier(
                    procedure=procedure, revision=revision, user=user, groupe_instructeur=groupe, state=state,
                    civilite=rng.choice(["M.", "Mme"]), nom=rng.choice(MOTS).capitalize(),
                    prenom=rng.choice(MOTS).capitalize(),
                    motivation="Dossier complet et conforme" if processed else "", archived=rng.random() < 0.05,
                    depose_at=depose, en_construction_at=depose, en_instruction_at=instruction, processed_at=processed,
                ))
            created = Dossier.objects.bulk_create(batch)
            champs, follows, traitements, avis = [], [], [], []
            valeurs, textes = [], []  # the dossier list's normalised copy (filters, sorts, search)
            for dossier, user in zip(created, users):
                dossier_champs = []
                for tdc in definitions:
                    value, data = _value(rng, tdc.type_champ, tdc.options)
                    dossier_champs.append(
                        Champ(dossier=dossier, type_de_champ=tdc, stable_id=tdc.stable_id, value=value, data=data)
                    )
                champs.extend(dossier_champs)
                dossier.user = user
                lignes, texte = indexation.lignes_d_index(dossier, dossier_champs, colonnes)
                valeurs.extend(lignes)
                textes.append(texte)
                if dossier.state != Dossier.State.EN_CONSTRUCTION and rng.random() < 0.5:
                    follows.append(Follow(instructeur=instructeur, dossier=dossier))
                if dossier.processed_at:
                    traitements.append(Traitement(
                        dossier=dossier, state=dossier.state, processed_at=dossier.processed_at,
                        instructeur_email=instructeur.user.email, motivation=dossier.motivation,
                    ))
                if rng.random() < 0.05:
                    avis.append(Avis(dossier=dossier, expert=expert, claimant=instructeur,
                                     introduction="Votre avis sur ce projet ?", answer="Avis favorable."))
            Champ.objects.bulk_create(champs, batch_size=BATCH)
            Follow.objects.bulk_create(follows)
            Traitement.objects.bulk_create(traitements)
            Avis.objects.bulk_create(avis)
            indexation.enregistrer([dossier.pk for dossier in created], valeurs, textes)
        if verbose:
            print(f"  {start + count} / {dossiers} dossiers ({time.perf_counter() - started:.0f} s)", flush=True)


# Tables copied with their dossier by `multiplier` (the users are shared: a usager may own several).
TABLES_DU_DOSSIER = (
    "dossiers_champ", "instruction_valeurindexee", "instruction_dossiertexte", "dossiers_follow",
    "dossiers_traitement", "instruction_avis",
)


def multiplier(base: int, dossiers: int, *, verbose: bool = True):
    """PostgreSQL: a démarche of `dossiers` dossiers made of copies of the one of `base` dossiers
    (generated first if needed), copied in SQL: minutes instead of an hour of Python on a busy
    machine. The copies keep every value (the search and the filters find k times more dossiers),
    each with its own number; the démarche of `base` dossiers becomes the one of `dossiers`."""
    from django.db import connection, transaction

    if dossiers % base:
        raise SystemExit(f"--dossiers ({dossiers}) doit être un multiple de --multiplier-depuis ({base}).")
    found = existing(dossiers)
    if found:
        if verbose:
            print(f"Démarche n° {found[0].pk} réutilisée ({dossiers} dossiers).")
        return found
    if connection.vendor != "postgresql":
        raise SystemExit("--multiplier-depuis demande PostgreSQL.")
    procedure, instructeur = generate(base, verbose=verbose)
    started = time.perf_counter()

    def colonnes(cursor, table):
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND is_identity = 'NO' ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]

    with _IndexesDiffered(connection, verbose), transaction.atomic(), connection.cursor() as cursor:
        # The copies reference rows that exist (copied alongside): the foreign-key triggers, deferred to
        # the commit by Django, would check millions of rows one by one there (superuser only).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT min(id), max(id) FROM dossiers_dossier WHERE procedure_id = %s", [procedure.pk])
        first, last = cursor.fetchone()
        cursor.execute("SELECT max(id) FROM dossiers_dossier")
        step = cursor.fetchone()[0] + 1 - first  # copy k of dossier d is d + k × step: above every dossier
        cursor.execute(
            "CREATE TEMP TABLE bench_originaux ON COMMIT DROP AS SELECT id FROM dossiers_dossier WHERE procedure_id = %s",
            [procedure.pk],
        )
        dossier_cols = [c for c in colonnes(cursor, "dossiers_dossier") if c != "id"]
        for k in range(1, dossiers // base):
            offset = k * step
            select = ", ".join("NULL" if c == "prefill_token" else f'd."{c}"' for c in dossier_cols)
            cursor.execute(
                f'INSERT INTO dossiers_dossier (id, {", ".join(dossier_cols)}) '
                f"SELECT d.id + {offset}, {select} FROM dossiers_dossier d JOIN bench_originaux o ON o.id = d.id"
            )
            for table in TABLES_DU_DOSSIER:
                cols = [c for c in colonnes(cursor, table) if c != "id" or table == "instruction_dossiertexte"]
                values = []
                for c in cols:
                    if c == "dossier_id":
                        values.append(f"t.dossier_id + {offset}")
                    elif table == "instruction_dossiertexte" and c == "texte":  # the text starts with the number
                        values.append(f"(t.dossier_id + {offset})::text || substr(t.texte, length(t.dossier_id::text) + 1)")
                    else:
                        values.append(f't."{c}"')
                cursor.execute(
                    f'INSERT INTO {table} ({", ".join(cols)}) SELECT {", ".join(values)} '
                    f"FROM {table} t JOIN bench_originaux o ON o.id = t.dossier_id"
                )
            if verbose:
                print(f"  {(k + 1) * base} / {dossiers} dossiers ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), (SELECT max(id) FROM dossiers_dossier))"
        )
        procedure.libelle = _libelle(dossiers)
        procedure.save(update_fields=["libelle"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    if verbose:
        print(f"Démarche n° {procedure.pk} : {dossiers} dossiers en {time.perf_counter() - started:.0f} s de copie.")
    return procedure, instructeur


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=10000)
    parser.add_argument("--database-url", default=None, help=f"par défaut : {DEFAULT_DATABASE_URL}")
    parser.add_argument(
        "--multiplier-depuis", type=int, default=None, metavar="N",
        help="PostgreSQL : générer N dossiers puis les copier en SQL jusqu'à --dossiers (un multiple de N)",
    )
    args = parser.parse_args(argv)
    setup(args.database_url)
    if args.multiplier_depuis:
        multiplier(args.multiplier_depuis, args.dossiers)
    else:
        generate(args.dossiers)


if __name__ == "__main__":
    main()
