"""Every fillable type from the usager's form to the instructeur's export: a champ of each type is
filled through what its widget posts, the dossier is deposited, and the export sheet holds one column
per champ with the type's cell; a champ hidden by its condition is exported empty (not answered)."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from demarches.dossiers import services
from demarches.dossiers.models import Champ, Dossier
from demarches.exports import services as export_services
from demarches.exports.models import Export
from demarches.fields import registry
from tests import factories
from tests.exports.readers import as_dicts, read
from tests.fields.demarches import demarche_creer
from tests.fields.test_annotations_types import SAISIES

pytestmark = pytest.mark.django_db

OUI_NON = "Avez-vous des salariés ?"
CACHE = "Nombre de salariés"  # shown only by « Oui »
# The export cell of each type in a spreadsheet (typed cells where the type gives one).
CELLULES = {
    "text": "Dossier solide",
    "textarea": "Pièces complètes.",
    "integer_number": 1500,
    "decimal_number": 12.5,
    "date": datetime.datetime(2026, 3, 1),  # spreadsheets hold dates as date-times
    "datetime": datetime.datetime(2026, 3, 1, 9, 30),
    "checkbox": "Oui",
    "yes_no": "Non",
    "civilite": "M.",
    "email": "referent@example.fr",
    "phone": "0590 27 12 34",
    "formatted": "AB12",
    "engagement": "Oui",
    "drop_down_list": "Réservé",
    "multiple_drop_down_list": "Visite, Courrier",
    "linked_drop_down_list": "Sud / Nice",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "pays": "Italie",
    "regions": "Corse",
    "departements": "2A – Corse-du-Sud",
}
# Cells checked by what they must contain (the type adds looked-up details).
CONTIENT = {
    "address": ["10 Rue de Rivoli", "75001"],
    "communes": ["Lyon", "69003"],
    "epci": ["Métropole de Lyon"],
    "siret": ["812 345 676 00017", "BOULANGERIE MARTIN"],
    "carte": ["1 point"],
    "rna": ["W451000123", "ASSOCIATION SPORTIVE DES BORDS DE LOIRE"],
}


def _posted(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def test_each_type_is_exported_in_its_own_column_and_hidden_champs_are_not_answered(run_on_commit):
    instructeur = factories.InstructeurFactory()
    champs = [(key, f"Champ {key}", False, SAISIES[key][0]) for key in SAISIES]
    champs += [("yes_no", OUI_NON, False, {}), ("integer_number", CACHE, True, {})]
    procedure = demarche_creer(
        champs, instructeurs=[instructeur],
        conditions={CACHE: lambda ids: {"champ": ids[OUI_NON], "operator": "eq", "value": "true"}},
    )
    precedent = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    dossier = factories.dossier_creer(procedure=procedure)
    tdcs = {t.libelle: t for t in dossier.revision.types_de_champ.all()}
    saisies = {**SAISIES, "dossier_link": ({}, {"": str(precedent.pk)}, str(precedent.pk))}
    posted = {}
    for key, (_options, fields, _stored) in saisies.items():
        for suffix, value in fields.items():
            posted[f"{tdcs[f'Champ {key}'].html_id}{suffix}"] = value
    # « Oui », then a number, then « Non »: the number is left in the draft but hidden at deposit.
    posted[tdcs[OUI_NON].html_id] = "true"
    posted[tdcs[CACHE].html_id] = "12"
    assert services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=_posted(posted)) == {}
    services.champs_enregistrer(dossier=dossier, user=dossier.user, posted=_posted({tdcs[OUI_NON].html_id: "false"}))
    assert Champ.objects.get(dossier=dossier, stable_id=tdcs[CACHE].stable_id).value == "12"
    assert services.dossier_deposer(dossier=dossier, user=dossier.user) == []
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.EN_CONSTRUCTION

    export, _ = export_services.export_demander(instructeur=instructeur, procedure=procedure, format="xlsx", statut="tous")
    export = export_services.export_generer(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    rows = {row["N° dossier"]: row for row in as_dicts(read(export.file.path, "xlsx")["Dossiers"])}
    row = rows[dossier.pk]

    fillable = {t.key for t in registry.all_types() if t.fillable and not t.accepts_files and not t.has_children}
    assert fillable == set(CELLULES) | set(CONTIENT) | {"dossier_link"}
    differents = {
        key: row[f"Champ {key}"] for key, cell in CELLULES.items()
        if not ((Decimal(str(row[f"Champ {key}"])) == Decimal(str(cell))) if isinstance(cell, float) else row[f"Champ {key}"] == cell)
    }
    assert differents == {}
    for key, parts in CONTIENT.items():
        for part in parts:
            assert part in row[f"Champ {key}"], (key, row[f"Champ {key}"])
    assert str(precedent.pk) in row["Champ dossier_link"]
    assert row[OUI_NON] == "Non"
    assert row[CACHE] in (None, "")
