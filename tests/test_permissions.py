"""Access policy (DESIGN.md): who sees which pilot, who may act, and that a denial changes nothing.

A user who may not see a pilot gets 404; one who sees it but may not act gets 403.
"""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Attachment, Evaluation, Pilot, ProgressReport
from cases.services import attachment_add
from contracts.models import Contract
from tests import factories as f
from workflows import scenarios as sc
from workflows.flows import PilotFlow
from workflows.models import PilotProcess, ScreeningDecision

OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


# -- helpers ---------------------------------------------------------------------------------


def _snapshot(pilot) -> dict:
    """Everything about a pilot that a denied request must leave as it was."""
    return {
        "pilot": Pilot.objects.filter(pk=pilot.pk).values().get(),
        "process": PilotProcess.objects.filter(pilot=pilot).values().get(),
        "pilot_history": Pilot.history.filter(id=pilot.pk).count(),
        "tasks": [
            (task.pk, task.flow_task.name, task.status, task.owner_id)
            for task in Task.objects.filter(process__pilotprocess__pilot=pilot).order_by("pk")
        ],
        "task_history": Task.history.filter(process_id=pilot.process.pk).count(),
        "timeline": list(pilot.timeline.values_list("pk", "text")),
        "attachments": list(Attachment.objects.filter(pilot=pilot).values_list("pk", flat=True)),
        "progress_reports": ProgressReport.objects.filter(pilot=pilot).count(),
        "evaluations": Evaluation.objects.filter(pilot=pilot).count(),
        "contract": list(Contract.objects.filter(pilot=pilot).values()),
    }


def _open_task(pilot, node_name: str) -> Task:
    return sc.open_task(pilot, node_name)


def _task_url(task: Task, action: str) -> str:
    return reverse(f"pilot:{task.flow_task.name}:{action}", args=[task.process_id, task.pk])


def _process_url(pilot, name="process_detail") -> str:
    return reverse(f"pilot:{name}", args=[pilot.process.pk])


def _refs(pilots) -> set[str]:
    return {pilot.reference for pilot in pilots}


def _pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, sc.MINIMAL_PDF, content_type="application/pdf")


def _submitted(w, company, by, title):
    return f.submit_pilot(company, by, title=title)


def _to_review(w, company, by, division, title):
    pilot = _submitted(w, company, by, title)
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, division)
    return pilot


def _to_contracting(w, company, by, division, staff, title):
    pilot = _to_review(w, company, by, division, title)
    sc.review_match(pilot, staff)
    return pilot


def _to_execution(w, company, by, division, staff, title):
    pilot = _to_contracting(w, company, by, division, staff, title)
    sc.prepare_contract(pilot, w.legal, staff)
    sc.accept_contract(pilot, by)
    sc.sign_contract(pilot, staff)
    return pilot


def _pilots(w) -> SimpleNamespace:
    """Five pilots of two companies and two divisions, at different stages."""
    a_intake = _submitted(w, w.company_a, w.company, "A intake")
    # Urban Environment declined this one before Education took it up for review.
    a_edu_review = _submitted(w, w.company_a, w.company, "A Education review")
    sc.screen(a_edu_review, w.agent)
    sc.match(a_edu_review, w.agent, w.urban)
    sc.review_match(a_edu_review, w.urban_staff, accept=False, reason="Not ours.")
    sc.match(a_edu_review, w.agent, w.edu)
    a_rejected = _submitted(w, w.company_a, w.company, "A rejected")
    sc.screen(a_rejected, w.agent, ScreeningDecision.REJECT, "Out of scope.")
    b_urban_contracting = _to_contracting(
        w, w.company_b, w.company2, w.urban, w.urban_staff, "B Urban contracting"
    )
    b_edu_execution = _to_execution(
        w, w.company_b, w.company2, w.edu, w.edu_staff, "B Education execution"
    )
    return SimpleNamespace(
        a_intake=Pilot.objects.get(pk=a_intake.pk),
        a_edu_review=Pilot.objects.get(pk=a_edu_review.pk),
        a_rejected=Pilot.objects.get(pk=a_rejected.pk),
        b_urban_contracting=Pilot.objects.get(pk=b_urban_contracting.pk),
        b_edu_execution=Pilot.objects.get(pk=b_edu_execution.pk),
    )


# -- another company ----------------------------------------------------------------------------


