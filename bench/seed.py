"""Fast, realistic seeding for B2: N pilots spread over every stage, division and company,
with their processes, open and finished tasks, due dates, timelines, evaluations, scaling
decisions and the history rows of all of these.

How: one *template* pilot per state is driven through PilotFlow with the real services and
activations (workflows.scenarios), so its rows are exactly what the application writes. Each
template is then copied in bulk (executemany, with explicit ids) to its share of the N pilots: a
fresh pilot number, company, division, theme, title and dates; the users mapped to the copy's
company, division and agent; every id remapped (pilot, process, tasks, task links, the guardian
object of each task's permission). The history rows are copied explicitly with the rows they
describe, so nothing that `save()` would have recorded is missing.

Not copied (none of the measured pages lists them): notifications and their outbox mails,
contracts (their documents are files) and references. The template pilots themselves keep
theirs.
"""

import datetime
import random
import uuid

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from guardian.models import UserObjectPermission
from viewflow.workflow.models import Process, Task

from cases import roles
from cases import services as case_services
from cases.models import (
    Company,
    CompanyMembership,
    Division,
    Evaluation,
    Pilot,
    PlatformTheme,
    ReferenceSequence,
    ScalingDecision,
    TimelineEntry,
)
from cases.validators import business_id_check_digit
from registry import services as registry_services
from workflows import scenarios as sc
from workflows.models import PilotProcess, ScreeningDecision, TaskDeadline
from workflows.services import pilot_submit

User = get_user_model()

# The share of the pilots in each state (the node whose task is open, or how it ended). Open
# tasks wait in the shared queue, except a screening taken by an agent and the running
# pilots' follow-up, which their agent holds.
STATES = {
    "screen": 8,
    "screen_assigned": 4,
    "request_information": 4,
    "match": 6,
    "review_match": 6,
    "prepare_contract": 5,
    "accept_contract": 4,
    "sign_contract": 4,
    "run_pilot": 20,
    "evaluate": 6,
    "decide_scaling": 4,
    "closed": 13,
    "closed_published": 6,
    "rejected": 10,
}
PILOTS_PER_COMPANY = 10
# Staff grow with the pilots, as they would: an innovation agent follows 1,000 pilots, a
# division has one member of staff per 250 of its pilots. Each copy goes to the agent and
# staff member of its block of numbers, so the measured users' own work (their inbox and
# archive) is the same at every size, while the shared queues and lists grow.
PILOTS_PER_AGENT = 1000
PILOTS_PER_STAFF = 250
BATCH = 2000
PASSWORD = "kokeilu-bench"  # noqa: S105 (users of a throwaway benchmark database)


class Cast:
    """The users of the seeded world. `agent`, `staff` (of Education) and `company_user` (of
    the first company, always PILOTS_PER_COMPANY pilots) are the users the pages are measured
    for."""

    def __init__(self):
        self.divisions = list(Division.objects.order_by("pk"))
        self.themes = list(PlatformTheme.objects.order_by("pk"))
        self.agents = [_user("agent0", group=roles.AGENTS)]
        self.agent = self.agents[0]
        self.legal = _user("legal", group=roles.LEGAL)
        self.staff_of = {}
        for division in self.divisions:
            user = _user(f"staff-{division.code}")
            case_services.division_staff_add(user=user, division=division, can_sign=True)
            self.staff_of[division.pk] = [User.objects.get(pk=user.pk)]
        self.education = Division.objects.get(code="education")
        self.staff = self.staff_of[self.education.pk][0]
        self.template_company = case_services.company_create(
            name="Mallipilotti Oy", business_id=_business_id(0)
        )
        self.template_user = _user("template-company")
        case_services.membership_activate(company=self.template_company, user=self.template_user)
        self.template_user = User.objects.get(pk=self.template_user.pk)
        self.companies: list[Company] = []
        self.company_user_of: dict[int, int] = {}

    @property
    def company(self) -> Company:
        return self.companies[0]

    @property
    def company_user(self):
        return User.objects.get(pk=self.company_user_of[self.company.pk])


def _user(username: str, group: str | None = None):
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)


def _business_id(n: int) -> str:
    base = 2000000 + n * 3
    while business_id_check_digit(f"{base:07d}") is None:
        base += 1
    return f"{base:07d}-{business_id_check_digit(f'{base:07d}')}"


