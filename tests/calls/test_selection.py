"""Selection: the agent proposes, the division approves; exactly the chosen applications become
pilots in PilotFlow, matched to the call's division; the others are told, with the reviewers'
feedback and without their names."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from calls import scenarios
from calls.models import Application, ApplicationNotice, Call, ReviewAssignment
from cases.models import Pilot, Stage
from workflows.flows import PilotFlow
from workflows.models import PilotProcess

PLAN = {
    "Waste scales": ([3, 3], [4, 2]),
    "Menu planner": ([5, 4], [5, 5]),
    "Compost bins": ([1, 5], [2, 2]),
}


@pytest.fixture
def reviewed(world, in_review, expert):
    for title, (expert_values, edu_values) in PLAN.items():
        for reviewer, values in ((expert, expert_values), (world.edu_staff, edu_values)):
            assignment = ReviewAssignment.objects.get(application__title=title, reviewer=reviewer)
            scenarios.score(
                assignment,
                values,
                [f"{reviewer.username} on impact of {title}.", f"Feasibility of {title}."],
            )
    return in_review


def test_selection_creates_exactly_the_chosen_pilots_matched_to_the_division(
    world, reviewed, expert
):
    # given the agent proposes the two best
    chosen = list(Application.objects.filter(title__in=["Menu planner", "Waste scales"]))
    scenarios.propose(reviewed, world.agent, chosen)
    assert Pilot.objects.count() == 0
    # when the Education staff approves
    scenarios.decide(reviewed, world.edu_staff, approve=True)
    # then exactly two pilots exist, one per chosen application, with its content
    pilots = Pilot.objects.order_by("reference")
    assert sorted(p.title for p in pilots) == ["Menu planner", "Waste scales"]
    for pilot in pilots:
        application = Application.objects.get(pilot=pilot)
        assert (pilot.company_id, pilot.division, pilot.theme, pilot.stage) == (
            application.company_id,
            world.edu,
            reviewed.theme,
            Stage.MATCHING,
        )
        assert (pilot.summary, pilot.need, pilot.cost_to_city, pilot.contact_email) == (
            application.summary,
            application.need,
            application.cost_to_city,
            application.contact_email,
        )
        # with history by the approver, and the process waiting for the division's review
        assert [(h.history_type, h.history_user) for h in pilot.history.all()] == [
            ("+", world.edu_staff)
        ]
        process = PilotProcess.objects.get(pilot=pilot)
        assert process.screening_decision == "accept"
        assert [
            (t.flow_task, t.status) for t in Task.objects.filter(process=process).order_by("pk")
        ] == [(PilotFlow.start_from_call, STATUS.DONE), (PilotFlow.review_match, STATUS.NEW)]
        assert application.status == "selected"
        assert [n.kind for n in application.notices.all()] == [
            ApplicationNotice.Kind.SUBMITTED,
            ApplicationNotice.Kind.SELECTED,
        ]
    # and the edu staff member may take the review of the match
    review_match = Task.objects.filter(flow_task=PilotFlow.review_match).first()
    assert PilotFlow.review_match.can_assign(world.edu_staff, review_match) is True
    assert PilotFlow.review_match.can_assign(world.urban_staff, review_match) is False
    # and the call is decided, its process done
    reviewed.refresh_from_db()
    assert (reviewed.status, reviewed.process.status) == (Call.Status.DECIDED, STATUS.DONE)


def test_the_others_get_a_notice_with_feedback_without_reviewer_names(world, reviewed, expert):
    # given a selection of two, approved
    chosen = list(Application.objects.filter(title__in=["Menu planner", "Waste scales"]))
    scenarios.propose(reviewed, world.agent, chosen)
    scenarios.decide(reviewed, world.edu_staff, approve=True)
    # then Compost bins is not selected, with one notice carrying both reviewers' comments
    compost = Application.objects.get(title="Compost bins")
    assert [n.kind for n in compost.notices.all()] == ["submitted", "not_selected"]
    notice = compost.notices.get(kind="not_selected")
    assert compost.status == "not_selected"
    assert notice.feedback == [
        {
            "reviewer": 1,
            "scores": [
                {
                    "criterion": "Impact on the challenge",
                    "value": 1,
                    "comment": "expert on impact of Compost bins.",
                },
                {"criterion": "Feasibility", "value": 5, "comment": "Feasibility of Compost bins."},
            ],
        },
        {
            "reviewer": 2,
            "scores": [
                {
                    "criterion": "Impact on the challenge",
                    "value": 2,
                    "comment": "edu on impact of Compost bins.",
                },
                {"criterion": "Feasibility", "value": 2, "comment": "Feasibility of Compost bins."},
            ],
        },
    ]
    # and no reviewer's name is in it
    text = json.dumps(notice.feedback) + notice.text
    for reviewer in (expert, world.edu_staff):
        for name in (reviewer.get_full_name(), reviewer.last_name):
            assert name not in text


def test_the_applicant_sees_the_feedback_without_names_on_its_page(world, reviewed, expert, client):
    chosen = list(Application.objects.filter(title__in=["Menu planner", "Waste scales"]))
    scenarios.propose(reviewed, world.agent, chosen)
    scenarios.decide(reviewed, world.edu_staff, approve=True)
    compost = Application.objects.get(title="Compost bins")
    client.force_login(compost.created_by)
    page = client.get(f"/calls/applications/{compost.pk}/").content.decode()
    assert "Reviewer 1" in page and "Reviewer 2" in page
    assert expert.get_full_name() not in page
    assert world.edu_staff.get_full_name() not in page


def test_a_declined_selection_goes_back_to_the_agent_and_starts_no_pilot(world, reviewed):
    chosen = list(Application.objects.filter(title="Waste scales"))
    scenarios.propose(reviewed, world.agent, chosen)
    scenarios.decide(reviewed, world.edu_staff, approve=False, comment="Take the best one.")
    assert Pilot.objects.count() == 0
    assert scenarios.open_tasks(reviewed, "propose_selection").count() == 1
    assert ApplicationNotice.objects.exclude(kind="submitted").count() == 0


def test_staff_of_another_division_cannot_approve(world, reviewed):
    chosen = list(Application.objects.filter(title="Waste scales"))
    scenarios.propose(reviewed, world.agent, chosen)
    with pytest.raises(PermissionDenied):
        scenarios.decide(reviewed, world.urban_staff, approve=True)
    assert Pilot.objects.count() == 0
    assert scenarios.open_tasks(reviewed, "approve_selection").get().owner is None


def test_proposing_more_pilots_than_the_call_chooses_is_refused(world, reviewed):
    before = list(Application.objects.values_list("title", "status").order_by("pk"))
    with pytest.raises(ValidationError) as error:
        scenarios.propose(reviewed, world.agent, list(Application.objects.exclude(status="draft")))
    assert error.value.messages == ["The call chooses at most 2 pilots."]
    assert list(Application.objects.values_list("title", "status").order_by("pk")) == before
    assert scenarios.open_tasks(reviewed, "propose_selection").get().status == STATUS.NEW