def test_another_company_gets_404_everywhere_on_a_pilot_and_nothing_changes(client, world):
    w = world
    # Given company A's pilot with a contract to accept and a file
    pilot = _to_contracting(w, w.company_a, w.company, w.edu, w.edu_staff, "A pilot")
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    attachment = attachment_add(pilot=pilot, by=w.company, uploaded=_pdf())
    pilot = Pilot.objects.get(pk=pilot.pk)
    accept = _open_task(pilot, "accept_contract")
    prepared = Task.objects.get(process=pilot.process, flow_task=PilotFlow.prepare_contract)
    before = _snapshot(pilot)
    ref = pilot.reference

    # When company B's user tries every page and action of it
    client.force_login(w.company2)
    gets = [
        f"/pilots/{ref}/",
        f"/pilots/{ref}/attachments/{attachment.pk}/",
        f"/pilots/{ref}/contract/",
        _process_url(pilot),
        _process_url(pilot, "process_chart"),
        _task_url(accept, "index"),
        _task_url(accept, "detail"),
        _task_url(accept, "assign"),
        _task_url(accept, "execute"),
        _task_url(prepared, "detail"),
    ]
    posts = [
        (_task_url(accept, "assign"), {}),
        (_task_url(accept, "execute"), {"accept": "1", "comment": ""}),
        (_task_url(accept, "unassign"), {}),
        (_task_url(accept, "cancel"), {}),
        (_task_url(prepared, "undo"), {}),
        (_process_url(pilot, "process_cancel"), {}),
        (f"/pilots/{ref}/withdraw/", {"reason": "Not mine."}),
        (f"/pilots/{ref}/cancel/", {"reason": "Not mine."}),
        (f"/pilots/{ref}/notes/", {"text": "Hello", "visible_to_company": "on"}),
        (f"/pilots/{ref}/milestones/", {"text": "Done", "visible_to_company": "on"}),
        (f"/pilots/{ref}/progress/", {"period_end": "2027-04-30", "progress": "Fine."}),
        (f"/pilots/{ref}/attachments/", {"file": _pdf(), "description": "x"}),
    ]

    # Then every answer is 404 and nothing changed
    assert [(url, client.get(url).status_code) for url in gets] == [(url, 404) for url in gets]
    assert [(url, client.post(url, data).status_code) for url, data in posts] == [
        (url, 404) for url, _data in posts
    ]
    assert _snapshot(pilot) == before


def test_a_company_user_sees_its_own_pilot_and_takes_its_task(client, world):
    w = world
    # Given company A's pilot with a contract to accept
    pilot = _to_contracting(w, w.company_a, w.company, w.edu, w.edu_staff, "A pilot")
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    accept = _open_task(pilot, "accept_contract")

    # When company A's user opens it and claims the task
    client.force_login(w.company)
    page = client.get(f"/pilots/{pilot.reference}/")
    contract = client.get(f"/pilots/{pilot.reference}/contract/")
    assign = client.post(_task_url(accept, "assign"))

    # Then they see it and the task is theirs
    assert (page.status_code, contract.status_code, assign.status_code) == (200, 200, 302)
    accept.refresh_from_db()
    assert (accept.status, accept.owner) == (STATUS.ASSIGNED, w.company)


def test_company_user_cannot_take_the_agents_screening_task(client, world):
    w = world
    # Given the company's own pilot waiting for screening
    pilot = f.submit_pilot(w.company_a, w.company)
    screen = _open_task(pilot, "screen")
    before = _snapshot(pilot)

    # When the company user tries to claim or execute the screening task
    client.force_login(w.company)
    assign = client.post(_task_url(screen, "assign"))
    execute = client.post(_task_url(screen, "execute"), {"decision": "accept"})

    # Then both are forbidden (they see the pilot) and nothing changed
    assert (assign.status_code, execute.status_code) == (403, 403)
    assert _snapshot(pilot) == before


def test_agent_takes_the_screening_task(client, world):
    w = world
    pilot = f.submit_pilot(w.company_a, w.company)
    screen = _open_task(pilot, "screen")

    client.force_login(w.agent)
    response = client.post(_task_url(screen, "assign"))

    assert response.status_code == 302
    screen.refresh_from_db()
    assert (screen.status, screen.owner) == (STATUS.ASSIGNED, w.agent)


# -- another division -------------------------------------------------------------------------


