"""Benchmark data: one démarche with N deposited dossiers × 30 champs of mixed types.

    .venv/bin/python bench/generate.py --dossiers 100000

Writes to its own database (var/bench.sqlite3 by default, or --database-url / BENCH_DATABASE_URL),
never to the development one. Rows are inserted with bulk_create in batches, so memory stays flat.
A démarche generated earlier with the same number of dossiers is reused. Other benchmarks import
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


def _cadre_juridique(procedure_model) -> dict:
    """Publication asks for a legal basis where the démarche has that field."""
    names = {field.name for field in procedure_model._meta.get_fields()}
    return {"cadre_juridique": "Délibération du conseil d'administration (banc d'essai)"} if "cadre_juridique" in names else {}


def generate(dossiers: int, *, seed: int = 2026, verbose: bool = True):
    """Create (or reuse) the démarche and its dossiers; returns (procedure, instructeur)."""
    from django.db import transaction
    from django.utils import timezone

    from demarches.accounts.models import Administrateur, Expert, Instructeur, User
    from demarches.dossiers.models import Champ, Dossier, Follow, Traitement
    from demarches.instruction.liste import indexation
    from demarches.instruction.models import Avis
    from demarches.procedures import services as procedure_services
    from demarches.procedures.models import Procedure

    found = existing(dossiers)
    if found:
        if verbose:
            print(f"Démarche n° {found[0].pk} réutilisée ({dossiers} dossiers).")
        from demarches.instruction.liste.indexation import procedure_index_actualiser

        reindexed = procedure_index_actualiser(found[0])  # generated before the list had its index
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
    states = [Dossier.State.EN_CONSTRUCTION, Dossier.State.EN_INSTRUCTION, Dossier.State.ACCEPTE, Dossier.State.REFUSE,
              Dossier.State.SANS_SUITE]
    now = timezone.now()
    for start in range(0, dossiers, BATCH):
        count = min(BATCH, dossiers - start)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [User(email=f"usager-{run}-{start + i}@bench.example.fr", password="!") for i in range(count)]
            )
            batch = []
            for user in users:
                state = rng.choice(states)
                depose = now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))
                instruction = None
                if state != Dossier.State.EN_CONSTRUCTION:
                    instruction = depose + timedelta(days=rng.randint(1, 30))
                processed = instruction + timedelta(days=rng.randint(1, 30)) if state in Dossier.TERMINE else None
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
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather them
            cursor.execute("ANALYZE")
    if verbose:
        elapsed = time.perf_counter() - started
        print(f"Démarche n° {procedure.pk} : {dossiers} dossiers × {len(definitions)} champs en {elapsed:.0f} s.")
    return procedure, instructeur


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=10000)
    parser.add_argument("--database-url", default=None, help=f"par défaut : {DEFAULT_DATABASE_URL}")
    args = parser.parse_args(argv)
    setup(args.database_url)
    generate(args.dossiers)


if __name__ == "__main__":
    main()
