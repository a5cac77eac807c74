"""The engine of the access-control matrix: the URL inventory from the resolver, the rows from
matrix/*.yaml, the kwargs of each cell and the comparison of an answer with its expectation.
README.md describes the format."""

import fnmatch
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from viewflow.workflow.models import Task

from cases.models import Pilot
from workflows.scenarios import MINIMAL_PDF

from . import objects as objects_package
from .world import ACTORS, SHARED_PILOTS

HERE = Path(__file__).parent
ROWS_DIR = HERE / "matrix"
DENIALS = {401, 403, 404, 405, "login"}
# -- the URL inventory ----------------------------------------------------------------------


@dataclass
class NamedUrl:
    name: str
    pattern: str
    params: list[str]
    positional: int = 0


def _params(pattern) -> list[str]:
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _positional(pattern) -> int:
    regex = getattr(pattern, "regex", None)
    return regex.groups - len(regex.groupindex) if regex is not None else 0


def url_inventory() -> dict[str, NamedUrl]:
    """Every named URL of the site, by its full (namespaced) name: the first pattern of each."""
    found: dict[str, NamedUrl] = {}

    def walk(patterns, prefix: str, namespace: str | None, params: list[str]):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(
                    entry.url_patterns,
                    prefix + str(entry.pattern),
                    inner,
                    params + _params(entry.pattern),
                )
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.setdefault(
                    name,
                    NamedUrl(
                        name,
                        prefix + str(entry.pattern),
                        params + _params(entry.pattern),
                        _positional(entry.pattern),
                    ),
                )

    walk(get_resolver().url_patterns, "", None, [])
    return found


# -- the rows ---------------------------------------------------------------------------------


@dataclass
class Row:
    url: str
    methods: list[str]
    objects: list[str] | None
    expect: dict
    source: str
    data: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    visible: dict | None = None
    changes: list[str] | None = None

    def checks_unchanged(self, actor: str, expectation, method: str) -> bool:
        """Whether a cell must leave the data as it was: every denial; every GET unless the
        row's `changes` names the actor (opening a notification marks it read); every POST of
        an actor that the row's `changes` does not name, when it has one."""
        if is_denial(expectation):
            return True
        if method == "GET":
            return self.changes is None or actor not in self.changes
        return self.changes is not None and actor not in self.changes

    @property
    def is_glob(self) -> bool:
        return any(ch in self.url for ch in "*?[")

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.url) if self.is_glob else name == self.url


def load_rows() -> list[Row]:
    rows = []
    for path in sorted(ROWS_DIR.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text()) or []:
            methods = raw.get("method", "GET")
            rows.append(
                Row(
                    url=raw["url"],
                    methods=[methods] if isinstance(methods, str) else list(methods),
                    objects=raw.get("objects"),
                    expect=raw["expect"],
                    source=path.name,
                    data=raw.get("data") or {},
                    kwargs=raw.get("kwargs") or {},
                    visible=raw.get("visible"),
                    changes=raw.get("changes"),
                )
            )
    return rows


def row_for(rows: list[Row], name: str, method: str) -> Row | None:
    """The row that decides a URL and method: an exact name beats a glob, a longer glob beats a
    shorter one."""
    candidates = [row for row in rows if method in row.methods and row.matches(name)]
    if not candidates:
        return None
    return max(candidates, key=lambda row: (not row.is_glob, len(row.url)))


def rows_by_url(rows: list[Row], inventory: dict[str, NamedUrl]) -> list[tuple[NamedUrl, Row]]:
    """Each (URL, row) pair that is a line of the matrix, for every method the rows name."""
    pairs = []
    for url in inventory.values():
        for method in ("GET", "POST"):
            row = row_for(rows, url.name, method)
            if row is not None:
                pairs.append((url, method, row))
    return pairs


# -- objects and kwargs ---------------------------------------------------------------------


def build_app_objects(world) -> None:
    """Call build(world) of every module in objects/ and add what it returns to the world."""
    for module_info in pkgutil.iter_modules(objects_package.__path__):
        module = importlib.import_module(f"{objects_package.__name__}.{module_info.name}")
        for name, value in module.build(world).items():
            setattr(world, name, value)


def _attribute(obj, path: str):
    if path.startswith("="):
        return path[1:]
    value = obj
    for part in path.split("."):
        value = getattr(value, part)
    return value


class NoCell(Exception):
    """The object has nothing for this URL (a pilot without a task of the URL's node)."""


def _node_task(pilot: Pilot, node: str) -> Task:
    task = (
        Task.objects.filter(process__pilotprocess__pilot=pilot, flow_task=_flow_node(node))
        .order_by("-pk")
        .first()
    )
    if task is None:
        raise NoCell
    return task


def _flow_node(node: str):
    from workflows.flows import PilotFlow

    return getattr(PilotFlow, node)


def _admin_model(name: str):
    """The model of an admin URL name such as admin:cases_pilot_change."""
    short = name.split(":", 1)[1]
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if short.startswith(prefix):
            return model
    return None


