"""Timer drain: how fast do scheduler processes fire a backlog of due timers, exactly once each?

    .venv/bin/python bench/timer_drain.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/timer_drain.py --quick            # 500 timers, SQLite and 1 process unless a URL

For each process count (default 1 and 2; SQLite: 1, it has one in-process scheduler): a fresh database,
N orders each with a running `timer_due` instance (tests/fixtures/timer_due.bpmn: an auto-acceptance
timer at 2020-01-01 on confirm_acceptance, started with the clock in 2019, so every timer is due when the
workers start on the real clock). One instance is started through the services; the other N-1 are its
copies (order, instance state with the order id rewritten, task rows, and its history of three events before
the acceptance, each copy's chain hashed anew), inserted in batches. Then P real
`flask scheduler run` processes (production settings) drain them; the bench polls the count of running
instances. It prints timers/s from the first completion to the last (the orders' `completed_at`, written by
the workers), the wall time including process start,
and checks exactly once: N completed instances and N `timer_fired` history events, none twice.
The 1-process row is the baseline of the same run. After each run, SpiffWorkflow's own CPU per timer on the
template's state, without the database (bench/timer_engine.py): the share of the budget no persistence change frees.

Arrivals: once the first timer of the backlog fired, the bench adds K more copies whose timers fall due
over the next W seconds, while the backlog drains (--arrivals K, --arrival-window W), and prints how late
they fired (the order's completed_at, written by the worker, minus the due time): the issue's "lateness
under 1 s while the drain runs for new timers due meanwhile".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from actions import FreshDatabase, build_app, percentile  # noqa: E402 - bench/actions.py, next to this file
from cpu import CpuMeter, budget_ms, cells  # noqa: E402 - bench/cpu.py: the schedulers are its "servers"
from seed import _analyze as analyze  # noqa: E402 - bench/seed.py: VACUUM ANALYZE, as autovacuum would
from timer_engine import engine_ms_per_timer  # noqa: E402 - bench/timer_engine.py: SpiffWorkflow's share
from sqlalchemy import func, insert, select  # noqa: E402

from app.actors import Actor  # noqa: E402

DIAGRAM = ROOT / "tests" / "fixtures" / "timer_due.bpmn"
CREATED_AT = datetime(2019, 6, 1, tzinfo=timezone.utc)
BATCH = 2000
# seconds between two polls of the counts, at least; and at least this many times what a poll took: counting
# by status scans every instance's row (12-17 ms at 20,000 here, growing with the rows and their dead
# versions), and polling must not take a growing share of the 2 cores from the workers it measures
POLL, POLL_SHARE = 0.2, 10
# what an order waiting for its auto-acceptance has in its history already (its completion check reads it)
PRIOR_HISTORY = [(Actor("drain-buyer", "buyer"), "order_placed", None),
                 (Actor("drain-buyer", "buyer"), "task_completed", "submit_requirement"),
                 (Actor("drain-seller", "seller"), "task_completed", "deliver")]


def seed(count: int) -> dict:
    """One real start, then count-1 copies of its rows; the template (the started one's rows)."""
    from app.extensions import db, runtime
    from app.models import Order, ProcessInstance, Task
    from app.services.core import audit
    from app.services.core.runtime import start_instance
    from app.services.core.transaction import transaction
    from app.services.processes.deploy import deploy
    runtime.clock.set(CREATED_AT)
    with transaction() as session:
        definition, _ = deploy(session, DIAGRAM.read_bytes(), filename=DIAGRAM.name)
        order = Order(order_no=order_no(0), request_hash="0" * 64, buyer="drain-buyer", seller="drain-seller",
                      product={"name": "Timer drain", "delivery_type": "data_file", "supervised": True},
                      delivery_type="data_file", supervised=True, billing={"mode": "one_off"}, amount_paid=1,
                      paid_at=CREATED_AT, status="processing", rejection_count=0, created_at=CREATED_AT)
        session.add(order)
        session.flush()
        for actor, type_, action in PRIOR_HISTORY:
            audit.record(session, order.id, actor, type_, node=action, action=action)
        start_instance(session, order, definition.key, {"order_id": order.id, "order_no": order.order_no})
    runtime.clock.reset()
    with transaction() as session:
        template = _rows(session, Order, ProcessInstance, Task)
        for first in range(1, count, BATCH):
            _copy(session, template, range(first, min(first + BATCH, count)), Order, ProcessInstance, Task)
    db.session.remove()
    analyze()  # the planner's statistics of a database that holds these rows (this machine's autovacuum is off)
    return template


def add_arrivals(template: dict, dues: list[datetime], first_number: int) -> dict[str, datetime]:
    """Copies of the template whose timer falls due at each of `dues` (the engine moves it, as after a freeze):
    {order_no: due}."""
    from app.extensions import db, runtime
    from app.models import Order, ProcessDefinition, ProcessInstance, Task
    from app.services.core.definitions import parsed
    from app.services.core.transaction import transaction
    instance = template["instance"]
    with transaction() as session:
        spec = parsed(session.get(ProcessDefinition, instance["definition_id"]))
        for number, due in enumerate(dues, start=first_number):
            workflow = runtime.engine.load(spec, json.loads(json.dumps(instance["state"])))
            workflow.shift_timers(due - instance["next_timer_at"])
            moved = {**instance, "state": workflow.dump(), "next_timer_at": workflow.next_timer_at()}
            _copy(session, {**template, "instance": moved}, [number], Order, ProcessInstance, Task)
    db.session.remove()
    return {order_no(number): due for number, due in enumerate(dues, start=first_number)}


def lateness(dues: dict[str, datetime]) -> list[float | None]:
    """Seconds from each arrival's due time to its order's completion (None: it did not complete)."""
    from app.extensions import db
    from app.models import Order
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        done = dict(session.execute(select(Order.order_no, Order.completed_at).where(Order.order_no.in_(dues))).all())
    db.session.remove()
    return [(done[no] - due).total_seconds() if done.get(no) else None for no, due in dues.items()]


def order_no(number: int) -> str:
    return f"DRAIN{number:09d}"


def _rows(session, Order, ProcessInstance, Task) -> dict:
    from app.models import AuditEvent

    def plain(row):
        return {c.key: getattr(row, c.key) for c in row.__table__.columns}
    order = session.scalars(select(Order)).one()
    instance = session.scalars(select(ProcessInstance)).one()
    return {"order": plain(order), "instance": plain(instance),
            "tasks": [plain(t) for t in session.scalars(select(Task))],
            "events": [plain(e) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]}


def _chain(events: list[dict], order_id: str) -> list[dict]:
    """The template's history as the copy's own: its order id, each event's hash chained anew."""
    from app.models import AuditEvent
    from app.services.core.audit import chain_hash
    from app.services.core.hashchain import GENESIS
    chained, prev = [], GENESIS
    for event in events:
        row = {**{k: v for k, v in event.items() if k != "id"}, "order_id": order_id, "prev_hash": prev}
        row["hash"] = prev = chain_hash(prev, AuditEvent(**row))
        chained.append(row)
    return chained


def _copy(session, template: dict, numbers, Order, ProcessInstance, Task) -> None:
    """Copies of the template: new order and task ids, also inside the engine state; its history, chained."""
    from app.models import AuditEvent
    state = json.dumps(template["instance"]["state"])
    orders, instances, tasks, events = [], [], {}, []
    for number in numbers:
        ids = {template["order"]["id"]: uuid.uuid4().hex, **{t["id"]: str(uuid.uuid4()) for t in template["tasks"]}}
        copied = state
        for old, new in ids.items():
            copied = copied.replace(old, new)
        order_id = ids[template["order"]["id"]]
        events += _chain(template["events"], order_id)
        orders.append({**template["order"], "id": order_id, "order_no": order_no(number),
                       "audit_head_seq": len(template["events"]), "audit_head_hash": events[-1]["hash"]})
        instances.append({**{k: v for k, v in template["instance"].items() if k != "id"}, "order_id": order_id,
                          "state": json.loads(copied)})
        tasks[order_id] = [{**t, "id": ids[t["id"]], "order_id": order_id} for t in template["tasks"]]
    session.execute(insert(Order), orders)
    session.execute(insert(AuditEvent), events)
    rows = session.execute(insert(ProcessInstance).returning(ProcessInstance.id, ProcessInstance.order_id),
                           instances).all()
    session.execute(insert(Task), [{**t, "process_instance_id": instance_id}
                                   for instance_id, order_id in rows for t in tasks[order_id]])


def _running(last_backlog_id: int) -> tuple[int, int]:
    """(running instances of the backlog, running in all): polled while the drain runs (POLL)."""
    from app.extensions import db
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    running = select(func.count()).select_from(ProcessInstance).where(ProcessInstance.status == "running")
    with transaction(readonly=True) as session:
        counts = session.scalar(running.where(ProcessInstance.id <= last_backlog_id)), session.scalar(running)
    db.session.remove()
    return counts


def _completions_span(count: int) -> float:
    """Seconds from the backlog's first completion to its last, by the workers' own `completed_at`."""
    from app.extensions import db
    from app.models import Order
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        first, last = session.execute(select(func.min(Order.completed_at), func.max(Order.completed_at))
                                      .where(Order.order_no < order_no(count))).one()
    db.session.remove()
    return (last - first).total_seconds() if first and last else 0.0


def _exactly_once() -> tuple[int, int]:
    """(timer_fired events, orders with more than one)."""
    from app.extensions import db
    from app.models import AuditEvent
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        fired = select(AuditEvent.order_id, func.count().label("n")).where(AuditEvent.type == "timer_fired") \
            .group_by(AuditEvent.order_id).subquery()
        events = session.scalar(select(func.coalesce(func.sum(fired.c.n), 0)))
        twice = session.scalar(select(func.count()).select_from(fired).where(fired.c.n > 1))
    db.session.remove()
    return int(events), twice


def drain(url: str, processes: int, count: int, last_backlog_id: int, logs: Path, arrive) -> dict:
    """Start the workers; at the first completion call `arrive` (it adds the arrivals: {order_no: due});
    poll until nothing runs (or 10 minutes), stop the workers; the figures. timers/s is the backlog's, from
    its first completion to its last as the workers wrote them (`completed_at`), not as the polls saw them."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_CLOCK", "FLASK_APP")}
    env.update(DATABASE_URL=url, FLASK_CONFIG="production", SCHEDULER_ENABLED="0", LOG_LEVEL="WARNING")
    flask = Path(sys.executable).with_name("flask")
    started = time.monotonic()
    workers = [subprocess.Popen([str(flask), "--app", "wsgi", "scheduler", "run"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=open(logs / f"worker{n}.err", "w"))
               for n in range(processes)]
    first, dues, cpu = None, {}, None
    meter = CpuMeter([worker.pid for worker in workers], url)
    try:
        while time.monotonic() - started < 600:
            polled = time.monotonic()
            backlog, running = _running(last_backlog_id)
            pause = max(POLL, POLL_SHARE * (time.monotonic() - polled))
            if first is None and backlog < count:
                first, dues, cpu_from, fired_after = time.monotonic(), arrive(), meter.sample(), backlog
            if running == 0:
                cpu = CpuMeter.per_request(cpu_from, meter.sample(), fired_after + len(dues))
                break
            time.sleep(pause)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    (backlog, running), (events, twice) = _running(last_backlog_id), _exactly_once()
    span = _completions_span(count)
    return {"processes": processes, "timers": count, "wall_s": time.monotonic() - started, "span_s": span,
            "per_s": (count - backlog) / span if span else float("nan"), "left_running": running,
            "timer_fired": events, "fired_twice": twice, "arrivals": len(dues), "late_s": lateness(dues), "cpu": cpu}


def run(url: str | None, processes: int, count: int, arrivals: int, window: float, workdir: Path) -> dict:
    database = FreshDatabase(url, workdir)
    try:
        build_app(database.url, workdir)
        seeding = time.monotonic()
        template = seed(count)
        seeded = time.monotonic() - seeding
        logs = workdir / f"logs-{processes}"
        logs.mkdir()

        def arrive() -> dict:
            now = datetime.now(timezone.utc)
            dues = [now + timedelta(seconds=0.5 + window * i / max(arrivals, 1)) for i in range(arrivals)]
            return add_arrivals(template, dues, count)

        result = drain(database.url, processes, count, _last_instance_id(), logs, arrive)
        engine = engine_ms_per_timer(template, min(count, 2000))  # after the drain: its CPU is not in the table
        return {**result, "seed_s": seeded, "database": database.label, "engine_ms": engine}
    finally:
        database.drop()


def _last_instance_id() -> int:
    """The backlog's highest instance id (arrivals, inserted later, get higher ones)."""
    from app.extensions import db
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        last = session.scalar(select(func.max(ProcessInstance.id)))
    db.session.remove()
    return last


def _late(seconds: list) -> str:
    done = sorted(s for s in seconds if s is not None)
    if not done:
        return "-"
    return f"{percentile(done, 50):.2f} / {done[-1]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql://... (a fresh database is created on that server)")
    parser.add_argument("--timers", type=int, default=100_000)
    parser.add_argument("--processes", default=None, help="comma-separated process counts (default 1,2; SQLite 1)")
    parser.add_argument("--arrivals", type=int, default=50, help="timers falling due while the backlog drains")
    parser.add_argument("--arrival-window", type=float, default=30.0, help="seconds over which they fall due")
    parser.add_argument("--quick", action="store_true", help="500 timers, 10 arrivals over 1 s: the same table")
    args = parser.parse_args()
    count, arrivals, window = (500, 10, 1.0) if args.quick else (args.timers, args.arrivals, args.arrival_window)
    counts = [int(p) for p in (args.processes or ("1,2" if args.database_url else "1")).split(",")]
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| processes | timers | seed s | wall s (with start) | first→last s | timers/s | fired | twice | left "
          "| arrivals | arrivals late p50 / max s | CPU ms per timer: schedulers | PostgreSQL | bench |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    engine = []
    for processes in counts:
        with tempfile.TemporaryDirectory() as workdir:
            r = run(args.database_url, processes, count, arrivals, window, Path(workdir))
        print(f"| {r['processes']} | {r['timers']} | {r['seed_s']:.1f} | {r['wall_s']:.1f} | {r['span_s']:.1f} | "
              f"{r['per_s']:.0f} | {r['timer_fired']} | {r['fired_twice']} | {r['left_running']} | "
              f"{r['arrivals']} | {_late(r['late_s'])} | {cells(r['cpu'])} |", flush=True)
        if r["left_running"] or r["fired_twice"] or r["timer_fired"] != count + r["arrivals"]:
            raise SystemExit(f"not exactly once: {r}")
        engine.append(r["engine_ms"])
    print(f"load average after: {os.getloadavg()[0]:.2f}; CPU from the first completion to the last poll, over "
          f"the timers fired in it (arrivals included): 1,000 timers/s on {os.cpu_count()} CPUs leave "
          f"{budget_ms(1000):.2f} ms per timer")
    print(f"SpiffWorkflow alone (bench/timer_engine.py: JSON, load, fire, dump; no database), after each run: "
          f"{', '.join(f'{ms:.2f}' for ms in engine)} ms CPU per timer")


if __name__ == "__main__":
    main()
