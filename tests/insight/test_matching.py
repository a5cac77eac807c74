"""Division suggestions and similar pilots, on hand-built sets of proposals."""

from django.urls import reverse

from cases.models import Division, Pilot
from insight import matching
from tests import factories as f
from tests.insight.helpers import closed_pilot
from workflows import scenarios as sc
from workflows import services as flow_services


def _proposal(w, title, theme_code, **texts):
    return flow_services.pilot_submit(
        company=w.company_a,
        by=w.company,
        proposal=sc.proposal(f.theme(theme_code), title=title, **texts),
    )


def _matched(w, title, theme_code, division, **texts):
    pilot = _proposal(w, title, theme_code, **texts)
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, division)
    return Pilot.objects.get(pk=pilot.pk)


def test_divisions_are_ranked_by_theme_shared_words_and_load(world):
    # given: Urban Environment ran an electric bus charging pilot; the City Executive Office
    # also hosts mobility but has no history; the proposal is about bus charging (mobility)
    w = world
    _matched(
        w,
        "Depot charging for electric buses",
        "mobility",
        w.urban,
        summary="Smart charging of electric buses at the depot.",
        need="Depot chargers are overloaded.",
        solution="Charging schedules for electric buses.",
    )
    proposal = _proposal(
        w,
        "Electric bus charging forecast",
        "mobility",
        summary="Forecast of charging demand for electric buses at depot chargers.",
        need="Electric buses queue at depot chargers in the evening.",
        solution="Charging schedule optimisation for the bus depot.",
    )
    # when
    suggestions = matching.division_suggestions(proposal)
    # then
    codes = [s.division.code for s in suggestions]
    assert codes[:2] == ["urban-environment", "city-executive-office"]
    assert len(codes) == Division.objects.count()
    urban = suggestions[0]
    assert urban.theme_match is True
    assert urban.open_pilots == 1
    assert urban.shared_words == ["charging", "depot", "electric", "buses", "chargers"]
    assert urban.score == 2.334  # theme 1.0 + 2 x cosine 0.692 - 1 open pilot x 0.05
    assert urban.reasons[0] == "Hosts the theme “Mobility”."
    assert urban.reasons[1].startswith("Its earlier pilots also speak of: ")
    assert urban.reasons[2] == "1 open pilot now."
    office = suggestions[1]
    assert (office.theme_match, office.shared_words, office.open_pilots) == (True, [], 0)
    assert office.reasons == ["Hosts the theme “Mobility”.", "0 open pilots now."]
    assert office.score == 1.0


def test_a_busier_division_ranks_lower_when_all_else_is_equal(world):
    # given: Education and Culture and Leisure both host learning; Education runs two pilots
    w = world
    unrelated = {
        "summary": "Zzyzx qwerty.",
        "need": "Plover xylophone.",
        "solution": "Quokka.",
        "expected_impact": "Wombat.",
    }
    _matched(w, "Alpha", "learning", w.edu, **unrelated)
    _matched(w, "Beta", "learning", w.edu, **unrelated)
    proposal = _proposal(
        w,
        "Museum tablets",
        "learning",
        summary="Tablets for museum visits.",
        need="Museums want visitors.",
        solution="Tablet guides.",
        expected_impact="Happier visitors.",
    )
    suggestions = matching.division_suggestions(proposal)
    codes = [s.division.code for s in suggestions]
    assert codes.index("culture-leisure") < codes.index("education")
    education = next(s for s in suggestions if s.division.code == "education")
    assert education.score == 0.9  # theme 1.0 less 2 open pilots x 0.05
    assert education.reasons[-1] == "2 open pilots now."