# -- companies and their users, in bulk ----------------------------------------------------


def seed_companies(cast: Cast, count: int) -> None:
    """`count` companies, each with one active member who holds the company's permission,
    with their history rows."""
    now = timezone.now()
    password = make_password(PASSWORD)
    first = len(cast.companies)
    numbers = range(first, first + count)
    companies = Company.objects.bulk_create(
        [
            Company(name=f"Yritys {n} Oy", business_id=_business_id(n + 1), created=now)
            for n in numbers
        ],
        batch_size=BATCH,
    )
    users = User.objects.bulk_create(
        [
            User(
                username=f"company{n}",
                email=f"company{n}@example.com",
                password=password,
                date_joined=now,
            )
            for n in numbers
        ],
        batch_size=BATCH,
    )
    memberships = CompanyMembership.objects.bulk_create(
        [
            CompanyMembership(company=company, user=user, status=CompanyMembership.Status.ACTIVE)
            for company, user in zip(companies, users, strict=True)
        ],
        batch_size=BATCH,
    )
    act_for_company = Permission.objects.get(
        content_type__app_label="cases", codename="act_for_company"
    )
    company_type = ContentType.objects.get_for_model(Company)
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                permission=act_for_company,
                content_type=company_type,
                object_pk=str(company.pk),
                user=user,
            )
            for company, user in zip(companies, users, strict=True)
        ],
        batch_size=BATCH,
    )
    for model, rows in ((Company, companies), (CompanyMembership, memberships)):
        history = model.history.model
        history.objects.bulk_create(
            [_history_row(history, row, history_date=now, history_type="+") for row in rows],
            batch_size=BATCH,
        )
    cast.companies += companies
    cast.company_user_of.update(
        {company.pk: user.pk for company, user in zip(companies, users, strict=True)}
    )


def _history_row(history, row, **extra):
    values = {
        field.attname: getattr(row, field.attname)
        for field in history._meta.concrete_fields
        if hasattr(row, field.attname) and field.attname != "history_id"
    }
    return history(**values, **extra)


# -- template pilots, driven through the real flow -------------------------------------------


def drive_template(cast: Cast, state: str) -> Pilot:
    """One pilot of the template company, in Education, left in `state`."""
    agent, staff, user, legal = cast.agent, cast.staff, cast.template_user, cast.legal
    pilot = pilot_submit(
        company=cast.template_company,
        by=user,
        proposal=sc.proposal(
            cast.themes[0], title=f"Template {state}", start=datetime.date(2027, 3, 1)
        ),
    )
    if state == "screen":
        return pilot
    if state == "screen_assigned":
        task = sc.open_task(pilot, "screen")
        with task.activation() as activation:
            activation.assign(agent)
        return pilot
    if state == "request_information":
        sc.screen(pilot, agent, ScreeningDecision.REQUEST_INFORMATION, "Tell us more.")
        return pilot
    if state == "rejected":
        sc.screen(pilot, agent, ScreeningDecision.REJECT, "Not a fit for the city.")
        return pilot
    steps = [
        ("match", lambda: sc.screen(pilot, agent)),
        ("review_match", lambda: sc.match(pilot, agent, cast.education)),
        ("prepare_contract", lambda: sc.review_match(pilot, staff)),
        ("accept_contract", lambda: sc.prepare_contract(pilot, legal, staff)),
        ("sign_contract", lambda: sc.accept_contract(pilot, user)),
        ("run_pilot", lambda: sc.sign_contract(pilot, staff)),
        ("evaluate", lambda: sc.run_pilot(pilot, agent)),
        (
            "decide_scaling",
            lambda: (
                sc.evaluate(pilot, staff, Evaluation.Party.DIVISION),
                sc.evaluate(pilot, user, Evaluation.Party.COMPANY),
            ),
        ),
        ("closed", lambda: sc.decide_scaling(pilot, staff)),
    ]
    for reached, step in steps:
        step()
        if reached == state == "run_pilot":
            # The pilot's agent follows a running pilot: the task is theirs until it ends.
            task = sc.open_task(pilot, "run_pilot")
            with task.activation() as activation:
                activation.assign(agent)
        if reached == state:
            return pilot
    pilot.refresh_from_db()
    registry_services.pilot_consent_publication(pilot=pilot, by=user)
    registry_services.pilot_publish(pilot=Pilot.objects.get(pk=pilot.pk), by=agent)
    return pilot