def admin_kwargs(world, url: NamedUrl) -> dict | list:
    model = _admin_model(url.name)
    first = model._default_manager.order_by("pk").first() if model is not None else None
    if url.positional:
        # simple-history's admin: the object and one of its history rows
        history = model.history.filter(id=first.pk).order_by("pk").first() if first else None
        assert url.positional == 2, url.name
        return [str(first.pk if first else 0), str(history.history_id if history else 0)]
    kwargs = {}
    for param in url.params:
        if param in ("object_id", "object_pk"):
            if url.name == "admin:view_on_site":
                kwargs[param] = str(world.pilot_a_edu.pk)
            else:
                kwargs[param] = str(first.pk) if first is not None else "0"
        elif param == "content_type_id":
            kwargs[param] = str(ContentType.objects.get_for_model(Pilot).pk)
        elif param == "app_label":
            kwargs[param] = "cases"
        elif param in ("id", "user_id"):
            kwargs[param] = str(world.admin.pk)
        elif param == "group_id":
            kwargs[param] = str(Group.objects.order_by("pk").first().pk)
        elif param == "version_id":
            history = getattr(model, "history", None) if model is not None else None
            row = history.filter(id=first.pk).order_by("pk").first() if first else None
            kwargs[param] = str(row.history_id) if row is not None else "0"
        else:
            raise AssertionError(f"{url.name}: no admin value for {param}")
    return kwargs


def cell_kwargs(world, url: NamedUrl, row: Row, obj_name: str | None) -> dict | list:
    """The URL's kwargs for one object of a row."""
    if url.name.startswith("admin:") and not row.kwargs:
        return admin_kwargs(world, url)
    obj = getattr(world, obj_name) if obj_name else None
    kwargs = {}
    for param in url.params:
        if param in row.kwargs:
            kwargs[param] = _attribute(obj, row.kwargs[param])
        elif isinstance(obj, Pilot) and param == "reference":
            kwargs[param] = obj.reference
        elif isinstance(obj, Pilot) and param == "process_pk":
            kwargs[param] = obj.process.pk
        elif isinstance(obj, Pilot) and param == "task_pk":
            kwargs[param] = _node_task(obj, url.name.split(":")[1]).pk
        elif param == "pk" and obj is not None:
            kwargs[param] = obj.pk
        elif row.is_glob:
            raise NoCell  # a glob row's object that does not fit this URL
        else:
            raise AssertionError(f"{url.name} ({row.source}): no value for {param} of {obj_name}")
    return kwargs


def post_data(world, row: Row) -> dict:
    """The row's POST body: "@path" is an attribute path on the world (e.g. "@agent2.pk"),
    "@pdf" a fresh small PDF upload, a list is sent as repeated fields."""

    def value(item):
        if isinstance(item, str) and item == "@pdf":
            return SimpleUploadedFile("plan.pdf", MINIMAL_PDF, content_type="application/pdf")
        if isinstance(item, str) and item.startswith("@"):
            return _attribute(world, item[1:])
        return item

    return {
        key: [value(item) for item in raw] if isinstance(raw, list) else value(raw)
        for key, raw in row.data.items()
    }


def cell_path(world, url: NamedUrl, row: Row, obj_name: str | None) -> str:
    kwargs = cell_kwargs(world, url, row, obj_name)
    if isinstance(kwargs, list):
        return reverse(url.name, args=kwargs)
    return reverse(url.name, kwargs=kwargs)


# -- expectations -----------------------------------------------------------------------------


def expected(row: Row, actor: str, obj_name: str | None):
    """The expected answer of a cell: a status, "login", "redirect", "skip", or a list."""
    by_actor = row.expect.get(actor, row.expect.get("*"))
    if by_actor is None:
        raise AssertionError(f"{row.url} ({row.source}): no expectation for {actor}")
    if isinstance(by_actor, dict):
        value = by_actor.get(obj_name, by_actor.get("*"))
        if value is None:
            raise AssertionError(f"{row.url} ({row.source}): no expectation for {actor}/{obj_name}")
        return value
    return by_actor


def _login_paths() -> tuple[str, ...]:
    return (settings.LOGIN_URL, reverse("admin:login"))


def answer(response) -> object:
    """The answer of a response in the matrix's terms."""
    if response.status_code in (301, 302, 303):
        location = response.headers.get("Location", "")
        if location.startswith(_login_paths()):
            return "login"
        return "redirect"
    return response.status_code


def agrees(expectation, got) -> bool:
    options = expectation if isinstance(expectation, list) else [expectation]
    return got in options


def is_denial(expectation) -> bool:
    options = expectation if isinstance(expectation, list) else [expectation]
    return all(option in DENIALS for option in options)


def visible_expected(row: Row, actor: str, world) -> set[str] | None:
    if row.visible is None:
        return None
    names = row.visible.get(actor, row.visible.get("*"))
    if names is None:
        raise AssertionError(f"{row.url} ({row.source}): no visible set for {actor}")
    if names == "all":
        names = SHARED_PILOTS
    return {getattr(world, name).reference for name in names}


REFERENCE_RE = re.compile(r"PIL-\d{4}-\d{4}")


def visible_found(body: str, world) -> set[str]:
    shared = {getattr(world, name).reference for name in SHARED_PILOTS}
    return set(REFERENCE_RE.findall(body)) & shared


# -- what a denied request must not do ---------------------------------------------------------

WRITE_RE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# The session is saved on every request (the idle timeout); that is not the request's effect.
ALLOWED_WRITES = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"django_session"', re.I)


def data_writes(captured: list[dict]) -> list[str]:
    """The statements of a request that wrote to any table but the sessions'."""
    return [
        query["sql"][:160]
        for query in captured
        if WRITE_RE.match(query["sql"]) and not ALLOWED_WRITES.match(query["sql"])
    ]


def actors() -> list[str]:
    return list(ACTORS)


def object_count(lines) -> int:
    """How many distinct objects the rows name (URLs without an object count as one)."""
    names = {name for _url, _method, row in lines for name in (row.objects or [None])}
    return len(names)
