"""One pilot carried through its whole lifecycle in the browser, each role logging in and
clicking through its pages; axe-core checks the key pages and no page breaks the
Content-Security-Policy."""

import datetime
import re

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task

from cases.models import Pilot, Stage
from tests import factories as f
from workflows.flows import PilotFlow

from .conftest import AXE_JS, AXE_RESULTS, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kokeilu-test"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__csp || []") + [
        text for text in page.console_errors if "Content Security Policy" in text
    ]


def axe(page, name: str) -> dict:
    """Run axe-core on the page (evaluated through the browser's protocol, so the page's CSP
    does not block it) and keep the summary."""
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    counts: dict[str, int] = {}
    rules = []
    for violation in result["violations"]:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + len(violation["nodes"])
        rules.append(f"{violation['id']}:{violation['impact']}")
    AXE_RESULTS[name] = {
        "url": page.url.split("://", 1)[1].split("/", 1)[1][:44],
        "passes": len(result["passes"]),
        "counts": counts,
        "rules": rules,
        "details": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ],
    }
    return AXE_RESULTS[name]


def assert_accessible(page, name: str) -> None:
    result = axe(page, name)
    shot(page, name)
    blocking = [d for d in result["details"] if d["impact"] in ("serious", "critical")]
    assert blocking == []
    assert csp_violations(page) == []


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, username


def open_task(pilot: Pilot, node) -> Task:
    return Task.objects.filter(process__pilotprocess__pilot=pilot, flow_task=node).latest("pk")


def take_and_open(page, live_server, pilot: Pilot, node) -> None:
    """From the user's queue: claim the task on its confirmation page, which leads on to the
    task's form."""
    task = open_task(pilot, node)
    page.goto(f"{live_server.url}{reverse('pilot:queue')}")
    assign = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
    page.goto(f"{live_server.url}{assign}")
    page.click("main form button[type=submit], form button[type=submit] >> nth=-1")
    page.wait_for_url(re.compile(r".*/execute/$"))


def submit_task(page) -> None:
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert "/execute/" not in page.url, page.locator(".errorlist").all_inner_texts()