def test_other_division_gets_404_on_an_education_pilot_and_does_not_list_it(client, world):
    w = world
    # Given an Education pilot waiting for Education's review
    pilot = _to_review(w, w.company_a, w.company, w.edu, "Education pilot")
    review = _open_task(pilot, "review_match")
    before = _snapshot(pilot)
    ref = pilot.reference

    # When Urban Environment staff try its pages and task, and read their lists
    client.force_login(w.urban_staff)
    statuses = [
        client.get(f"/pilots/{ref}/").status_code,
        client.get(_process_url(pilot)).status_code,
        client.get(_task_url(review, "detail")).status_code,
        client.get(_task_url(review, "assign")).status_code,
        client.post(_task_url(review, "assign")).status_code,
        client.post(_task_url(review, "execute"), {"accept": "0", "reason": "x"}).status_code,
        client.post(f"/pilots/{ref}/notes/", {"text": "Hi"}).status_code,
    ]
    pilot_list = client.get("/pilots/")
    queue = client.get("/workflow/pilot/queue/")

    # Then they get 404 everywhere, see it in no list, and nothing changed
    assert statuses == [404] * 7
    assert (pilot_list.status_code, queue.status_code) == (200, 200)
    assert _refs(pilot_list.context["page"]) == set()
    assert list(queue.context["object_list"]) == []
    assert ref not in pilot_list.content.decode()
    assert ref not in queue.content.decode()
    assert _snapshot(pilot) == before


def test_division_staff_see_and_take_their_divisions_review(client, world):
    w = world
    # Given an Education pilot waiting for Education's review
    pilot = _to_review(w, w.company_a, w.company, w.edu, "Education pilot")
    review = _open_task(pilot, "review_match")

    # When Education staff read their queue and claim the task
    client.force_login(w.edu_staff)
    queue = client.get("/workflow/pilot/queue/")
    page = client.get(f"/pilots/{pilot.reference}/")
    assign = client.post(_task_url(review, "assign"))

    # Then the task is in their queue and becomes theirs
    assert [task.pk for task in queue.context["object_list"]] == [review.pk]
    assert pilot.reference in queue.content.decode()
    assert (page.status_code, assign.status_code) == (200, 302)
    assert assign.url == _task_url(review, "execute")
    review.refresh_from_db()
    assert (review.status, review.owner) == (STATUS.ASSIGNED, w.edu_staff)


# -- managers -----------------------------------------------------------------------------------


def _pilot_at_every_task(w) -> list[Pilot]:
    """One pilot with an open task at each human node of PilotFlow."""
    a, company, edu, staff = w.company_a, w.company, w.edu, w.edu_staff
    screen = _submitted(w, a, company, "screen")
    info = _submitted(w, a, company, "request_information")
    sc.screen(info, w.agent, ScreeningDecision.REQUEST_INFORMATION, "More, please.")
    match = _submitted(w, a, company, "match")
    sc.screen(match, w.agent)
    review = _to_review(w, a, company, edu, "review_match")
    prepare = _to_contracting(w, a, company, edu, staff, "prepare_contract")
    accept = _to_contracting(w, a, company, edu, staff, "accept_contract")
    sc.prepare_contract(accept, w.legal, staff)
    sign = _to_contracting(w, a, company, edu, staff, "sign_contract")
    sc.prepare_contract(sign, w.legal, staff)
    sc.accept_contract(sign, company)
    run = _to_execution(w, a, company, edu, staff, "run_pilot")
    evaluate = _to_execution(w, a, company, edu, staff, "evaluate")
    sc.run_pilot(evaluate, w.agent)
    decide = _to_execution(w, a, company, edu, staff, "decide_scaling")
    sc.run_pilot(decide, w.agent)
    sc.evaluate(decide, company, "company")
    sc.evaluate(decide, staff, "division")
    pilots = [screen, info, match, review, prepare, accept, sign, run, evaluate, decide]
    return [Pilot.objects.get(pk=pilot.pk) for pilot in pilots]


