"""Demo data: one user per role (password `kokeilu-demo`) and pilots at every stage and outcome.

Idempotent. Users and companies are looked up before they are created, and each demo pilot
carries a fixed submission token, so a pilot already seeded is skipped: a second run changes
nothing. Every pilot is driven through PilotFlow with `workflows.scenarios` and the services,
exactly as the task views do, so processes, tasks, history and timelines are real.
"""

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from calls import demo as calls_demo
from calls.models import Call
from cases import roles, selectors
from cases import services as case_services
from cases.models import (
    Company,
    Division,
    Evaluation,
    FundingSource,
    Outcome,
    Pilot,
    PlatformTheme,
    ScalingDecision,
    Stage,
)
from cases.validators import business_id_check_digit
from insight import demo as insight_demo
from notifications import services as notification_services
from registry import services as registry_services
from workflows import scenarios as sc
from workflows import services as flow_services
from workflows.models import ScreeningDecision

User = get_user_model()

PASSWORD = "kokeilu-demo"  # noqa: S105 (the documented demo password)
TOKEN_NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-4e59-9a0c-5d4b8e2f7a16")

# -- the cast -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompanySpec:
    name: str
    # The seven digits of the business ID (the check digit is computed). Numbers from 9800000
    # up are far above those the registry has handed out, so no real company's ID is used.
    digits: str
    website: str
    contact: tuple[str, str]  # who the company's proposals name as contact: name, e-mail

    @property
    def business_id(self) -> str:
        check = business_id_check_digit(self.digits)
        if check is None:
            raise ValueError(f"{self.digits} has no valid business ID check digit")
        return f"{self.digits}-{check}"


COMPANIES = {
    "oivallus": CompanySpec(
        "Oivallus Digital Oy",
        "9800001",
        "https://oivallus.example.com",
        ("Eero Halme", "eero.halme@example.com"),
    ),
    "sensori": CompanySpec(
        "Kaupunkisensori Oy",
        "9800002",
        "https://kaupunkisensori.example.com",
        ("Liisa Vainio", "liisa.vainio@example.com"),
    ),
    "robottiapu": CompanySpec(
        "Robottiapu Oy",
        "9800003",
        "https://robottiapu.example.com",
        ("Jouni Salmela", "jouni.salmela@example.com"),
    ),
}


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    email: str
    role: str  # agent, legal, manager, admin, division or company
    of: str = ""  # the division's code or the company's key


ROLE_GROUPS = {
    "agent": roles.AGENTS,
    "legal": roles.LEGAL,
    "manager": roles.MANAGERS,
    "expert": roles.EXPERTS,
}

USERS = [
    UserSpec("agent", "Aino", "Lehtinen", "aino.lehtinen@example.org", "agent"),
    UserSpec("legal", "Ilmari", "Koskela", "ilmari.koskela@example.org", "legal"),
    UserSpec("edu", "Helmi", "Saarinen", "helmi.saarinen@example.org", "division", "education"),
    UserSpec(
        "urban",
        "Veikko",
        "Laaksonen",
        "veikko.laaksonen@example.org",
        "division",
        "urban-environment",
    ),
    UserSpec(
        "health", "Kaisu", "Peltonen", "kaisu.peltonen@example.org", "division", "social-health"
    ),
    UserSpec("culture", "Onni", "Rautio", "onni.rautio@example.org", "division", "culture-leisure"),
    UserSpec("company", "Eero", "Halme", "eero.halme@example.com", "company", "oivallus"),
    UserSpec("company2", "Liisa", "Vainio", "liisa.vainio@example.com", "company", "sensori"),
    UserSpec("manager", "Marjatta", "Heikkilä", "marjatta.heikkila@example.org", "manager"),
    UserSpec("admin", "Toni", "Aaltonen", "admin@example.org", "admin"),
    UserSpec("expert", "Sanna", "Kivelä", "sanna.kivela@example.org", "expert"),
]


class Cast:
    """The demo users and companies, and who does what on a given pilot."""

    def __init__(self, users: dict[str, User], companies: dict[str, Company]):
        self.users = users
        self.companies = companies
        self.agent = users["agent"]
        self.legal = users["legal"]
        self._staff = {s.of: users[s.username] for s in USERS if s.role == "division"}
        self._members = {
            companies[s.of].pk: users[s.username] for s in USERS if s.role == "company"
        }
        self._divisions = Division.objects.in_bulk(field_name="code")

    def division(self, code: str) -> Division:
        return self._divisions[code]

    def staff(self, pilot: Pilot):
        """The staff member (with signing right) of the pilot's division."""
        return self._staff[pilot.division.code]

    def member(self, pilot: Pilot):
        return self._members[pilot.company_id]

    def submitter(self, company: Company):
        """The company's user, or the agent who enters the proposal on its behalf."""
        return self._members.get(company.pk, self.agent)


