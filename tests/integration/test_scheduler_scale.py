"""Exactly-once timer firing under contention: 3 scheduler worker processes (more than the cores) against 600
due instances (how fast they drain at scale is for a benchmark under bench/, not for a test).

PostgreSQL only: the claim is `FOR UPDATE SKIP LOCKED` across processes, which SQLite does not have
(the embedded default runs one in-process scheduler). The 600 instances run a tiny test diagram,
tests/fixtures/timer_due.bpmn (start -> confirm_acceptance with an auto-acceptance timer at 2020-01-01 -> end), started through the
services in this process with the clock set to 2019 so the timer is still waiting; the workers run
on the real clock, so every timer is due the moment they start.
"""
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "tests" / "fixtures" / "timer_due.bpmn"
INSTANCES = 600
WORKERS = 3
BATCH = 250
TIMEOUT_SECONDS = 180
POLL_SECONDS = 0.5
DUE = datetime(2020, 1, 1, tzinfo=timezone.utc)
CREATED_AT = datetime(2019, 6, 1, tzinfo=timezone.utc)  # before DUE: the timers are armed, not fired


@pytest.fixture(scope="module")
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgresql://...): exactly-once across scheduler processes "
                    "relies on FOR UPDATE SKIP LOCKED; SQLite runs a single in-process scheduler")
    return database_url


def _deploy_diagram():
    from app.services.processes.deploy import deploy
    from app.services.core.transaction import transaction
    with transaction() as session:
        definition, _ = deploy(session, DIAGRAM.read_bytes(), filename=DIAGRAM.name)
        return definition.key


def _new_order(prefix: str, index: int):
    from app.models import Order
    return Order(order_no=f"{prefix}{index:05d}", request_hash="0" * 64, buyer="scale-buyer", seller="scale-seller",
                 product={"name": "Timer test", "delivery_type": "data_file", "supervised": True},
                 delivery_type="data_file", supervised=True, billing={"mode": "one_off"},
                 amount_paid=Decimal("1.00"), paid_at=CREATED_AT, recipient=None, milestones=None,
                 status="processing", rejection_count=0, created_at=CREATED_AT)


def _start_instances(prefix: str, count: int) -> list[str]:
    """Insert `count` orders and start `timer_due` for each, in batches (one transaction per batch)."""
    from app.extensions import runtime
    from app.services.core.transaction import transaction
    from app.services.core.runtime import start_instance

    key = _deploy_diagram()
    order_ids = []
    runtime.clock.set(CREATED_AT)
    try:
        for first in range(0, count, BATCH):
            with transaction() as session:
                for index in range(first, min(first + BATCH, count)):
                    order = _new_order(prefix, index)
                    session.add(order)
                    session.flush()
                    start_instance(session, order, key, {"order_id": order.id, "order_no": order.order_no})
                    order_ids.append(order.id)
    finally:
        runtime.clock.reset()
    return order_ids


def _read(fn):
    from app.services.core.transaction import transaction
    with transaction() as session:
        return fn(session)


def _instance_statuses(prefix: str) -> dict:
    from app.models import Order, ProcessInstance
    rows = _read(lambda s: s.execute(
        select(ProcessInstance.status, func.count()).join(Order, Order.id == ProcessInstance.order_id)
        .where(Order.order_no.like(f"{prefix}%")).group_by(ProcessInstance.status)).all())
    return dict(rows)


def _worker_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_CLOCK", "FLASK_APP")}
    env.update(DATABASE_URL=url, FLASK_CONFIG="production", SCHEDULER_ENABLED="0", PYTHONUNBUFFERED="1")
    return env


def _start_workers(url: str, logs: Path) -> list:
    flask = ROOT / ".venv" / "bin" / "flask"
    if not flask.exists():
        flask = Path(sys.executable).with_name("flask")
    workers = []
    for number in range(WORKERS):
        stdout = open(logs / f"worker{number}.out", "w")
        stderr = open(logs / f"worker{number}.err", "w")
        process = subprocess.Popen([str(flask), "--app", "wsgi", "scheduler", "run"], cwd=ROOT,
                                   env=_worker_env(url), stdout=stdout, stderr=stderr)
        workers.append((process, stdout, stderr))
    return workers


def _stop_workers(workers) -> None:
    for process, _, _ in workers:
        if process.poll() is None:
            process.terminate()
    for process, stdout, stderr in workers:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stdout.close()
        stderr.close()


def _wait_until_done(prefix: str, workers) -> tuple[bool, dict]:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        statuses = _instance_statuses(prefix)
        if statuses.get("running", 0) == 0:
            return True, statuses
        crashed = [p.returncode for p, _, _ in workers if p.poll() is not None]
        if crashed or time.monotonic() > deadline:
            return False, statuses
        time.sleep(POLL_SECONDS)


