"""GET /process-definitions/{key}/statistics: per node of every version, open and completed tasks, median
and p90 wait (creation to completion, or to now while open), overdue open tasks. Same figures on SQLite
and PostgreSQL (run this file with DATABASE_URL=postgresql://… too)."""
import math
import random
from datetime import datetime, timedelta, timezone

import pytest

from tests.bpmn_variants import manual, unique_key
from tests.helpers import ok

DEFINITIONS = "/api/v1/process-definitions"
T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
P10D = ('name="sla" value="P5D"', 'name="sla" value="P10D"')  # deliver's SLA in the shipped diagram: 5 days


def percentile_cont(values: list[float], p: float) -> float:
    """The SQL standard's percentile_cont: linear interpolation between the values around p·(n−1)."""
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def deploy(api, who, xml: bytes) -> int:
    response = api.post(DEFINITIONS, who.token, data=xml, headers={"Content-Type": "application/xml"})
    assert response.status_code == 201, response.text
    return response.json()["version"]


def statistics(api, who, key: str):
    return api.get(f"{DEFINITIONS}/{key}/statistics", who.token if who else None)


def by_node(api, who, key: str) -> dict:
    return {row["node"]: row for row in ok(statistics(api, who, key))}


@pytest.fixture
def waiting(api, cast, clock, place_order_on, act, upload):
    """Orders of a key of its own over two versions, with waits chosen per task (seconds after T0):

    v1 (deliver SLA 5 days): A, B, C, D placed at 0, submitting at 10, 20, 30, 40; A delivers at 1010;
    E placed at 0 never submits. v2 (deliver SLA 10 days): F placed at 100, submits at 200. Now: 6 days."""
    key = unique_key("stats")
    deploy(api, cast.analyst, manual(key))
    clock(set=at(0))
    a, b, c, d, e = (place_order_on(key) for _ in range(5))
    for order, second in ((a, 10), (b, 20), (c, 30), (d, 40)):
        clock(set=at(second))
        ok(act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [upload(cast.buyer)]))
    ok(api.post(f"{DEFINITIONS}/{key}/current", cast.analyst.token, json={"version": deploy(
        api, cast.analyst, manual(key, P10D))}))
    clock(set=at(100))
    f = place_order_on(key)
    clock(set=at(200))
    ok(act(cast.buyer, f, "submit_requirement", {"description": "Migrate"}, [upload(cast.buyer)]))
    clock(set=at(1010))
    ok(act(cast.seller, a, "deliver", {"note": "done"}, [upload(cast.seller)]))
    clock(set=at(6 * 86400))
    return key


def test_each_node_counts_open_completed_and_overdue_tasks_over_every_version(api, cast, waiting):
    rows = by_node(api, cast.analyst, waiting)
    assert list(rows) == sorted(rows) == ["confirm_acceptance", "deliver", "submit_requirement"]
    counts = {node: (r["active"], r["completed"], r["overdue"]) for node, r in rows.items()}
    # B, C, D deliver since 20-40 s with 5 days each: overdue; F's 10 days from 200 s are not over
    assert counts == {"submit_requirement": (1, 5, 0), "deliver": (4, 1, 3), "confirm_acceptance": (1, 0, 0)}
    assert set(rows["deliver"]) == {"node", "active", "completed", "median_wait_s", "p90_wait_s", "overdue"}


def test_waits_run_to_completion_or_to_now_and_percentiles_interpolate(api, cast, waiting):
    now = 6 * 86400
    expected = {"submit_requirement": [10, 20, 30, 40, 100, now],
                "deliver": [1000, now - 20, now - 30, now - 40, now - 200],
                "confirm_acceptance": [now - 1010]}
    rows = by_node(api, cast.ops, waiting)
    for node, waits in expected.items():
        assert rows[node]["median_wait_s"] == percentile_cont(waits, 0.5), node
        assert rows[node]["p90_wait_s"] == percentile_cont(waits, 0.9), node
    assert (rows["submit_requirement"]["median_wait_s"], rows["submit_requirement"]["p90_wait_s"]) == (35, 259250)
    assert (rows["deliver"]["median_wait_s"], rows["deliver"]["p90_wait_s"]) == (now - 40, now - 24)


def test_open_waits_grow_with_the_clock_and_closed_ones_do_not(api, cast, clock, waiting):
    before = by_node(api, cast.analyst, waiting)
    clock(advance="PT1H")
    after = by_node(api, cast.analyst, waiting)
    assert after["confirm_acceptance"]["median_wait_s"] == before["confirm_acceptance"]["median_wait_s"] + 3600
    assert after["deliver"]["overdue"] == 3 and after["submit_requirement"]["completed"] == 5


def test_random_waits_match_percentile_cont(api, cast, clock, place_order_on, act, upload):
    """Thirty orders with waits to the microsecond: the database's figures are the reference formula's."""
    rng = random.Random(12)
    key = unique_key("stats_random")
    deploy(api, cast.analyst, manual(key))
    waits = []
    for i in range(30):
        placed = i * 7.0
        clock(set=at(placed))
        order = place_order_on(key)
        wait = round(rng.choice([rng.uniform(0, 5), rng.uniform(0, 90000)]), 6)
        clock(set=at(placed + wait))
        ok(act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [upload(cast.buyer)]))
        waits.append(wait)
    row = by_node(api, cast.analyst, key)["submit_requirement"]
    assert row["completed"] == 30 and row["active"] == 0
    assert row["median_wait_s"] == pytest.approx(round(percentile_cont(waits, 0.5), 3), abs=1e-9)
    assert row["p90_wait_s"] == pytest.approx(round(percentile_cont(waits, 0.9), 3), abs=1e-9)


def test_the_two_percentile_forms_agree_on_postgresql(app, api, cast, waiting):
    """On PostgreSQL the window-function interpolation SQLite uses gives what percentile_cont gives."""
    from app.extensions import db, runtime
    from app.services.processes import statistics as stats
    if db.engine.dialect.name != "postgresql":
        pytest.skip("percentile_cont exists on PostgreSQL only; on SQLite the reference formula is the check")
    session = db.session()
    queries = [stats.statistics_query("postgresql", waiting, runtime.clock.now(), form) for form in stats.FORMS]
    cont, interpolated = ([dict(r) for r in session.execute(q).mappings()] for q in queries)
    assert len(cont) == 3 and _close(cont, interpolated)


def _close(left: list[dict], right: list[dict]) -> bool:
    return all(a["node"] == b["node"] and all(a[k] == pytest.approx(b[k]) for k in a if k != "node")
               for a, b in zip(left, right, strict=True))


def test_a_key_never_deployed_is_404(api, cast, problem):
    problem(statistics(api, cast.analyst, unique_key("never")), 404, "not_found")


def test_only_analysts_and_operations_read_statistics(api, cast, problem, waiting):
    for who in (cast.buyer, cast.seller, cast.platform, cast.admin):
        problem(statistics(api, who, waiting), 403, "forbidden")
    problem(statistics(api, None, waiting), 401)
