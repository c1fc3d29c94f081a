"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (reading the confirmation e-mail, checking states) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris", "viewport": {"width": 1280, "height": 900}}


class Checker:
    """Runs axe-core on every page a journey visits and keeps a screenshot of it."""

    def __init__(self, page, name):
        self.page = page
        self.name = name
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, label: str):
        self.page.wait_for_load_state("networkidle")
        self.count += 1
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{self.count:02d}-{label}.png"), full_page=True)
        self.page.add_script_tag(path=str(AXE_SCRIPT))
        result = self.page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
        violations = [v for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3]) for v in violations
        ]
        assert not violations, f"axe-core sur « {label} » ({self.page.url}) :\n" + "\n".join(details)


@pytest.fixture
def check_page(page, request):
    return Checker(page, request.node.name)


@pytest.fixture
def live_url(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url