@pytest.fixture(scope="module")
def fired(postgres_url, app, tmp_path_factory, request):
    """Start 600 due instances, run 3 workers until all completed, stop them; what happened."""
    prefix = f"TD{uuid.uuid4().hex[:8]}-"
    setup_started = time.monotonic()
    order_ids = _start_instances(prefix, INSTANCES)
    setup_seconds = time.monotonic() - setup_started
    armed = _armed_before_the_run(prefix)
    logs = tmp_path_factory.mktemp("scheduler-workers")
    started = time.monotonic()
    workers = _start_workers(postgres_url, logs)
    try:
        done, statuses = _wait_until_done(prefix, workers)
        elapsed = time.monotonic() - started
    finally:
        _stop_workers(workers)
    stderr = [(logs / f"worker{n}.err").read_text() for n in range(WORKERS)]
    result = {"prefix": prefix, "order_ids": order_ids, "armed": armed, "done": done, "statuses": statuses, "elapsed": elapsed,
              "setup": setup_seconds, "stderr": stderr}
    result.update(_audit_summary(order_ids))
    per_worker = [sum(int(n) for n in re.findall(r"fired timers of (\d+) instance", text)) for text in stderr]
    summary = (f"[scheduler scale] setup of {INSTANCES} instances: {setup_seconds:.1f} s; {WORKERS} workers: "
               f"all completed={done} {elapsed:.1f} s after spawning them (process start included); "
               f"first to last timer_fired: {result['firing_span']:.1f} s; fired per worker (from logs): {per_worker}")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # shown even without -s: it goes in the closing note
        print("\n" + summary)
    return result


def _audit_summary(order_ids: list[str]) -> dict:
    from app.models import AuditEvent
    ids = set(order_ids)

    def read(session):
        rows = session.execute(select(AuditEvent.order_id, func.count(), func.min(AuditEvent.at),
                                      func.max(AuditEvent.at))
                               .where(AuditEvent.type == "timer_fired").group_by(AuditEvent.order_id)).all()
        return [r for r in rows if r[0] in ids]

    rows = _read(read)
    counts = {order_id: count for order_id, count, _, _ in rows}
    span = (max(r[3] for r in rows) - min(r[2] for r in rows)).total_seconds() if rows else float("nan")
    return {"timer_fired": counts, "firing_span": span}


def _armed_before_the_run(prefix: str) -> dict:
    """{(instance status, next_timer_at): count} of the run's instances, read before the workers start."""
    from app.models import Order, ProcessInstance
    rows = _read(lambda s: s.execute(
        select(ProcessInstance.status, ProcessInstance.next_timer_at, func.count())
        .join(Order, Order.id == ProcessInstance.order_id).where(Order.order_no.like(f"{prefix}%"))
        .group_by(ProcessInstance.status, ProcessInstance.next_timer_at)).all())
    return {(status, due): count for status, due, count in rows}


def _orders_of(prefix: str) -> dict:
    from app.models import Order
    return dict(_read(lambda s: s.execute(select(Order.id, Order.status)
                                          .where(Order.order_no.like(f"{prefix}%"))).all()))


# -- the setup ------------------------------------------------------------------------------------
def test_before_the_workers_start_every_instance_waits_on_a_timer_due_in_2020(fired):
    assert fired["armed"] == {("running", DUE): INSTANCES}


# -- the run --------------------------------------------------------------------------------------
def test_every_instance_completes_within_the_timeout(fired):
    assert fired["done"], f"not all completed after {TIMEOUT_SECONDS} s or a worker died: {fired['statuses']}"


def test_every_instance_is_completed_and_none_is_in_error(fired):
    assert fired["statuses"] == {"completed": INSTANCES}


def test_every_order_is_completed(fired):
    statuses = _orders_of(fired["prefix"])
    assert len(statuses) == INSTANCES
    assert set(statuses.values()) == {"completed"}


def test_every_order_has_its_timer_fired_event(fired):
    missing = set(fired["order_ids"]) - set(fired["timer_fired"])
    assert not missing, f"{len(missing)} order(s) without a timer_fired event"


def test_no_timer_fired_twice(fired):
    twice = {order_id: n for order_id, n in fired["timer_fired"].items() if n != 1}
    assert not twice, f"{len(twice)} order(s) with more than one timer_fired event, e.g. {list(twice.items())[:5]}"


def test_the_workers_logged_no_tracebacks(fired):
    for number, text in enumerate(fired["stderr"]):
        assert "Traceback" not in text, f"worker {number} stderr:\n{text[-4000:]}"
