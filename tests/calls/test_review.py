"""Blind review: the conflict declaration comes first and a conflict removes the reviewer from
the application; scores stay hidden from a reviewer until their own are in; the ranking's
weighted-mean arithmetic."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from calls import scenarios, selectors, services
from calls.flows import CallFlow
from calls.models import Application, ReviewAssignment, Score


def _assignment(call, reviewer, title):
    return ReviewAssignment.objects.get(
        application__call=call, application__title=title, reviewer=reviewer
    )


def test_assigning_reviewers_opens_one_review_task_per_reviewer_and_application(
    world, in_review, expert
):
    # then each of the 2 reviewers has 3 review tasks (the draft is not reviewed), in their inbox
    tasks = Task.objects.filter(flow_task=CallFlow.review).order_by("pk")
    assert sorted((t.owner.username, t.status) for t in tasks) == sorted(
        [(u, STATUS.ASSIGNED) for u in ("expert", "edu") for _n in range(3)]
    )
    assert ReviewAssignment.objects.filter(application__title="Unfinished idea").count() == 0


def test_a_reviewer_with_a_conflict_cannot_score_nor_see_the_scores(world, in_review, expert):
    # given the expert declares a conflict on "Menu planner", and edu scores it
    conflicted = _assignment(in_review, expert, "Menu planner")
    scenarios.declare_conflict(conflicted, "I sit on Menu planner's board.")
    scenarios.score(_assignment(in_review, world.edu_staff, "Menu planner"), [4, 3])
    conflicted.refresh_from_db()
    application = conflicted.application
    # when the expert tries to score it
    with pytest.raises(PermissionDenied):
        services.review_score(
            assignment=conflicted,
            by=expert,
            scores={c.pk: (5, "x") for c in in_review.criteria.all()},
        )
    # then nothing was scored, the expert's review task is done, and the scores are hidden
    assert (conflicted.status, conflicted.scores.count()) == ("conflict", 0)
    assert Task.objects.get(flow_task=CallFlow.review, data__assignment=conflicted.pk).status == (
        STATUS.DONE
    )
    assert selectors.can_see_scores(expert, application) is False
    assert selectors.visible_scores(expert, application) == []
    assert application not in selectors.applications_visible_to(expert)


def test_a_conflicted_reviewer_gets_404_on_the_application_page(world, in_review, expert, client):
    # given the expert's conflict on "Menu planner", edu scores it
    conflicted = _assignment(in_review, expert, "Menu planner")
    scenarios.declare_conflict(conflicted, "Former employee.")
    scenarios.score(_assignment(in_review, world.edu_staff, "Menu planner"), [4, 3])
    # when the expert opens the application, and one assigned without a conflict
    client.force_login(expert)
    conflicted_page = client.get(f"/calls/applications/{conflicted.application_id}/")
    other = _assignment(in_review, expert, "Waste scales").application_id
    assigned_page = client.get(f"/calls/applications/{other}/")
    # then the conflicted one is not found, the other shows with its scores hidden
    assert conflicted_page.status_code == 404
    assert assigned_page.status_code == 200
    assert "The scores are hidden." in assigned_page.content.decode()


def test_scores_stay_hidden_until_ones_own_are_submitted(world, in_review, expert, client):
    # given edu scored "Waste scales"
    scenarios.score(
        _assignment(in_review, world.edu_staff, "Waste scales"),
        [5, 4],
        ["Edu impact.", "Edu feasible."],
    )
    own = _assignment(in_review, expert, "Waste scales")
    application = own.application
    client.force_login(expert)
    # when the expert has not submitted: the page hides the scores
    before = client.get(f"/calls/applications/{application.pk}/").content.decode()
    assert selectors.can_see_scores(expert, application) is False
    assert ("Edu impact." in before, "The scores are hidden." in before) == (False, True)
    # and after declaring no conflict, still hidden while scoring
    services.review_declare(assignment=own, by=expert, conflict=False)
    assert selectors.can_see_scores(expert, application) is False
    # when the expert submits
    scenarios.complete_task(
        scenarios.review_task(own),
        expert,
        lambda process: services.review_score(
            assignment=ReviewAssignment.objects.get(pk=own.pk),
            by=expert,
            scores={c.pk: (3, "Expert view.") for c in in_review.criteria.all()},
        ),
    )
    # then both reviews are shown
    after = client.get(f"/calls/applications/{application.pk}/").content.decode()
    assert selectors.can_see_scores(expert, application) is True
    assert ("Edu impact." in after, "Expert view." in after) == (True, True)


def test_scoring_before_the_declaration_is_refused(world, in_review, expert):
    from django.core.exceptions import ValidationError

    own = _assignment(in_review, expert, "Compost bins")
    with pytest.raises(ValidationError):
        services.review_score(
            assignment=own, by=expert, scores={c.pk: (3, "x") for c in in_review.criteria.all()}
        )
    assert Score.objects.count() == 0


def test_another_reviewer_cannot_declare_or_score_for_someone(world, in_review, expert):
    own = _assignment(in_review, expert, "Compost bins")
    with pytest.raises(PermissionDenied):
        services.review_declare(assignment=own, by=world.edu_staff, conflict=False)
    own.refresh_from_db()
    assert own.status == "pending"


def test_weighted_mean_and_spread_on_a_hand_built_set(world, in_review, expert):
    # given weights 3 (impact) and 1 (feasibility), and a third reviewer (the agent)
    application = Application.objects.get(title="Waste scales")
    ReviewAssignment.objects.create(
        application=application, reviewer=world.agent, assigned_by=world.agent
    )
    criteria = list(in_review.criteria.all())
    for reviewer, values in [(expert, (4, 2)), (world.edu_staff, (5, 5)), (world.agent, (2, 4))]:
        assignment = ReviewAssignment.objects.get(application=application, reviewer=reviewer)
        for criterion, value in zip(criteria, values, strict=True):
            Score.objects.create(
                assignment=assignment, criterion=criterion, value=value, comment="c"
            )
        assignment.status = ReviewAssignment.Status.SUBMITTED
        assignment.save()
    # when the manager reads the ranking
    rows = selectors.ranking(in_review, world.manager)
    # then the reviewers' weighted scores are (3*4+2)/4 = 3.5, (15+5)/4 = 5.0, (6+4)/4 = 2.5:
    # mean 11/3 = 3.67, min 2.50, max 5.00, population standard deviation sqrt(19/18) = 1.03
    row = rows[0]
    assert (row.application.title, row.rank, row.reviews) == ("Waste scales", 1, 3)
    assert (row.mean, row.minimum, row.maximum, row.stdev) == (
        Decimal("3.67"),
        Decimal("2.50"),
        Decimal("5.00"),
        Decimal("1.03"),
    )
    # per criterion: impact (4+5+2)/3 = 3.67, feasibility (2+5+4)/3 = 3.67
    assert [mean for _c, mean in row.per_criterion] == [Decimal("3.67"), Decimal("3.67")]
    # and the unscored applications follow, unranked
    assert [(r.application.title, r.rank, r.mean) for r in rows[1:]] == [
        ("Menu planner", None, None),
        ("Compost bins", None, None),
    ]


def test_the_ranking_orders_by_weighted_mean(world, in_review, expert):
    # given both reviewers scored all three applications
    plan = {
        "Waste scales": ([3, 3], [4, 2]),
        "Menu planner": ([5, 4], [5, 5]),
        "Compost bins": ([1, 5], [2, 2]),
    }
    for title, (expert_values, edu_values) in plan.items():
        scenarios.score(_assignment(in_review, expert, title), expert_values)
        scenarios.score(_assignment(in_review, world.edu_staff, title), edu_values)
    # when the agent reads the ranking
    rows = selectors.ranking(in_review, world.agent)
    # then Menu planner (4.75, 5.0 -> 4.88), Waste scales (3.0, 3.5 -> 3.25),
    # Compost bins (2.0, 2.0 -> 2.00)
    assert [(r.rank, r.application.title, r.mean, r.minimum, r.maximum) for r in rows] == [
        (1, "Menu planner", Decimal("4.88"), Decimal("4.75"), Decimal("5.00")),
        (2, "Waste scales", Decimal("3.25"), Decimal("3.00"), Decimal("3.50")),
        (3, "Compost bins", Decimal("2.00"), Decimal("2.00"), Decimal("2.00")),
    ]
    # and the join opened the agent's proposal task
    assert scenarios.open_tasks(in_review, "propose_selection").count() == 1


def test_reviewer_candidates_are_agents_the_calls_division_and_experts(world, open_call, expert):
    # given staff of another division, legal staff, a manager and company users exist
    # then only the agent, the Education staff member and the expert may review
    assert sorted(u.username for u in selectors.reviewer_candidates(open_call)) == [
        "agent",
        "edu",
        "expert",
    ]


def test_assigning_someone_else_as_reviewer_is_refused(world, applied_call):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        scenarios.assign_reviewers(applied_call, world.agent, [world.urban_staff])
    assert ReviewAssignment.objects.count() == 0
    assert scenarios.open_tasks(applied_call, "assign_reviewers").get().status == STATUS.NEW


def test_the_ranking_reads_visibility_in_a_fixed_number_of_queries(world, in_review, expert):
    # given three submitted applications, one scored by the expert (so the expert sees one
    # row's scores and not the other two's), and each user's permissions already loaded
    scenarios.score(_assignment(in_review, expert, "Waste scales"), [4, 2])
    for user in (world.agent, expert):
        selectors.ranking(in_review, user)
    # when the agent and the expert read the ranking
    with CaptureQueriesContext(connection) as agent_queries:
        agent_rows = selectors.ranking(in_review, world.agent)
    with CaptureQueriesContext(connection) as expert_queries:
        expert_rows = selectors.ranking(in_review, expert)
    # then each reads criteria, applications, scores, own reviews and the call's managers once,
    # not once per application
    assert len(agent_queries) == len(expert_queries) == 5
    assert [r.visible for r in agent_rows] == [True, True, True]
    assert sorted((r.application.title, r.visible) for r in expert_rows) == [
        ("Compost bins", False),
        ("Menu planner", False),
        ("Waste scales", True),
    ]