def test_a_pilot_from_proposal_to_scaling_decision(live_server, page):
    page.add_init_script(CSP_LISTENER)
    # given the city's staff and a company with one user, all with passwords
    edu = f.division("education")
    company = f.CompanyFactory(name="Oppimisratkaisut Oy")
    f.make_company_user(company, "company")
    f.make_agent()
    f.make_legal()
    f.make_division_staff(edu, "edu")
    theme = f.theme()

    # the login page
    visit(page, f"{live_server.url}/accounts/login/")
    assert_accessible(page, "login")

    # the public registry and the accessibility statement, without logging in
    visit(page, f"{live_server.url}{reverse('registry:list')}")
    assert_accessible(page, "registry")
    page.click("footer a[href='/accessibility/']")
    assert page.locator("h1").inner_text() == "Accessibility statement"
    shot(page, "accessibility")

    # the company submits a proposal
    log_in(page, live_server, "company")
    visit(page, f"{live_server.url}{reverse('cases:portal')}")
    assert_accessible(page, "portal")
    visit(page, f"{live_server.url}{reverse('cases:proposal_new')}")
    assert_accessible(page, "proposal")
    start = datetime.date.today() + datetime.timedelta(days=60)
    page.fill("[name=title]", "Learning analytics for schools")
    page.fill("[name=summary]", "Anonymous learning analytics in two schools.")
    page.fill("[name=need]", "Teachers need to see where pupils get stuck.")
    page.fill("[name=solution]", "A dashboard fed by the learning platform.")
    page.select_option("[name=theme]", str(theme.pk))
    page.fill("[name=planned_start]", start.isoformat())
    page.fill("[name=planned_end]", (start + datetime.timedelta(days=180)).isoformat())
    page.fill("[name=cost_to_city]", "0")
    page.fill("[name=expected_impact]", "Pupils get help sooner.")
    page.fill("[name=kpis]", "Time to help; teacher satisfaction.")
    page.fill("[name=contact_name]", "Maija Meikäläinen")
    page.fill("[name=contact_email]", "maija@example.com")
    page.click("main form button[type=submit] >> nth=-1")
    page.wait_for_url(re.compile(r".*/pilots/PIL-\d{4}-\d{4}/$"))
    pilot = Pilot.objects.get(title="Learning analytics for schools")
    assert pilot.stage == Stage.INTAKE
    assert_accessible(page, "pilot")

    # the agent screens and matches it
    log_in(page, live_server, "agent")
    visit(page, f"{live_server.url}{reverse('pilot:inbox')}")
    assert_accessible(page, "inbox")
    take_and_open(page, live_server, pilot, PilotFlow.screen)
    page.check("input[name=decision][value=accept]")
    shot(page, "screen")
    submit_task(page)
    take_and_open(page, live_server, pilot, PilotFlow.match)
    page.select_option("[name=theme]", str(theme.pk))
    page.select_option("[name=division]", str(edu.pk))
    submit_task(page)

    # the division reviews the match
    log_in(page, live_server, "edu")
    take_and_open(page, live_server, pilot, PilotFlow.review_match)
    page.check("input[name=accept][value='1']")
    page.select_option("[name=contact]", index=1)
    page.fill("[name=site]", "Kalasataman koulu")
    submit_task(page)

    # legal prepares the contract
    log_in(page, live_server, "legal")
    take_and_open(page, live_server, pilot, PilotFlow.prepare_contract)
    without = page.locator("[name=template_version] option", has_text="without compensation")
    page.select_option("[name=template_version]", without.first.get_attribute("value"))
    page.fill("[name=period_start]", start.isoformat())
    page.fill("[name=period_end]", (start + datetime.timedelta(days=180)).isoformat())
    page.fill("[name=ipr_terms]", "The company keeps its rights.")
    page.fill("[name=data_handling]", "Pseudonymised data only.")
    page.select_option("[name=division_signatory]", index=1)
    shot(page, "prepare_contract")
    submit_task(page)

    # the company accepts it
    log_in(page, live_server, "company")
    take_and_open(page, live_server, pilot, PilotFlow.accept_contract)
    page.check("input[name=accept][value='1']")
    submit_task(page)

    # the division signs it
    log_in(page, live_server, "edu")
    take_and_open(page, live_server, pilot, PilotFlow.sign_contract)
    page.check("input[name=confirm]")
    submit_task(page)
    pilot.refresh_from_db()
    assert pilot.stage == Stage.EXECUTION

    # the company reports progress on the pilot's page
    log_in(page, live_server, "company")
    page.goto(f"{live_server.url}{pilot.get_absolute_url()}")
    progress = page.locator(
        f"form[action='{reverse('cases:pilot_progress_report', args=[pilot.reference])}']"
    )
    page.click("summary:has-text('Report progress')")
    progress.locator("[name=period_end]").fill(datetime.date.today().isoformat())
    progress.locator("[name=progress]").fill("Both schools use the dashboard.")
    progress.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert pilot.progress_reports.count() == 1

    # the agent closes the execution
    log_in(page, live_server, "agent")
    take_and_open(page, live_server, pilot, PilotFlow.run_pilot)
    page.fill("[name=summary]", "The pilot period ended as planned.")
    submit_task(page)

    # both evaluate
    for username, node in (
        ("company", PilotFlow.evaluate_company),
        ("edu", PilotFlow.evaluate_division),
    ):
        log_in(page, live_server, username)
        take_and_open(page, live_server, pilot, node)
        for field in ("goal_achievement", "user_feedback", "technical_readiness", "scalability"):
            page.check(f"input[name={field}][value='4']")
        page.fill("[name=user_feedback_summary]", "Teachers liked it.")
        page.fill("[name=measured_kpis]", "Help came two days sooner.")
        page.fill("[name=lessons_learned]", "Involve the teachers from the first week.")
        submit_task(page)

    # the division decides on scaling
    log_in(page, live_server, "edu")
    take_and_open(page, live_server, pilot, PilotFlow.decide_scaling)
    page.check("input[name=decision][value=scale_city]")
    page.fill("[name=rationale]", "The results met the goals set for the pilot.")
    page.check("input[name=grant_reference]")
    shot(page, "decide_scaling")
    submit_task(page)

    # then the pilot is closed as scaled, and its page shows it
    pilot.refresh_from_db()
    assert pilot.stage == Stage.CLOSED
    assert pilot.process.status == "DONE"
    page.goto(f"{live_server.url}{pilot.get_absolute_url()}")
    shot(page, "pilot_closed")
    assert csp_violations(page) == []

    # and anyone can verify the company's reference for the pilot, without logging in
    stamp = getattr(Pilot.objects.get(pk=pilot.pk), "stamp", None)
    assert stamp is not None
    page.context.clear_cookies()
    visit(page, f"{live_server.url}{reverse('verify', args=[stamp.code])}")
    assert pilot.reference in page.inner_text("main")
    assert_accessible(page, "verification")