# -- copying a template ----------------------------------------------------------------------


class _Copy:
    """Where one copy of a template goes: its ids, owners and dates."""

    def __init__(self, cast: Cast, n: int, rng: random.Random, start: datetime.datetime):
        self.n = n
        self.company = cast.companies[n // PILOTS_PER_COMPANY % len(cast.companies)]
        self.division = cast.divisions[n % len(cast.divisions)]
        self.theme = cast.themes[n % len(cast.themes)]
        # Spread over the three years before the start (newest first in the lists).
        self.shift = start - datetime.timedelta(minutes=n * 15 + rng.randrange(15))
        self.users = {
            cast.agent.pk: cast.agents[n // PILOTS_PER_AGENT].pk,
            cast.staff.pk: cast.staff_of[self.division.pk][
                n // (PILOTS_PER_STAFF * len(cast.divisions))
            ].pk,
            cast.template_user.pk: cast.company_user_of[self.company.pk],
            cast.legal.pk: cast.legal.pk,
        }
        self.ids: dict[str, dict[int, int]] = {}


def _remapper(cast: Cast, template: Pilot, base: datetime.datetime):
    """A function that fills a copy of a row (or history row) for one _Copy."""
    company_type = ContentType.objects.get_for_model(Company).pk
    division_type = ContentType.objects.get_for_model(Division).pk
    targets = {
        get_user_model(): "user",
        Pilot: "pilot",
        Company: "company",
        Division: "division",
        PlatformTheme: "theme",
        Process: "process",
        PilotProcess: "process",
        Task: "task",
    }
    template_day = base.date()

    plans = {}
    adapt_datetime = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value

    def plan(model, row, skip):
        """The row's values that every copy shares, and those that each copy maps."""
        static, dynamic = {}, []
        for field in model._meta.concrete_fields:
            name = field.attname
            if name in skip:
                continue
            value = getattr(row, name)
            target = targets.get(getattr(field, "related_model", None))
            if value is None:
                static[name] = None
            elif target:
                dynamic.append((name, target, value))
            elif isinstance(value, datetime.datetime):
                dynamic.append((name, "datetime", value - base))
            elif isinstance(value, datetime.date):
                dynamic.append((name, "date", value - template_day))
            else:
                static[name] = field.get_db_prep_save(value, connection)
        obj_type = static.get("owner_permission_content_type_id")
        if static.get("owner_permission_obj_pk") and obj_type in (company_type, division_type):
            dynamic.append(("owner_permission_obj_pk", obj_type, None))
        return static, dynamic

    def remap(model, row, copy: _Copy, skip=()) -> dict:
        key = (model, row.pk if hasattr(row, "pk") else id(row))
        if key not in plans:
            plans[key] = plan(model, row, skip)
        static, dynamic = plans[key]
        values = dict(static)
        for name, kind, value in dynamic:
            if kind == "user":
                value = copy.users.get(value, value)
            elif kind == "company":
                value = copy.company.pk
            elif kind == "division":
                value = copy.division.pk
            elif kind == "theme":
                value = copy.theme.pk
            elif kind == "datetime":
                value = adapt_datetime(copy.shift + value)
            elif kind == "date":
                value = adapt_date(copy.shift.date() + value)
            elif kind == company_type:
                value = str(copy.company.pk)
            elif kind == division_type:
                value = str(copy.division.pk)
            else:
                value = copy.ids[kind][value]
            values[name] = value
        return values

    return remap


class _Ids:
    """The next free id of each table: the copies are inserted with their ids, so that the
    rows that refer to them can be written in the same pass; the sequences are reset after."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, model, count: int) -> range:
        table = model._meta.db_table
        if table not in self.next:
            self.next[table] = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        first = self.next[table]
        self.next[table] += count
        return range(first, first + count)


def _insert(model, rows: list[dict]) -> None:
    """Write the rows (values ready for the database): COPY on PostgreSQL, INSERTs in batches
    on SQLite."""
    if not rows:
        return
    columns = {field.attname: field.column for field in model._meta.concrete_fields}
    names = list(rows[0])
    quote = connection.ops.quote_name
    # The table and columns are the model's own; the values are parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(columns[name]) for name in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: several times faster than INSERTs in a pipeline for a million rows.
            copy_sql = (
                f"COPY {quote(model._meta.db_table)} "
                f"({', '.join(quote(columns[name]) for name in names)}) FROM STDIN"
            )
            with cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row([row[name] for name in names])
            return
        for first in range(0, len(rows), BATCH):
            cursor.executemany(
                sql, [tuple(row[name] for name in names) for row in rows[first : first + BATCH]]
            )


def copy_template(cast: Cast, template: Pilot, numbers: list[int], start, rng) -> None:
    """Copies of `template` as pilots number `numbers` (each its own company, division...)."""
    process = PilotProcess.objects.get(pilot=template)
    tasks = list(Task.objects.filter(process_id=process.pk).order_by("pk"))
    task_ids = [task.pk for task in tasks]
    links = list(
        Task.previous.through.objects.filter(from_task_id__in=task_ids).values_list(
            "from_task_id", "to_task_id"
        )
    )
    deadlines = list(TaskDeadline.objects.filter(task_id__in=task_ids))
    per_pilot = {
        model: list(model.objects.filter(pilot=template).order_by("pk"))
        for model in (TimelineEntry, Evaluation, ScalingDecision)
    }

    def history_of(model, ids):
        return list(model.history.model.objects.filter(id__in=ids).order_by("history_id"))

    histories = {
        Pilot: history_of(Pilot, [template.pk]),
        PilotProcess: history_of(PilotProcess, [process.pk]),
        Task: list(
            apps.get_model("workflows", "HistoricalTask")
            .objects.filter(id__in=task_ids)
            .order_by("history_id")
        ),
        **{model: history_of(model, [row.pk for row in rows]) for model, rows in per_pilot.items()},
    }
    remap = _remapper(cast, template, template.created)
    copies = [_Copy(cast, n, rng, start) for n in numbers]
    ids = cast.ids
    token_field = Pilot._meta.get_field("submission_token")
    with transaction.atomic():
        # Pilots
        pilot_rows = []
        for copy, pilot_id in zip(copies, ids.take(Pilot, len(copies)), strict=True):
            values = remap(Pilot, template, copy, skip=("id",))
            values.update(
                id=pilot_id,
                reference=f"PIL-{copy.shift.year}-{copy.n + 1:06d}",
                title=f"{template.title.replace('Template', 'Pilot')} {copy.n + 1}",
                submission_token=token_field.get_db_prep_save(uuid.uuid4(), connection),
                division_id=copy.division.pk if template.division_id else None,
            )
            copy.ids["pilot"] = {template.pk: pilot_id}
            pilot_rows.append(values)
        _insert(Pilot, pilot_rows)
        # Processes: the base row, then the PilotProcess row (multi-table inheritance)
        process_rows, pilot_process_rows = [], []
        for copy, process_id in zip(copies, ids.take(Process, len(copies)), strict=True):
            copy.ids["process"] = {process.pk: process_id}
            process_rows.append({**remap(Process, process, copy, skip=("id",)), "id": process_id})
            pilot_process_rows.append(
                {
                    **remap(PilotProcess, process, copy, skip=_parent_fields()),
                    "process_ptr_id": process_id,
                }
            )
        _insert(Process, process_rows)
        _insert(PilotProcess, pilot_process_rows)
        # Tasks, their links, due dates
        task_rows = []
        new_ids = iter(ids.take(Task, len(copies) * len(tasks)))
        for copy in copies:
            copy.ids["task"] = {old: next(new_ids) for old in task_ids}
            for task in tasks:
                task_rows.append(
                    {**remap(Task, task, copy, skip=("id",)), "id": copy.ids["task"][task.pk]}
                )
        _insert(Task, task_rows)
        _insert(
            Task.previous.through,
            [
                {"from_task_id": copy.ids["task"][source], "to_task_id": copy.ids["task"][target]}
                for copy in copies
                for source, target in links
            ],
        )
        _insert(
            TaskDeadline,
            [
                remap(TaskDeadline, deadline, copy, skip=("id",))
                for copy in copies
                for deadline in deadlines
            ],
        )
        # Timeline, evaluations, scaling decision
        for model, rows in per_pilot.items():
            new_rows = []
            new_ids = iter(ids.take(model, len(copies) * len(rows)))
            for copy in copies:
                copy.ids[model._meta.model_name] = {row.pk: next(new_ids) for row in rows}
                for row in rows:
                    values = remap(model, row, copy, skip=("id",))
                    values["id"] = copy.ids[model._meta.model_name][row.pk]
                    new_rows.append(values)
            _insert(model, new_rows)
        # History rows of everything above, written explicitly
        for model, rows in histories.items():
            if not rows:
                continue
            history = rows[0].__class__
            key = {Pilot: "pilot", PilotProcess: "process", Task: "task"}.get(
                model, model._meta.model_name
            )
            new_rows = []
            for copy, pilot in zip(copies, pilot_rows, strict=True):
                for row in rows:
                    values = remap(history, row, copy, skip=("history_id",))
                    values["id"] = copy.ids[key][row.id]
                    if model is PilotProcess:
                        values["process_ptr_id"] = values["id"]
                    if model is Pilot:
                        values["reference"] = pilot["reference"]
                        values["title"] = pilot["title"]
                        values["submission_token"] = pilot["submission_token"]
                    new_rows.append(values)
            _insert(history, new_rows)


def _parent_fields() -> tuple[str, ...]:
    local = {field.attname for field in PilotProcess._meta.local_concrete_fields}
    parents = [field.attname for field in PilotProcess._meta.concrete_fields]
    return (*[name for name in parents if name not in local], "process_ptr_id")


def _reset_sequences() -> None:
    """After inserting with explicit ids (PostgreSQL; SQLite's AUTOINCREMENT follows)."""
    models = [Pilot, Process, Task, TimelineEntry, Evaluation, ScalingDecision]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def seed(size: int, *, rng_seed: int = 1, log=print) -> Cast:
    """The cast and the template pilots (one per state), then copies up to `size` pilots
    (besides those already in the database, such as B1's)."""
    baseline = Pilot.objects.count()
    cast = Cast()
    cast.baseline = baseline
    cast.rng = random.Random(rng_seed)  # noqa: S311 (a reproducible spread, not a secret)
    cast.start = timezone.now() - datetime.timedelta(days=1)
    cast.copied = 0
    cast.ids = _Ids()
    cast.templates = {
        state: Pilot.objects.get(pk=drive_template(cast, state).pk) for state in STATES
    }
    grow(cast, size, log=log)
    return cast


def grow(cast: Cast, size: int, *, log=print) -> None:
    """More copies of the templates, until there are `size` pilots, spread over the states
    by STATES."""
    companies = max(1, size // PILOTS_PER_COMPANY)
    if companies > len(cast.companies):
        seed_companies(cast, companies - len(cast.companies))
    while len(cast.agents) * PILOTS_PER_AGENT < size:
        cast.agents.append(_user(f"agent{len(cast.agents)}", group=roles.AGENTS))
    for division in cast.divisions:
        staff = cast.staff_of[division.pk]
        while len(staff) * PILOTS_PER_STAFF * len(cast.divisions) < size:
            user = _user(f"staff-{division.code}-{len(staff)}")
            case_services.division_staff_add(user=user, division=division, can_sign=True)
            staff.append(User.objects.get(pk=user.pk))
    count = size - len(cast.templates) - cast.copied
    weights = sum(STATES.values())
    shares = {state: count * weight // weights for state, weight in STATES.items()}
    shares["run_pilot"] += count - sum(shares.values())
    numbers = list(range(cast.copied, cast.copied + count))
    cast.rng.shuffle(numbers)
    offset = 0
    for state, share in shares.items():
        mine = sorted(numbers[offset : offset + share])
        offset += share
        for chunk in range(0, len(mine), BATCH // 4):
            copy_template(
                cast, cast.templates[state], mine[chunk : chunk + BATCH // 4], cast.start, cast.rng
            )
        log(f"  {state}: {share} pilots")
    cast.copied += count
    _reset_sequences()
    last: dict[int, int] = {}
    for reference in Pilot.objects.values_list("reference", flat=True).iterator():
        _prefix, year, number = reference.split("-")
        last[int(year)] = max(last.get(int(year), 0), int(number))
    for year, number in last.items():
        ReferenceSequence.objects.update_or_create(year=year, defaults={"last": number})
    assert Pilot.objects.count() == cast.baseline + size, Pilot.objects.count()