# -- steps: each drives one node or one action, as the user who does it in the UI ----------

Step = Callable[[Pilot, Cast], object]


def screen(decision: str = ScreeningDecision.ACCEPT, message: str = "") -> Step:
    return lambda p, c: sc.screen(p, c.agent, decision, message)


def complete_proposal(response: str) -> Step:
    return lambda p, c: sc.request_information(p, c.member(p), response)


def match(division: str) -> Step:
    return lambda p, c: sc.match(p, c.agent, c.division(division))


def review(decline_reason: str = "") -> Step:
    return lambda p, c: sc.review_match(
        p, c.staff(p), accept=not decline_reason, reason=decline_reason
    )


def prepare(language: str = "fi") -> Step:
    """Legal staff generate the contract from the published standard pilot agreement (with or
    without compensation, as the pilot's cost to the city says) in `language`."""
    return lambda p, c: sc.prepare_contract(
        p, c.legal, c.staff(p), compensation=p.cost_to_city, language=language
    )


def respond(changes: str = "") -> Step:
    """The company accepts the contract, or asks for the changes given."""
    return lambda p, c: sc.accept_contract(p, c.member(p), accept=not changes, comment=changes)


def sign() -> Step:
    return lambda p, c: sc.sign_contract(p, c.staff(p))


def report(day: int, progress: str, kpi_values: str, issues: str = "") -> Step:
    return lambda p, c: case_services.progress_report_submit(
        pilot=p,
        by=c.member(p),
        period_end=p.planned_start + datetime.timedelta(days=day),
        progress=progress,
        kpi_values=kpi_values,
        issues=issues,
    )


def milestone(text: str) -> Step:
    return lambda p, c: case_services.pilot_milestone_record(pilot=p, by=c.agent, text=text)


def note(text: str) -> Step:
    return lambda p, c: case_services.pilot_note_add(
        pilot=p, by=c.agent, text=text, visible_to_company=False
    )


def close_execution(summary: str) -> Step:
    return lambda p, c: sc.run_pilot(p, c.agent, summary)


def evaluate(party: str, score: int, kpis: str, lessons: str, emission: str | None = None) -> Step:
    values = {
        "goal_achievement": score,
        "user_feedback": score,
        "technical_readiness": score,
        "scalability": score,
        "user_feedback_summary": "",
        "measured_kpis": kpis,
        "emission_reduction": Decimal(emission) if emission else None,
        "lessons_learned": lessons,
    }
    node = "evaluate_division" if party == Evaluation.Party.DIVISION else "evaluate_company"

    def step(p, c):
        user = c.staff(p) if party == Evaluation.Party.DIVISION else c.member(p)
        return sc.complete_task(
            p,
            node,
            user,
            lambda process: flow_services.pilot_evaluate(
                process=process, by=user, party=party, values=values
            ),
        )

    return step


def decide(decision: str, rationale: str, grant: bool = True) -> Step:
    values = {"decision": decision, "rationale": rationale, "grant_reference": grant}
    return lambda p, c: sc.complete_task(
        p,
        "decide_scaling",
        c.staff(p),
        lambda process: flow_services.pilot_decide_scaling(
            process=process, by=c.staff(p), values=values
        ),
    )


def withdraw(reason: str) -> Step:
    return lambda p, c: flow_services.pilot_withdraw(pilot=p, by=c.member(p), reason=reason)


def cancel(reason: str) -> Step:
    return lambda p, c: flow_services.pilot_cancel(pilot=p, by=c.agent, reason=reason)


def consent(*secrets: str) -> Step:
    """The company consents to publication and marks its trade secrets."""

    def step(p, c):
        registry_services.pilot_mark_trade_secrets(pilot=p, by=c.member(p), fields=list(secrets))
        registry_services.pilot_consent_publication(pilot=p, by=c.member(p))

    return step


def publish(*secrets: str) -> Step:
    """The company consents, and the agent publishes the pilot in the public registry."""

    def step(p, c):
        consent(*secrets)(p, c)
        registry_services.pilot_publish(pilot=p, by=c.agent)

    return step


def accepted(division: str) -> list[Step]:
    """Screened, matched with the division and accepted by its staff: in Contracting."""
    return [screen(), match(division), review()]


def signed(division: str) -> list[Step]:
    """The contract issued, accepted and signed: in Execution."""
    return [*accepted(division), prepare(), respond(), sign()]


DIVISION = Evaluation.Party.DIVISION
COMPANY = Evaluation.Party.COMPANY
Decision = ScalingDecision.Decision
F = FundingSource

# -- the pilots -----------------------------------------------------------------------------

