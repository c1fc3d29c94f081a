"""The printed schema is committed and up to date; every difference from the reference is documented."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from demarches.api.graphql import champs as api_champs
from demarches.api.management.commands.api_schema import SCHEMA_PATH, printed_schema
from demarches.fields import registry

from .schema_diff import differences

REFERENCE = Path(__file__).with_name("reference_schema.graphql")
DIFFERENCES_DOC = Path(settings.BASE_DIR) / "docs" / "api" / "differences.md"


def test_committed_schema_is_up_to_date():
    # Given the schema printed from the code, when compared with docs/api/schema.graphql
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    # Then they are identical (otherwise run `manage.py api_schema`)
    assert committed == printed_schema(), "docs/api/schema.graphql est périmé : lancez « manage.py api_schema »."


def test_api_schema_command_writes_and_checks(tmp_path):
    target = tmp_path / "schema.graphql"
    call_command("api_schema", path=str(target))
    assert target.read_text(encoding="utf-8") == printed_schema()
    call_command("api_schema", path=str(target), check=True)
    target.write_text("type Query { périmé: Int }\n", encoding="utf-8")
    try:
        call_command("api_schema", path=str(target), check=True)
    except Exception as error:  # CommandError
        assert "pas à jour" in str(error)
    else:
        raise AssertionError("--check aurait dû échouer sur un schéma périmé")


def documented_differences() -> list[str]:
    text = DIFFERENCES_DOC.read_text(encoding="utf-8")
    section = text.split("## Liste des différences", 1)[1]
    return re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE)


def test_differences_are_documented():
    # Given our printed schema and the reference's signatures
    found = differences(printed_schema(), REFERENCE.read_text(encoding="utf-8"))
    documented = documented_differences()
    # Then docs/api/differences.md lists exactly the differences, each once
    assert len(documented) == len(set(documented))
    undocumented = sorted(set(found) - set(documented))
    stale = sorted(set(documented) - set(found))
    assert not undocumented, f"Différences à expliquer dans docs/api/differences.md : {undocumented}"
    assert not stale, f"Différences qui n'existent plus, à retirer de docs/api/differences.md : {stale}"


def test_differences_detects_a_changed_signature():
    reference = "type Dossier { number: Int! state: DossierState! }\nenum DossierState { accepte refuse }"
    ours = "type Dossier { number: String! extra: Int }\nenum DossierState { accepte }"
    assert sorted(differences(ours, reference)) == [
        "Dossier.extra: added",
        "Dossier.number: type String! instead of Int!",
        "Dossier.state: missing",
        "DossierState.refuse: missing",
    ]


def test_every_registered_field_type_has_an_api_type():
    # A new field type must choose its GraphQL champ type in demarches/api/graphql/champs.py.
    missing = sorted(t.key for t in registry.all_types() if t.key not in api_champs.CHAMP_BUILDERS)
    assert not missing, f"Types de champ sans type GraphQL dans CHAMP_BUILDERS : {missing}"


def test_plain_fields_skip_the_resolver_wrapper():
    from demarches.api.graphql.schema import PLAIN_FIELDS

    # Champ values, files, profiles…: dozens of plain attribute fields are read directly.
    assert PLAIN_FIELDS > 100
