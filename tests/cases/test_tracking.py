"""save_with_history validates what changed; check constraints are evaluated in Python with
SQL's three-valued logic and agree with the database's own check."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import tracking
from cases.history import ReusedHistoryManager
from cases.models import Evaluation, Outcome, Pilot, Stage
from cases.services import save_with_history
from tests import factories as f


def _loaded(pilot) -> Pilot:
    return Pilot.objects.get(pk=pilot.pk)


def test_a_loaded_pilot_knows_what_changed(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    assert tracking.changed_fields(pilot) == set()
    pilot.stage = Stage.MATCHING
    pilot.division = world.edu
    assert tracking.changed_fields(pilot) == {"stage", "division"}
    # a JSON list changed in place counts too
    pilot.funding_sources.append("erdf")
    assert "funding_sources" in tracking.changed_fields(pilot)


def test_a_new_instance_is_validated_whole(world):
    pilot = Pilot(company=world.company_a)
    assert tracking.changed_fields(pilot) is None
    assert tracking.validation_exclude(pilot) is None
    with pytest.raises(ValidationError) as raised:
        tracking.full_clean(pilot)
    assert {"title", "theme", "planned_start", "contact_email"} <= set(raised.value.error_dict)


def test_a_changed_stage_is_checked_with_its_constraint(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    pilot.stage = Stage.CLOSED  # closed without an outcome breaks pilot_outcome_only_when_closed
    with pytest.raises(ValidationError) as raised:
        save_with_history(pilot, by=world.agent)
    assert "pilot_outcome_only_when_closed" in str(raised.value)
    assert _loaded(pilot).stage == Stage.INTAKE  # nothing saved
    pilot.outcome = Outcome.ENDED
    save_with_history(pilot, by=world.agent)
    assert _loaded(pilot).stage == Stage.CLOSED


def test_a_changed_field_is_still_validated(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    pilot.contact_email = "not an address"
    with pytest.raises(ValidationError) as raised:
        save_with_history(pilot, by=world.agent)
    assert set(raised.value.error_dict) == {"contact_email"}
    # an unchanged field with a value that would not pass today is not re-judged
    Pilot.objects.filter(pk=pilot.pk).update(title="")
    pilot = _loaded(pilot)
    pilot.site = "Kallio"
    save_with_history(pilot, by=world.agent)
    assert _loaded(pilot).site == "Kallio"


def test_a_dates_constraint_names_both_dates(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    pilot.planned_end = pilot.planned_start - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        save_with_history(pilot, by=world.agent)
    assert "pilot_period_ordered" in str(raised.value)


def test_saving_a_changed_stage_asks_the_database_nothing_but_the_writes(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    pilot.stage = Stage.MATCHING
    with CaptureQueriesContext(connection) as queries:
        save_with_history(pilot, by=world.agent)
    statements = [query["sql"].split()[0].upper() for query in queries]
    # the UPDATE and its history row; no existence, uniqueness or constraint queries
    assert statements == ["UPDATE", "INSERT"], statements
    # and a second change on the same instance is judged against what was saved
    assert tracking.changed_fields(pilot) == set()


def test_a_foreign_key_to_an_id_that_is_not_held_is_looked_up(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    pilot.division_id = 999_999
    with pytest.raises(ValidationError) as raised:
        save_with_history(pilot, by=world.agent)
    assert set(raised.value.error_dict) == {"division"}


def test_history_rows_carry_the_user_and_the_manager_class_is_made_once(world):
    pilot = _loaded(f.submit_pilot(world.company_a, world.company))
    pilot.site = "Kallio"
    save_with_history(pilot, by=world.agent)
    assert pilot.history.first().history_user == world.agent
    assert type(pilot.history) is type(Pilot.objects.get(pk=pilot.pk).history)
    assert issubclass(type(pilot.history), ReusedHistoryManager)
    # Viewflow's Task, registered with the same records class
    from viewflow.workflow.models import Task

    task = Task.objects.filter(process__pilotprocess__pilot=pilot).first()
    assert type(task.history) is type(Task.objects.get(pk=task.pk).history)


# -- check constraints in Python agree with the database ------------------------------------

DATES = st.one_of(st.none(), st.dates(datetime.date(2025, 1, 1), datetime.date(2027, 12, 31)))
STAGES = st.sampled_from([choice for choice, _label in Stage.choices])
OUTCOMES = st.sampled_from(["", *[choice for choice, _label in Outcome.choices]])
SCORES = st.one_of(st.none(), st.integers(-1, 7))


def _database_says(constraint, instance) -> bool:
    """Django's own check: a query on the database."""
    against = instance._get_field_expression_map(meta=type(instance)._meta)
    return Q(constraint.condition).check(against)


@pytest.mark.django_db
@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=DATES,
    end=DATES,
    stage=STAGES,
    outcome=OUTCOMES,
    published=st.booleans(),
    consent=st.booleans(),
)
def test_pilot_constraints_in_python_agree_with_the_database(
    start, end, stage, outcome, published, consent
):
    pilot = Pilot(
        planned_start=start,
        planned_end=end,
        stage=stage,
        outcome=outcome,
        published=published,
        publication_consent=consent,
    )
    for constraint in Pilot._meta.constraints:
        verdict = tracking.check_in_python(constraint.condition, pilot)
        assert verdict is not tracking._UNREADABLE
        # None (unknown) passes, as a NULL does in the database
        assert (verdict is not False) == _database_says(constraint, pilot), constraint.name


@pytest.mark.django_db
@settings(max_examples=40, derandomize=True, deadline=None)
@given(a=SCORES, b=SCORES, c=SCORES, d=SCORES)
def test_evaluation_scores_in_python_agree_with_the_database(a, b, c, d):
    evaluation = Evaluation(
        goal_achievement=a, user_feedback=b, technical_readiness=c, scalability=d
    )
    [constraint] = [c for c in Evaluation._meta.constraints if c.name.endswith("1_to_5")]
    verdict = tracking.check_in_python(constraint.condition, evaluation)
    assert verdict is not tracking._UNREADABLE
    assert (verdict is not False) == _database_says(constraint, evaluation)


def test_what_python_cannot_read_is_left_to_the_database(world):
    pilot = Pilot(title="b", summary="a", cost_to_city=Decimal("1"))
    # ordering two strings depends on the database's collation
    assert tracking.check_in_python(Q(title__gt=F("summary")), pilot) is tracking._UNREADABLE
    # a join
    assert tracking.check_in_python(Q(company__name="x"), pilot) is tracking._UNREADABLE
    # a function
    assert tracking.check_in_python(Q(title=Lower("summary")), pilot) is tracking._UNREADABLE
    # but a string against the empty string, and numbers, are read
    assert tracking.check_in_python(Q(title__gt=""), pilot) is True
    assert tracking.check_in_python(Q(cost_to_city__gte=2), pilot) is False