# A demo pilot's funding from each source, as a multiple of its size (cost to the city, at
# least 10 000 EUR), unless the pilot gives its own amounts.
FUNDING_SHARES = {
    F.ERDF: 3,
    F.HORIZON: 4,
    F.NATIONAL: 2,
    F.INNOVATION_FUND: 1,
    F.DIVISION_BUDGET: 1,
    F.COMPANY: 2,
}


@dataclass(frozen=True)
class PilotSpec:
    title: str
    company: str  # key in COMPANIES
    theme: str  # PlatformTheme code
    start: int  # planned start, in days from today
    months: int
    summary: str
    need: str
    solution: str
    impact: str
    kpis: str
    site_wish: str = ""
    cost: int = 0  # to the city, EUR
    funding: list[str] = field(default_factory=list)
    emission: str | None = None  # estimated reduction, t CO2e a year
    steps: list[Step] = field(default_factory=list)
    amounts: dict[str, int] = field(default_factory=dict)  # EUR by funding source

    def funding_amounts(self) -> dict[str, str]:
        """The euros of each funding source: as given, or a share of the pilot's size."""
        base = max(self.cost, 10000)
        return {
            source: str(Decimal(self.amounts.get(source, base * FUNDING_SHARES[source])))
            for source in self.funding
        }

    @property
    def token(self) -> uuid.UUID:
        return uuid.uuid5(TOKEN_NAMESPACE, self.title)

    def proposal(self, theme: PlatformTheme, today: datetime.date) -> dict:
        contact_name, contact_email = COMPANIES[self.company].contact
        return sc.proposal(
            theme,
            title=self.title,
            start=today + datetime.timedelta(days=self.start),
            months=self.months,
            summary=self.summary,
            need=self.need,
            solution=self.solution,
            site_wish=self.site_wish,
            cost_to_city=Decimal(self.cost),
            funding_sources=list(self.funding),
            funding_amounts=self.funding_amounts(),
            expected_impact=self.impact,
            kpis=self.kpis,
            emission_reduction_estimate=Decimal(self.emission) if self.emission else None,
            contact_name=contact_name,
            contact_email=contact_email,
        )


