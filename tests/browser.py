"""What browser journeys share: Debian's Chromium, axe-core, screenshots to look at."""

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


class Checker:
    """Runs axe-core on every page a journey visits and keeps a screenshot of it."""

    def __init__(self, page, name):
        self.page = page
        self.name = name.replace("[chromium]", "")
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
            f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"][0]) for n in v["nodes"][:3])
            for v in violations
        ]
        assert not violations, f"axe-core sur « {label} » ({self.page.url}) :\n" + "\n".join(details)


def cocher(input_locator):
    """Tick a DSFR radio or checkbox through its label, as a user does, and check that it is ticked.
    The input itself is drawn by its label: a forced click on it could land elsewhere when an
    autosave answer moves the page meanwhile."""
    from playwright.sync_api import expect

    input_id = input_locator.get_attribute("id")
    input_locator.page.locator(f'label[for="{input_id}"]').click()
    expect(input_locator).to_be_checked()


def login(page, live_url, user):
    """The browser logged in as this user, without the login form (journeys that are not about it)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_url}])


def televerser(file_input, files):
    """Choose files in a file input that uploads on its own (hx-post), once htmx has wired it.
    A block swapped in by htmx is wired when it settles, a moment after it appears: a file chosen in
    between would change nothing."""
    file_input.page.wait_for_function("input => !input.closest('.htmx-added')", arg=file_input.element_handle())
    file_input.set_input_files(files)