def test_manager_reads_every_pilot_but_may_not_take_any_task_or_act(client, world):
    w = world
    # Given a pilot at every human node (evaluation has two open tasks)
    pilots = _pilot_at_every_task(w)
    tasks = list(
        Task.objects.filter(
            process__pilotprocess__pilot__in=pilots, flow_task_type="HUMAN", status__in=OPEN
        ).order_by("pk")
    )
    assert sorted(task.flow_task.name for task in tasks) == sorted(
        [
            "screen",
            "request_information",
            "match",
            "review_match",
            "prepare_contract",
            "accept_contract",
            "sign_contract",
            "run_pilot",
            "evaluate_company",
            "evaluate_division",
            "decide_scaling",
        ]
    )
    before = [_snapshot(pilot) for pilot in pilots]

    # When the manager reads each pilot and tries to claim each task
    client.force_login(w.manager)
    pages = [client.get(f"/pilots/{pilot.reference}/") for pilot in pilots]
    assigns = [client.post(_task_url(task, "assign")).status_code for task in tasks]
    actions = [
        client.post(f"/pilots/{pilot.reference}/{action}/", data).status_code
        for pilot in pilots[:1] + pilots[7:8]
        for action, data in [
            ("cancel", {"reason": "Managers change nothing."}),
            ("notes", {"text": "A note."}),
            ("milestones", {"text": "A milestone."}),
            ("withdraw", {"reason": ""}),
            ("progress", {"period_end": "2027-04-30", "progress": "Fine."}),
            ("attachments", {"file": _pdf(), "description": ""}),
        ]
    ]

    # Then every page reads, every claim and action is forbidden, and nothing changed
    assert [page.status_code for page in pages] == [200] * 10
    assert assigns == [403] * 11
    assert actions == [403] * 12
    for page in pages:
        context = page.context
        flags = [
            context[name]
            for name in (
                "can_withdraw",
                "can_cancel",
                "can_add_note",
                "can_record_milestone",
                "can_report_progress",
                "can_upload",
            )
        ]
        assert flags == [False] * 6
        assert [(t.can_assign, t.can_execute) for t in context["open_tasks"]] == [
            (False, False)
        ] * len(context["open_tasks"])
        html = page.content.decode()
        # only the forms of the page frame: the language switcher and log-out
        assert html.count("<form") == 2
        assert html.count('<form class="language-switcher"') == 1
        assert 'action="/accounts/logout/"' in html
        assert "Claim the task" not in html
    assert [_snapshot(pilot) for pilot in pilots] == before


# -- legal --------------------------------------------------------------------------------------


def test_legal_does_not_see_a_pilot_before_contracting_and_does_after(client, world):
    w = world
    # Given a pilot waiting for the division's review
    pilot = _to_review(w, w.company_a, w.company, w.edu, "Education pilot")
    review = _open_task(pilot, "review_match")
    before = _snapshot(pilot)

    # When legal staff try it before contracting
    client.force_login(w.legal)
    early = [
        client.get(f"/pilots/{pilot.reference}/").status_code,
        client.get(_process_url(pilot)).status_code,
        client.post(_task_url(review, "assign")).status_code,
    ]

    # Then it is hidden and nothing changed
    assert early == [404, 404, 404]
    assert _snapshot(pilot) == before

    # When Education accepts the match, legal sees it and takes the contract task
    sc.review_match(pilot, w.edu_staff)
    prepare = _open_task(pilot, "prepare_contract")
    page = client.get(f"/pilots/{pilot.reference}/")
    process = client.get(_process_url(pilot))
    assign = client.post(_task_url(prepare, "assign"))

    assert (page.status_code, assign.status_code) == (200, 302)
    # Viewflow's process page is the pilot's page
    assert (process.status_code, process.url) == (302, f"/pilots/{pilot.reference}/")
    prepare.refresh_from_db()
    assert (prepare.status, prepare.owner) == (STATUS.ASSIGNED, w.legal)


# -- task URLs must match their process (RELIABILITY F9) ----------------------------------------


def test_task_url_with_another_process_id_is_404(client, world):
    w = world
    # Given two pilots the agent sees, each waiting for screening
    first = f.submit_pilot(w.company_a, w.company, title="First")
    second = f.submit_pilot(w.company_a, w.company, title="Second")
    task = _open_task(first, "screen")
    before = [_snapshot(first), _snapshot(second)]

    # When the agent uses the first pilot's task under the second pilot's process id
    client.force_login(w.agent)
    wrong = [second.process.pk, task.pk]
    statuses = [
        client.get(reverse("pilot:screen:detail", args=wrong)).status_code,
        client.post(reverse("pilot:screen:assign", args=wrong)).status_code,
        client.post(
            reverse("pilot:screen:execute", args=wrong), {"decision": "accept"}
        ).status_code,
    ]

    # Then every answer is 404 and nothing changed
    assert statuses == [404, 404, 404]
    assert [_snapshot(first), _snapshot(second)] == before


