"""The access-control matrix: every named URL x every actor x objects of different companies and
divisions, against the expectations in matrix/*.yaml (README.md). The run prints the matrix size
and the count of unexpected cells (tests/security/report.py)."""

import logging

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories as f

from . import matrix as m
from .world import ACTORS, build_world


def test_every_named_url_is_in_the_matrix():
    # given every named URL of the resolver and every row of matrix/*.yaml
    inventory = m.url_inventory()
    rows = m.load_rows()

    # when each URL looks for the rows that cover it
    missing = sorted(
        name
        for name in inventory
        if m.row_for(rows, name, "GET") is None and m.row_for(rows, name, "POST") is None
    )

    # then none is left out
    assert missing == []


def test_every_row_names_a_url_and_known_actors():
    # given the rows and the URL inventory
    inventory = m.url_inventory()
    rows = m.load_rows()
    known = set(ACTORS) | {"*"}

    # then every row covers at least one URL (no stale row), names only known actors, and
    # says something for every actor
    stale = [(row.source, row.url) for row in rows if not any(row.matches(n) for n in inventory)]
    unknown = [(row.source, row.url, set(row.expect) - known) for row in rows]
    assert stale == []
    assert [entry for entry in unknown if entry[2]] == []
    assert [
        row.url for row in rows if "*" not in row.expect and set(row.expect) != set(ACTORS)
    ] == []


def _login(client: Client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


@pytest.fixture
def quiet_request_log():
    """Thousands of expected 403/404/405 answers: not logged (an unexpected 500 is a cell of
    the failure message)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The shared and the apps' objects, built once per test module (and xdist worker) in a
    transaction that is rolled back at the end; each cell runs in its own savepoint."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            m.build_app_objects(world)
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.parametrize("actor", ACTORS)
def test_matrix(actor, matrix_world, db, record_property, quiet_request_log):
    # given the shared objects, the apps' own objects, and a client logged in as the actor
    world = matrix_world
    user = getattr(world, actor)
    client = Client(raise_request_exception=False)
    _login(client, user)
    lines = m.rows_by_url(m.load_rows(), m.url_inventory())

    # when the actor requests every cell (each in a savepoint that is rolled back afterwards)
    cells = 0
    unexpected = []
    for url, method, row in lines:
        for obj_name in row.objects if url.params and row.objects else [None]:
            expectation = m.expected(row, actor, obj_name)
            if expectation == "skip":
                continue
            try:
                path = m.cell_path(world, url, row, obj_name)
            except m.NoCell:
                continue
            cells += 1
            cache.clear()  # no throttling between cells
            # a full query log (9,000 entries) would hide this cell's statements
            connection.queries_log.clear()
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                if method == "POST":
                    response = client.post(path, m.post_data(world, row))
                else:
                    response = client.get(path)
                got = m.answer(response)
                where = f"{actor}: {method} {path} [{url.name} / {obj_name} / {row.source}]"
                writes = m.data_writes(queries.captured_queries)
                if not m.agrees(expectation, got):
                    unexpected.append(f"{where}: expected {expectation}, got {got}")
                elif writes and row.checks_unchanged(actor, expectation, method):
                    unexpected.append(f"{where}: answered {got} but wrote: {writes[0]}")
                elif got == 200 and row.visible is not None:
                    want = m.visible_expected(row, actor, world)
                    seen = m.visible_found(response.content.decode(errors="replace"), world)
                    if seen != want:
                        unexpected.append(f"{where}: shows {sorted(seen)}, expected {sorted(want)}")
                transaction.set_rollback(True)
            if user is not None and not client.session.session_key:
                _login(client, user)

    # then every answer is the expected one
    record_property("matrix", {"actor": actor, "cells": cells, "unexpected": len(unexpected)})
    record_property("matrix_urls", len({url.name for url, _method, _row in lines}))
    record_property("matrix_objects", m.object_count(lines))
    assert cells > 0
    if unexpected:
        pytest.fail(f"{len(unexpected)} unexpected cells:\n" + "\n".join(unexpected))


@pytest.mark.django_db
def test_the_write_check_sees_a_change_and_a_read_writes_nothing(world):
    # given an agent, a pilot, and a query log that is already full
    pilot = f.submit_pilot(world.company_a, world.company)
    client = Client()
    client.force_login(world.agent)
    connection.queries_log.extend({"sql": "SELECT 1", "time": "0"} for _ in range(9000))

    # when the agent reads the pilot, then adds a note, each as a matrix cell is run
    captured = []
    for method, path, data in (
        ("get", pilot.get_absolute_url(), None),
        ("post", f"{pilot.get_absolute_url()}notes/", {"text": "A note."}),
    ):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            getattr(client, method)(path, data)
        captured.append(m.data_writes(queries.captured_queries))

    # then the read wrote nothing (but the session) and the note's writes are seen
    assert captured[0] == []
    assert any('INSERT INTO "cases_' in sql for sql in captured[1])