PILOTS = [
    # -- Intake
    PilotSpec(
        title="Library service robot",
        company="robottiapu",
        theme="learning",
        start=90,
        months=4,
        summary="A mobile service robot that guides library customers to the right shelf, tells "
        "them about events and collects feedback.",
        need="Library staff spend much of their time on wayfinding questions at busy hours.",
        solution="An autonomous robot with a touch screen and speech in Finnish, Swedish and "
        "English, connected to the library's collection database.",
        site_wish="A branch library with long opening hours",
        funding=[F.COMPANY],
        impact="More staff time for guidance that needs a person.",
        kpis="Wayfinding questions at the desk; robot interactions a day; feedback.",
        steps=[note("Entered by the agent after a call with the company at the pilot info event.")],
    ),
    PilotSpec(
        title="Wellbeing check-in app for upper-secondary students",
        company="oivallus",
        theme="health-wellbeing",
        start=100,
        months=5,
        summary="A weekly two-minute check-in on sleep, stress and mood, with a summary for the "
        "student and anonymous trends for the school's student welfare team.",
        need="Student welfare staff hear about students' difficulties late, often only when "
        "absences pile up.",
        solution="A mobile web app; students see their own history, the welfare team sees only "
        "group-level trends unless a student asks to be contacted.",
        site_wish="One general upper-secondary school",
        cost=6000,
        funding=[F.INNOVATION_FUND],
        impact="Earlier support for students; data for planning the welfare team's work.",
        kpis="Weekly response rate; contact requests handled; students' feedback.",
        steps=[
            screen(
                ScreeningDecision.REQUEST_INFORMATION,
                "Describe how the students' answers are stored, who can see them, and how a "
                "student in need is directed to the school's welfare services.",
            )
        ],
    ),
    # -- Matching
    PilotSpec(
        title="Charging data platform for electric buses",
        company="sensori",
        theme="mobility",
        start=75,
        months=9,
        summary="A platform that combines charging data from depot and end-stop chargers with "
        "timetables, to plan charging and spot faulty chargers early.",
        need="As the bus fleet goes electric, chargers at depots and end stops become a "
        "bottleneck, and the city and the operators lack a shared view of their use.",
        solution="Connectors to the chargers' OCPP back-ends and the open timetable data; a "
        "forecast of charging demand per end stop; fault alerts.",
        site_wish="End-stop chargers in eastern Helsinki",
        cost=15000,
        funding=[F.ERDF, F.COMPANY],
        impact="Better use of existing chargers; fewer diesel back-up runs.",
        kpis="Charger utilisation; faults detected before a missed charge; diesel back-up km.",
        emission="40.00",
        steps=[screen()],
    ),
    PilotSpec(
        title="Outdoor learning trails app",
        company="oivallus",
        theme="learning",
        start=60,
        months=6,
        summary="A mobile app with location-based learning tasks on nature trails and in parks, "
        "for biology and geography lessons outdoors.",
        need="Teachers want to use the city's parks and forests for teaching but lack material "
        "tied to the curriculum.",
        solution="Teachers pick a trail and a topic; pupils solve tasks at checkpoints in small "
        "groups; the results are discussed on the class screen afterwards.",
        site_wish="Central Park and the schools next to it",
        cost=5000,
        funding=[F.INNOVATION_FUND],
        impact="More teaching outdoors; pupils who move more during the school day.",
        kpis="Outdoor lessons held; feedback; trails reused by other schools.",
        steps=[
            screen(),
            match("urban-environment"),
            review(
                decline_reason="The parks are ours, but the pilot is about teaching: the "
                "Education Division should host it. We will help choose the trail sites."
            ),
            match("education"),
        ],
    ),
    # -- Contracting
    PilotSpec(
        title="Fill-level sensors for park waste bins",
        company="sensori",
        theme="clean-urban",
        start=45,
        months=6,
        summary="Ultrasonic sensors in park waste bins report how full each bin is, so that "
        "emptying is planned by need instead of a fixed schedule.",
        need="Park bins overflow on sunny weekends and are emptied half-empty on rainy weekdays.",
        solution="Battery-powered sensors on an LTE-M network and a route planner for the park "
        "maintenance contractor.",
        site_wish="Parks and beaches in Vuosaari",
        cost=9000,
        funding=[F.DIVISION_BUDGET],
        impact="Fewer overflowing bins; fewer emptying runs and lower emissions from maintenance.",
        kpis="Emptying runs per week; overflow reports from residents; fuel used by the vehicles.",
        emission="3.20",
        steps=accepted("urban-environment"),
    ),
    PilotSpec(
        title="Remote exercise sessions for home-care clients",
        company="oivallus",
        theme="health-wellbeing",
        start=40,
        months=6,
        summary="Live group exercise on a simple tablet for older people in home care, led by the "
        "city's physiotherapists.",
        need="Home-care clients lose functional capacity when they cannot get to group exercise, "
        "and physiotherapists reach only a few of them at home.",
        solution="Preconfigured tablets with one-touch video sessions; physiotherapists run groups "
        "of eight and follow attendance.",
        site_wish="Home care in one district",
        cost=16000,
        funding=[F.NATIONAL, F.INNOVATION_FUND],
        impact="Better functional capacity and less loneliness among home-care clients.",
        kpis="Participation rate; change in functional-capacity tests; client satisfaction.",
        emission="0.60",
        steps=[
            *accepted("social-health"),
            prepare(),
            respond(
                "Please name our EU cloud provider in the data-handling terms, and let the "
                "tablets be returned after the pilot instead of bought out."
            ),
        ],
    ),
    PilotSpec(
        title="Shared electric cargo bikes for city units",
        company="sensori",
        theme="mobility",
        start=35,
        months=6,
        summary="Shared electric cargo bikes for the city's own units, such as day-care centres, "
        "park maintenance and libraries, to replace short van trips.",
        need="Many city units use vans for short trips with light loads.",
        solution="Ten e-cargo bikes with smart locks and a booking app; trip data shows which van "
        "trips were replaced.",
        site_wish="City units in the inner city",
        cost=22000,
        funding=[F.ERDF, F.DIVISION_BUDGET],
        impact="Fewer van kilometres in the inner city; lower emissions and costs.",
        kpis="Trips booked; van kilometres replaced; users' satisfaction.",
        emission="4.50",
        steps=[*accepted("urban-environment"), prepare("en")],
    ),
    PilotSpec(
        title="Reading-skills game for first graders",
        company="oivallus",
        theme="learning",
        start=30,
        months=5,
        summary="A game that practises and screens early reading skills, so that teachers see "
        "which pupils need support during the first school year.",
        need="Reading difficulties are found late in some schools, and screening takes the "
        "special-needs teachers' time.",
        solution="A tablet game with short daily sessions; the teacher sees skills per pupil "
        "compared with the national reference values.",
        site_wish="First grades of three comprehensive schools",
        cost=11000,
        funding=[F.INNOVATION_FUND, F.COMPANY],
        impact="Earlier reading support; less time spent on paper screening.",
        kpis="Pupils screened; agreement with the teachers' own screening; teachers' time saved.",
        steps=[*accepted("education"), prepare("sv"), respond()],
    ),
    # -- Execution
    PilotSpec(
        title="Smart street lighting in Kalasatama",
        company="sensori",
        theme="clean-urban",
        start=-100,
        months=8,
        summary="Adaptive LED street lights that dim when streets are empty and brighten for "
        "pedestrians, cyclists and cars, controlled over a wireless mesh network.",
        need="Street lighting is one of the city's largest uses of electricity. Urban Environment "
        "wants to cut it without making streets feel less safe.",
        solution="Controllers and motion sensors retrofitted to 120 existing LED luminaires; a "
        "dashboard shows energy use and faults per light.",
        site_wish="Kalasatama, the streets around the metro station",
        cost=38000,
        funding=[F.ERDF, F.DIVISION_BUDGET],
        impact="30-40 % less electricity for the lights in the pilot area; faster fault repair.",
        kpis="kWh per luminaire a month; dimmed hours; fault repair time; residents' sense of "
        "safety (survey).",
        emission="18.50",
        steps=[
            *signed("urban-environment"),
            milestone("All 120 controllers installed and connected."),
            report(
                30,
                "All controllers in use; dimming profiles tuned for the evening rush.",
                "Electricity -27 % compared with the same weeks last year.",
                "Four controllers lost their connection in heavy snow; the company replaced "
                "their antennas.",
            ),
            milestone("Residents' survey opened on the city's feedback channel."),
            report(
                60,
                "Fault alerts now go straight to the lighting maintenance contractor.",
                "Electricity -33 %; median fault repair time 2 days (was 9).",
            ),
            note(
                "The lighting team wants the fault data in their maintenance system after "
                "the pilot: ask the company about an export."
            ),
            publish(),
        ],
    ),
    PilotSpec(
        title="Virtual reality science lab",
        company="oivallus",
        theme="learning",
        start=-45,
        months=6,
        summary="Virtual chemistry and physics experiments that are too dangerous, expensive or "
        "slow to do in a school lab.",
        need="Upper-secondary schools have little lab equipment and lab time; some experiments can "
        "only be shown on video.",
        solution="Twenty VR headsets per school with 30 experiments matched to the national core "
        "curriculum; the teacher follows each student's progress.",
        site_wish="Two general upper-secondary schools",
        cost=18000,
        funding=[F.INNOVATION_FUND, F.COMPANY],
        impact="Students who do the experiments themselves; lab time for the ones that need a lab.",
        kpis="Lessons with VR; results in lab-work tasks; motion-sickness reports.",
        steps=[
            *signed("education"),
            milestone("Teachers trained; VR lessons started in both schools."),
            report(
                30,
                "Eleven chemistry and six physics lessons held with VR.",
                "17 lessons; 212 student sessions; 3 motion-sickness reports.",
                "The headsets need a charging cabinet in each classroom.",
            ),
        ],
    ),
    # -- Evaluation: the company has evaluated, the division has not
    PilotSpec(
        title="Chat assistant for health-station appointment questions",
        company="oivallus",
        theme="health-wellbeing",
        start=-220,
        months=6,
        summary="A chat assistant on the health stations' web pages that answers common questions "
        "about appointments, opening hours and laboratory visits, and hands over to a nurse.",
        need="Health-station phone lines are congested in the mornings, and many calls are about "
        "things already on the web pages.",
        solution="An assistant trained on the city's public health-service pages, in Finnish, "
        "Swedish and English. It handles no patient data; nurses take over in the existing chat.",
        site_wish="The web pages of two health stations",
        cost=24000,
        funding=[F.HORIZON, F.INNOVATION_FUND],
        impact="Fewer calls about routine matters; answers outside office hours.",
        kpis="Chats resolved without a nurse; morning call volume; user satisfaction.",
        steps=[
            *signed("social-health"),
            report(
                90,
                "The assistant answers about 300 chats a week.",
                "62 % of chats resolved without a nurse; morning calls -14 %.",
            ),
            close_execution("Six months at two health stations, as planned."),
            evaluate(
                COMPANY,
                4,
                "64 % of chats resolved without a nurse; morning calls -15 %.",
                "Questions about laboratory visits needed the most tuning.",
            ),
        ],
    ),
    # -- Scaling decision waiting
    PilotSpec(
        title="Air-quality sensors at school yards",
        company="sensori",
        theme="clean-urban",
        start=-260,
        months=6,
        summary="Low-cost sensors that measure fine particles and nitrogen dioxide at school yards "
        "next to busy streets, with open data for the city and the schools.",
        need="Air quality is measured at a few official stations; the city lacks street-level data "
        "where children spend their breaks.",
        solution="Twenty solar-powered sensors calibrated against the official station; the data "
        "goes to an open API and a display for teachers.",
        site_wish="Ten school yards along main streets",
        cost=19500,
        funding=[F.ERDF, F.NATIONAL],
        impact="Data for traffic planning near schools; pupils who learn about air quality.",
        kpis="Data availability; agreement with the reference station; lessons using the data.",
        emission="1.20",
        steps=[
            *signed("urban-environment"),
            report(
                60,
                "All sensors online; the open API is in the city's data catalogue.",
                "Data availability 97 %; NO2 within 12 % of the reference station.",
            ),
            close_execution("Six months of measurements at all ten school yards."),
            evaluate(
                COMPANY,
                5,
                "Data availability 98 %; 40 lessons used the data.",
                "Calibrating in the first month was worth the delay.",
            ),
            evaluate(
                DIVISION,
                4,
                "Data availability 98 %; two yards over the NO2 guideline in the rush hour.",
                "The data already changed the timing of deliveries at two schools.",
                "0.80",
            ),
        ],
    ),
    # -- Closed
    PilotSpec(
        title="Learning analytics for lower-secondary mathematics",
        company="oivallus",
        theme="learning",
        start=-420,
        months=5,
        summary="A learning-analytics dashboard that shows maths teachers of grades 7-9 which "
        "topics each class struggles with, from the exercises pupils already do online.",
        need="Maths teachers see gaps in basic skills late, often only in the course exam.",
        solution="The dashboard reads pseudonymised exercise results from the school's learning "
        "platform, groups them by curriculum goal and suggests revision exercises.",
        site_wish="Two comprehensive schools in eastern Helsinki",
        cost=12000,
        funding=[F.INNOVATION_FUND, F.COMPANY],
        impact="Earlier support for pupils; less teacher time spent compiling results.",
        kpis="Teachers using the dashboard weekly; course-exam results compared with last year.",
        steps=[
            screen(
                ScreeningDecision.REQUEST_INFORMATION,
                "Describe how pupil data is pseudonymised and who sees a single pupil's results.",
            ),
            complete_proposal(
                "Data is pseudonymised in the school's own platform; only the pupil's own "
                "teachers see named results."
            ),
            *signed("education"),
            milestone("Dashboard in use in all grade 7-9 maths classes of both schools."),
            report(
                45,
                "All 14 maths teachers have logged in; weekly use in 11 classes.",
                "Weekly users 11 of 14 teachers; 3,200 exercises analysed.",
                "Exports from the learning platform were late in the first two weeks.",
            ),
            close_execution("The pilot ran for the whole spring term in both schools."),
            evaluate(
                COMPANY,
                4,
                "12 of 14 teachers used it weekly.",
                "Start with the teachers' own questions.",
            ),
            evaluate(
                DIVISION,
                5,
                "Course-exam failures -22 % compared with last year.",
                "Teachers need an hour of joint training, not a manual.",
            ),
            decide(
                Decision.SCALE_CITY,
                "The results improved in both schools and the teachers want to keep the tool. "
                "It will be offered to all comprehensive schools from the autumn term.",
            ),
            publish(),
        ],
    ),
    PilotSpec(
        title="Food-waste tracker for school kitchens",
        company="oivallus",
        theme="clean-urban",
        start=-500,
        months=5,
        summary="Smart scales and a tablet app that record plate and kitchen waste per meal in "
        "school restaurants, with a weekly report for the kitchen and the pupils.",
        need="School restaurants throw away a large share of the food they cook; the city's "
        "carbon-neutral 2035 programme aims to halve food waste.",
        solution="Scales at the dish return weigh plate waste; kitchen staff log leftovers with "
        "one tap; a dashboard compares menus and days.",
        site_wish="The restaurants of four comprehensive schools",
        cost=8500,
        funding=[F.INNOVATION_FUND, F.DIVISION_BUDGET],
        impact="Less food waste and lower emissions from food production.",
        kpis="Plate waste per pupil and meal; kitchen leftovers a day; meals per kg of waste.",
        emission="6.80",
        steps=[
            *signed("education"),
            report(
                60,
                "Scales in use in all four restaurants; pupils vote on the weekly results.",
                "Plate waste -18 % from the first month.",
            ),
            close_execution("Five months in four school restaurants."),
            evaluate(
                COMPANY,
                5,
                "Plate waste -31 %; leftovers -24 %.",
                "Pupils' own weekly goals did more than the dashboard.",
                "7.10",
            ),
            evaluate(
                DIVISION,
                5,
                "Plate waste -29 % over the whole period.",
                "Kitchen staff need a two-minute routine, not a report.",
                "6.90",
            ),
            decide(
                Decision.SCALE_CITIES,
                "Waste fell by almost a third. Espoo and Tampere asked for the results through "
                "the Six City network; the company offers the solution to them with the "
                "Helsinki reference.",
            ),
            publish("cost_to_city"),
        ],
    ),
    PilotSpec(
        title="Noise monitoring at construction sites",
        company="sensori",
        theme="clean-urban",
        start=-330,
        months=6,
        summary="Noise sensors at the edges of large construction sites that warn the contractor "
        "when limits are exceeded and publish the levels for neighbours.",
        need="Construction noise is one of the most common complaints from residents, and the "
        "environmental services hear of it only afterwards.",
        solution="Class 1 noise sensors, real-time alerts to the site manager, and a public map of "
        "noise levels.",
        site_wish="Two large construction sites in Pasila",
        cost=14000,
        funding=[F.DIVISION_BUDGET, F.COMPANY],
        impact="Fewer noise complaints; contractors who react at once.",
        kpis="Noise complaints a month; hours above the limit; time to react to an alert.",
        steps=[
            *signed("urban-environment"),
            close_execution("Six months at two sites; one finished its noisiest phase early."),
            evaluate(
                COMPANY,
                4,
                "Alerts answered in 11 minutes on average.",
                "Site managers want alerts by text message.",
            ),
            evaluate(
                DIVISION,
                3,
                "Complaints -40 % at one site; too little data at the other.",
                "Choose sites whose noisy phase covers the whole pilot period.",
            ),
            decide(
                Decision.CONTINUE,
                "The alerts worked, but the data is too thin to decide on wider use. The pilot "
                "continues at two new sites for six months at the company's cost.",
                grant=False,
            ),
            publish("kpis"),
        ],
    ),
    PilotSpec(
        title="Indoor navigation in the central library",
        company="oivallus",
        theme="digitality-data",
        start=-300,
        months=4,
        summary="Bluetooth beacons and a web app that guide customers to collections, rooms and "
        "services inside a large library.",
        need="Customers of a large, multi-storey library often ask the staff for directions.",
        solution="Beacons in each area and a map in the library's web app; nothing to install.",
        site_wish="The central library",
        cost=7000,
        funding=[F.INNOVATION_FUND],
        impact="Less staff time spent on directions; easier first visits.",
        kpis="App sessions a week; direction questions at the desk; customer feedback.",
        steps=[
            *signed("culture-leisure"),
            close_execution("Four months, as planned."),
            evaluate(
                COMPANY,
                3,
                "1,100 app sessions in four months.",
                "Positioning needs more beacons near glass walls.",
            ),
            evaluate(
                DIVISION,
                2,
                "Direction questions at the desk did not fall.",
                "Customers prefer to ask the staff; better signs would help more.",
            ),
            decide(
                Decision.END,
                "Few customers used the app and positioning was unreliable near the glass "
                "walls. The library will improve its signs instead.",
                grant=False,
            ),
            consent("solution"),
        ],
    ),
    PilotSpec(
        title="Drone transport of laboratory samples",
        company="sensori",
        theme="mobility",
        start=120,
        months=6,
        summary="Drones that carry laboratory samples from health stations to the central lab.",
        need="Samples travel by courier van through congested streets several times a day.",
        solution="Autonomous drones with temperature-controlled boxes on fixed routes.",
        site_wish="Three health stations and the central laboratory",
        cost=30000,
        funding=[F.HORIZON, F.COMPANY],
        impact="Faster sample transport; fewer van kilometres.",
        kpis="Transport time; samples delivered; van kilometres avoided.",
        emission="5.00",
        steps=[
            screen(
                ScreeningDecision.REJECT,
                "Flights over dense housing need permits that cannot be had within the "
                "planned period, and the laboratory already has a same-day courier service. "
                "You are welcome to propose the idea again when the rules allow such routes.",
            )
        ],
    ),
    PilotSpec(
        title="Sign-language learning app for early childhood education",
        company="oivallus",
        theme="learning",
        start=50,
        months=6,
        summary="A playful app that teaches everyday signs to children and staff in day-care "
        "groups with deaf or hard-of-hearing children.",
        need="Day-care groups with a signing child need the whole group to learn signs quickly.",
        solution="Short video lessons and games on the group's tablet, with a weekly word list for "
        "the families.",
        site_wish="Three day-care centres",
        cost=4000,
        funding=[F.INNOVATION_FUND],
        impact="Inclusion of signing children in their day-care group.",
        kpis="Signs learned by the group; staff and family feedback.",
        steps=[
            *accepted("education"),
            withdraw(
                "Our development team has moved to another product; we will propose the "
                "pilot again next year."
            ),
        ],
    ),
    PilotSpec(
        title="Heat-pump monitoring in day-care centres",
        company="sensori",
        theme="clean-urban",
        start=-60,
        months=7,
        summary="Remote monitoring and tuning of the air-to-water heat pumps of day-care centre "
        "buildings, to cut electricity use and spot faults early.",
        need="Heat pumps in small city buildings run on factory settings, and faults are noticed "
        "only when the rooms get cold.",
        solution="Sensors on the heat pumps and the heating circuit; weekly tuning by the "
        "company's energy experts; alerts to the property maintenance.",
        site_wish="Two day-care centres",
        cost=7500,
        funding=[F.NATIONAL, F.DIVISION_BUDGET],
        impact="Lower electricity use for heating; fewer cold days.",
        kpis="kWh for heating per degree day; faults found early; indoor temperature complaints.",
        emission="9.40",
        steps=[
            *signed("education"),
            report(
                30,
                "Sensors installed in both buildings; first tuning done.",
                "Heating electricity -12 % per degree day.",
            ),
            cancel(
                "Both day-care centres were closed for renovation at short notice, and no "
                "comparable site is free during the contract period."
            ),
        ],
    ),
]