def test_task_url_naming_another_node_is_404(client, world):
    w = world
    # Given a pilot waiting for screening, which the agent may screen
    pilot = f.submit_pilot(w.company_a, w.company)
    task = _open_task(pilot, "screen")
    before = _snapshot(pilot)

    # When the agent uses the screening task under the match node's URLs
    client.force_login(w.agent)
    args = [task.process_id, task.pk]
    statuses = [
        client.get(reverse("pilot:match:detail", args=args)).status_code,
        client.post(reverse("pilot:match:assign", args=args)).status_code,
        client.post(
            reverse("pilot:match:execute", args=args),
            {"theme": f.theme().pk, "division": w.edu.pk},
        ).status_code,
    ]

    # Then every answer is 404 and nothing changed (the match form must never execute the
    # screening task: that ended the process as rejected while the pilot stayed open)
    assert statuses == [404, 404, 404]
    assert _snapshot(pilot) == before


# -- list pages ---------------------------------------------------------------------------------


# Which of the pilots of `_pilots` each role sees.
VISIBLE = {
    "agent": {"a_intake", "a_edu_review", "a_rejected", "b_urban_contracting", "b_edu_execution"},
    "manager": {"a_intake", "a_edu_review", "a_rejected", "b_urban_contracting", "b_edu_execution"},
    "edu_staff": {"a_edu_review", "b_edu_execution"},
    "urban_staff": {"b_urban_contracting"},
    "company": {"a_intake", "a_edu_review", "a_rejected"},
    "company2": {"b_urban_contracting", "b_edu_execution"},
    "legal": {"b_urban_contracting", "b_edu_execution"},
}


def _expected_refs(pilots, names) -> set[str]:
    return {getattr(pilots, name).reference for name in names}


def test_pilot_list_shows_exactly_the_pilots_each_role_sees(client, world):
    w = world
    # Given pilots of two companies and two divisions at different stages
    pilots = _pilots(w)
    everything = _refs(vars(pilots).values())

    # When each role opens /pilots/
    listed, named = {}, {}
    for role in VISIBLE:
        client.force_login(getattr(w, role))
        response = client.get("/pilots/")
        assert response.status_code == 200
        listed[role] = _refs(response.context["page"])
        named[role] = {ref for ref in everything if ref in response.content.decode()}

    # Then each sees exactly their pilots, and no other reference is on the page
    expected = {role: _expected_refs(pilots, names) for role, names in VISIBLE.items()}
    assert listed == expected
    assert named == expected


TASK_LISTS = ["/workflow/pilot/queue/", "/workflow/pilot/inbox/", "/workflow/pilot/archive/"]
OVERVIEWS = ["/workflow/pilot/", "/workflow/pilot/flows/", "/workflow/pilot/tasks/"]
STAFF = ["edu_staff", "urban_staff", "legal"]
COMPANIES = ["company", "company2"]


def test_viewflow_pages_never_show_a_pilot_the_user_does_not_see(client, world):
    w = world
    # Given pilots of two companies and two divisions at different stages
    pilots = _pilots(w)
    everything = _refs(vars(pilots).values())

    # When division staff, legal staff and company users open Viewflow's dashboard, queue,
    # inbox, archive, process list and task list
    statuses, leaks, processes, tasks = {}, {}, {}, {}
    for role in STAFF + COMPANIES:
        client.force_login(getattr(w, role))
        hidden = everything - _expected_refs(pilots, VISIBLE[role])
        for url in TASK_LISTS + OVERVIEWS:
            response = client.get(url)
            statuses[role, url] = response.status_code
            leaks[role, url] = sorted(ref for ref in hidden if ref in response.content.decode())
            if role in STAFF and url == "/workflow/pilot/flows/":
                processes[role] = {p.pilot.reference for p in response.context["object_list"]}
            if role in STAFF and url == "/workflow/pilot/tasks/":
                tasks[role] = {
                    t.process.pilotprocess.pilot.reference for t in response.context["object_list"]
                }

    # Then no page names a pilot the user does not see; the overviews are for staff only
    assert statuses == {
        (role, url): 403 if role in COMPANIES and url in OVERVIEWS else 200
        for role in STAFF + COMPANIES
        for url in TASK_LISTS + OVERVIEWS
    }
    assert leaks == {key: [] for key in statuses}
    # and the staff's process and task lists show exactly their pilots
    expected = {role: _expected_refs(pilots, VISIBLE[role]) for role in STAFF}
    assert processes == expected
    assert tasks == expected