def test_similar_pilots_are_earlier_closed_pilots_ranked_by_text(world):
    # given: two closed pilots, one about bus charging, one about school meals; a cancelled one
    # about bus charging too; a rejected one about buses (not a pilot that ran); an open one
    w = world
    bus = closed_pilot(
        w,
        title="Depot charging for electric buses",
        division=w.urban,
        staff=w.urban_staff,
        summary="Smart charging of electric buses at the depot.",
        need="Depot chargers are overloaded.",
        solution="Charging schedules for electric buses.",
    )
    closed_pilot(
        w,
        title="School meal feedback",
        division=w.edu,
        staff=w.edu_staff,
        summary="Pupils rate school lunches on a tablet.",
        need="Kitchens do not know what pupils eat.",
        solution="A feedback tablet at the dish return.",
    )
    cancelled = _proposal(
        w,
        "Bus charging pilot that stopped",
        "mobility",
        summary="Electric buses charging at end stops.",
        need="Chargers at end stops.",
        solution="Charging electric buses.",
    )
    flow_services.pilot_cancel(pilot=cancelled, by=w.agent, reason="The company went bankrupt.")
    rejected = _proposal(w, "Rejected buses", "mobility", summary="Electric buses charging.")
    sc.screen(rejected, w.agent, "reject", "Not now.")
    _proposal(w, "Open bus charging", "mobility", summary="Electric buses charging depot.")
    proposal = _proposal(
        w,
        "Electric bus charging forecast",
        "mobility",
        summary="Forecast of charging demand for electric buses at depot chargers.",
        need="Electric buses queue at depot chargers in the evening.",
        solution="Charging schedule optimisation for the bus depot.",
    )
    # when
    similar = matching.similar_pilots(w.agent, proposal)
    # then: the bus pilots that ran or were stopped, the closest first; not the school meals
    assert [s.pilot.title for s in similar] == [
        "Depot charging for electric buses",
        "Bus charging pilot that stopped",
    ]
    assert similar[0].pilot == bus
    assert similar[0].pilot.get_outcome_display() == "Scaled"
    assert similar[0].lessons == [
        ("Company", "Involve the end users from the first week."),
        ("Division", "Involve the end users from the first week."),
    ]
    assert similar[1].lessons == []
    assert [s.score for s in similar] == [0.61, 0.44]


def test_similar_pilots_respect_what_the_user_sees(world):
    w = world
    closed_pilot(
        w,
        title="Depot charging for electric buses",
        division=w.urban,
        staff=w.urban_staff,
        summary="Smart charging of electric buses at the depot.",
    )
    proposal = _proposal(w, "Electric bus charging", "mobility", summary="Charging electric buses.")
    assert [s.pilot.title for s in matching.similar_pilots(w.agent, proposal)] == [
        "Depot charging for electric buses"
    ]
    assert matching.similar_pilots(w.edu_staff, proposal) == []


def test_candidate_set_is_capped(world, monkeypatch):
    w = world
    for n in range(3):
        pilot = _proposal(w, f"Charging {n}", "mobility", summary="Electric buses charging.")
        flow_services.pilot_cancel(pilot=pilot, by=w.agent, reason="Stopped.")
    monkeypatch.setattr(matching, "SIMILAR_CANDIDATES", 2)
    proposal = _proposal(w, "Electric bus charging", "mobility", summary="Electric buses charging.")
    assert len(list(matching.similar_pilot_candidates(w.agent, proposal))) == 2


def test_match_and_screen_pages_show_the_panels(client, world):
    w = world
    closed_pilot(
        w,
        title="Depot charging for electric buses",
        division=w.urban,
        staff=w.urban_staff,
        summary="Smart charging of electric buses at the depot.",
    )
    proposal = _proposal(
        w, "Electric bus charging", "mobility", summary="Charging electric buses at the depot."
    )
    client.force_login(w.agent)
    task = sc.open_task(proposal, "screen")
    with task.activation() as activation:
        activation.assign(w.agent)
    url = reverse("pilot:screen:execute", args=[task.process_id, task.pk])
    content = client.get(url).content.decode()
    assert "Similar earlier pilots" in content
    assert "Depot charging for electric buses" in content
    assert "Suggested divisions" not in content
    sc.screen(proposal, w.agent)
    task = sc.open_task(proposal, "match")
    with task.activation() as activation:
        activation.assign(w.agent)
    url = reverse("pilot:match:execute", args=[task.process_id, task.pk])
    content = client.get(url).content.decode()
    assert "Suggested divisions" in content
    assert "Hosts the theme “Mobility”." in content
    assert "Depot charging for electric buses" in content
