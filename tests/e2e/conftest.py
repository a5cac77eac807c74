"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Run by `make test-e2e` (marked `browser`; `make test` leaves them out). Screenshots go to
var/e2e/screenshots/, and the axe-core results are summarised at the end of the run.
"""

import json
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (building
# the users, reading a task's id) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "e2e" / "screenshots"
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("KOKEILU_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
AXE_RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make test-e2e installs it)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.csp_violations = []
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    yield page
    context.close()


def pytest_terminal_summary(terminalreporter):
    if not AXE_RESULTS:
        return
    terminalreporter.write_sep("=", "axe-core (WCAG 2.1 A/AA)")
    total = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for name, result in AXE_RESULTS.items():
        counts = result["counts"]
        for impact in total:
            total[impact] += counts.get(impact, 0)
        terminalreporter.write_line(
            f"  {name:14} {result['url']:45} passes {result['passes']:3}  "
            + "  ".join(f"{impact} {counts.get(impact, 0)}" for impact in total)
            + (f"  [{', '.join(result['rules'])}]" if result["rules"] else "")
        )
    terminalreporter.write_line(
        f"  pages {len(AXE_RESULTS)}: "
        + ", ".join(f"{impact} {count}" for impact, count in total.items())
    )
    (SCREENSHOTS.parent / "axe.json").write_text(json.dumps(AXE_RESULTS, indent=2))