# -- the command ----------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create demo users (one per role, password kokeilu-demo), companies and pilots at "
        "every stage and outcome. Idempotent: what already exists is left alone."
    )

    def handle(self, *args, **options):
        # The demo's notices appear under each demo user's bell; no mail is sent for them.
        with notification_services.mail_suppressed():
            new_users, new_pilots = self._seed()
        self._summary(new_users, new_pilots)

    @transaction.atomic
    def _seed(self) -> tuple[int, int]:
        companies = {key: self._company(spec) for key, spec in COMPANIES.items()}
        new_users = self._users(companies)
        users = User.objects.in_bulk([spec.username for spec in USERS], field_name="username")
        cast = Cast(users, companies)
        themes = PlatformTheme.objects.in_bulk(field_name="code")
        today = timezone.localdate()
        new_pilots = 0
        created = []
        # Earliest planned start first, so that the references follow the pilots' ages.
        for spec in sorted(PILOTS, key=lambda spec: spec.start):
            if Pilot.objects.filter(submission_token=spec.token).exists():
                continue
            created.append(self._pilot(spec, cast, themes[spec.theme], today))
            new_pilots += 1
        # Lead times worth reading on the dashboard (the steps above ran within a second).
        insight_demo.spread_task_times(pilots=created)
        # Innovation calls: one open with applications, one whose selection started pilots.
        calls_demo.seed(
            users=users,
            companies=companies,
            contacts={key: spec.contact for key, spec in COMPANIES.items()},
            today=today,
        )
        return new_users, new_pilots

    def _company(self, spec: CompanySpec) -> Company:
        company = Company.objects.filter(business_id=spec.business_id).first()
        if company is None:
            company = case_services.company_create(
                name=spec.name, business_id=spec.business_id, website=spec.website
            )
        return company

    def _users(self, companies: dict[str, Company]) -> int:
        # One hash for all: hashing each demo user's password would take most of the run.
        password = make_password(PASSWORD)
        created_count = 0
        for spec in USERS:
            user, created = User.objects.get_or_create(
                username=spec.username,
                defaults={
                    "first_name": spec.first_name,
                    "last_name": spec.last_name,
                    "email": spec.email,
                    "password": password,
                    "is_staff": spec.role == "admin",
                    "is_superuser": spec.role == "admin",
                },
            )
            created_count += created
            # Grants are idempotent: nothing is written for a role the user already has.
            if spec.role in ROLE_GROUPS:
                user.groups.add(Group.objects.get(name=ROLE_GROUPS[spec.role]))
            elif spec.role == "division":
                division = Division.objects.get(code=spec.of)
                case_services.division_staff_add(user=user, division=division, can_sign=True)
            elif spec.role == "company" and not selectors.is_company_member(
                user, companies[spec.of]
            ):
                case_services.membership_activate(company=companies[spec.of], user=user)
        return created_count

    def _pilot(self, spec: PilotSpec, cast: Cast, theme: PlatformTheme, today) -> Pilot:
        company = cast.companies[spec.company]
        pilot = flow_services.pilot_submit(
            company=company,
            by=cast.submitter(company),
            proposal=spec.proposal(theme, today),
            submission_token=spec.token,
        )
        for step in spec.steps:
            step(Pilot.objects.get(pk=pilot.pk), cast)
        return pilot

    def _summary(self, new_users: int, new_pilots: int) -> None:
        pilots = Pilot.objects.filter(submission_token__in=[spec.token for spec in PILOTS])
        stages = Counter(pilots.values_list("stage", flat=True))
        outcomes = Counter(pilots.exclude(outcome="").values_list("outcome", flat=True))
        if new_users or new_pilots:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data: created {new_users} users and {new_pilots} pilots.")
            )
        else:
            self.stdout.write("Demo data already present: nothing created.")
        self.stdout.write(
            f"Users (password {PASSWORD}): " + ", ".join(spec.username for spec in USERS)
        )
        self.stdout.write(
            f"{pilots.count()} demo pilots by stage: "
            + ", ".join(f"{stage} {stages[stage]}" for stage in Stage.values)
        )
        self.stdout.write(
            "Closed by outcome: "
            + ", ".join(f"{outcome} {outcomes[outcome]}" for outcome in Outcome.values)
        )
        self.stdout.write(
            "Innovation calls: "
            + ", ".join(
                f"{call.title} ({call.get_status_display()}, "
                f"{call.applications.count()} applications)"
                for call in Call.objects.filter(
                    title__in=[calls_demo.OPEN_TITLE, calls_demo.CLOSED_TITLE]
                ).order_by("title")
            )
        )
