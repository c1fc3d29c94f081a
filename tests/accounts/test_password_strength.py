"""The live indicator (static/js/password-strength.js) and the server rule give the same score."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from demarches.accounts import password_strength

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "password-strength.js"
SAMPLES = [
    "",
    "a",
    "bonjour",
    "aaaaaaaaaaaa",
    "azerty123456",
    "abcd1234efgh",
    "motdepasse12",
    "Court-1!",
    "Soleil2026!",
    "Jardin-Tulipe-Orage-58",
    "cheval-lampe-nuage",
    "Étoile-Filante-7",
    "correct horse battery staple",
    "QWERTYUIOPqwertyuiop",
    "١٢٣٤٥٦٧٨٩٠ab",
    "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂",
    "Un-mot-de-passe-solide-2026",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is needed to run the indicator's script")
def test_javascript_score_mirrors_python():
    # Given the script, run with the thresholds the page gives it and with its own defaults
    config = password_strength.indicator_config()
    program = (
        f"const s = require({json.dumps(str(SCRIPT))});"
        f"const thresholds = {json.dumps(config['thresholds'])}.split(',').map(Number);"
        f"const samples = {json.dumps(SAMPLES)};"
        "console.log(JSON.stringify({"
        "  page: samples.map(p => s.score(p, thresholds)),"
        "  defaults: samples.map(p => s.score(p)),"
        "  config: s.DEFAULTS,"
        "  texts: samples.map(p => s.describe(p, s.DEFAULTS).text)"
        "}));"
    )
    result = json.loads(subprocess.run(["node", "-e", program], capture_output=True, text=True, check=True).stdout)

    # Then every sample gets the same score as on the server
    expected = [password_strength.score(p) for p in SAMPLES]
    assert result["page"] == expected
    assert result["defaults"] == expected
    assert result["config"] == {
        "thresholds": list(password_strength.THRESHOLDS),
        "minScore": password_strength.MIN_SCORE,
        "minLength": password_strength.min_length(),
        "labels": password_strength.LABELS,
    }
    assert result["texts"][SAMPLES.index("azerty123456")].startswith("Robustesse du mot de passe : Très faible.")
    assert "Encore 4 caractères au minimum." in result["texts"][SAMPLES.index("Court-1!")]
    assert "suffisamment solide" in result["texts"][SAMPLES.index("Jardin-Tulipe-Orage-58")]


def test_labels():
    assert password_strength.label("") == "Très faible"
    assert password_strength.label("Jardin-Tulipe-Orage-58") == "Très fort"


def test_validator_refuses_weak_and_short_passwords():
    with pytest.raises(ValidationError) as error:
        validate_password("azerty123456")
    assert "password_too_weak" in [e.code for e in error.value.error_list]
    with pytest.raises(ValidationError) as error:
        validate_password("Court-1!")
    assert "password_too_short" in [e.code for e in error.value.error_list]
    validate_password("Jardin-Tulipe-Orage-58")


def test_page_gives_the_indicator_the_server_rules(client, db):
    page = client.get("/comptes/signup/").content.decode()
    assert 'data-thresholds="28,40,60,80" data-min-score="3" data-min-length="12"' in page
    assert 'data-labels="Très faible|Faible|Moyen|Fort|Très fort"' in page
    assert 'aria-live="polite"' in page
    assert '<script src="/static/js/password-strength.js" defer></script>' in page
