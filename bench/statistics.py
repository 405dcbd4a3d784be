"""GET /process-definitions/{key}/statistics on 100k orders' worth of tasks, with and without its indexes.

    python bench/statistics.py --orders 100000
    python bench/statistics.py --orders 100000 --database-url postgresql://postgres@127.0.0.1:5432/test

A fresh database (as bench/actions.py makes it: a SQLite temp file, or a new PostgreSQL database
dropped afterwards), migrated and with bpmn/ deployed, plus a second version of the measured key.
Rows are bulk-inserted (the services would take an hour for 100k orders): --share of the orders (60%)
run the measured key (half on each version), the rest other keys, so the query must pick its key's tasks out of
all of them. Each order has the tasks a manual-service order has at a random point of its life.
Then the endpoint is called through Flask's test client (--runs times, after one warm-up), the plan
printed (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN); then the same without
ix_task_statistics and ix_process_instance_definition. See bench/README.md for figures.
"""
import argparse
import logging
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from actions import FreshDatabase, build_app, percentile  # noqa: E402 - bench/actions.py, next to this file
from sqlalchemy.ext.compiler import compiles  # noqa: E402
from sqlalchemy.sql.expression import ClauseElement, Executable  # noqa: E402

KEY = "manual_service_general"
OTHER_KEYS = ("manual_service_joint", "data_file", "hardware", "saas_general")
NODES = ("submit_requirement", "deliver", "confirm_acceptance")
INDEXES = ("ix_task_statistics", "ix_process_instance_definition")
BATCH = 5000


def second_version(app) -> None:
    """Deploy a changed manual_service_general (deliver's SLA 6 days) so the key has two versions."""
    from app.actors import Actor
    from app.services.processes.deploy import deploy_upload
    xml = (ROOT / "bpmn" / f"{KEY}.bpmn").read_text(encoding="utf-8")
    with app.app_context():
        deploy_upload(Actor("bench-analyst", "analyst"), xml.replace('value="P5D"', 'value="P6D"').encode(),
                      f"{KEY}.bpmn")


def definition_ids(session) -> dict[str, list[int]]:
    from sqlalchemy import select
    from app.models import ProcessDefinition
    ids: dict[str, list[int]] = {}
    for key, definition_id in session.execute(select(ProcessDefinition.key, ProcessDefinition.id)
                                              .order_by(ProcessDefinition.version)):
        ids.setdefault(key, []).append(definition_id)
    return ids


def order_rows(i: int, now: datetime, rng: random.Random) -> tuple[dict, dict, list[dict]]:
    """One order, its instance and its tasks: the order reached node 0, 1 or 2 and waits there."""
    order_id, paid = uuid.uuid4().hex, now - timedelta(seconds=rng.uniform(3600, 90 * 86400))
    order = {"id": order_id, "order_no": f"BENCHSTAT{i:09d}", "request_hash": "0" * 64, "buyer": f"buyer{i % 977}",
             "seller": f"seller{i % 131}", "placed_by": "bench-platform", "product": {"name": "bench"},
             "delivery_type": "manual_service", "supervised": True, "billing": {"mode": "one_off"},
             "amount_paid": "1000.00", "paid_at": paid, "status": "processing", "rejection_count": 0,
             "created_at": paid}
    reached, start, tasks = rng.randrange(len(NODES)), paid, []
    for n, node in enumerate(NODES[:reached + 1]):
        closed = start + timedelta(seconds=rng.expovariate(1 / 86400)) if n < reached else None
        if closed is not None and closed > now:
            closed = None
        tasks.append({"id": str(uuid.uuid4()), "order_id": order_id, "node_id": node, "name": node,
                      "role": "buyer", "actions": [], "forms": {}, "status": "completed" if closed else "ready",
                      "created_at": start, "due_at": start + timedelta(days=5), "closed_at": closed})
        if closed is None:
            break
        start = closed
    return order, {"order_id": order_id, "kind": "supervision", "state": {}, "status": "running",
                   "updated_at": now, "version_id": 1}, tasks


def seed(app, orders: int, seed_value: int, share: float) -> int:
    """Bulk-insert the orders, instances and tasks; the number of task rows."""
    from sqlalchemy import insert
    from app.extensions import db, runtime
    from app.models import Order, ProcessInstance, Task
    rng, task_count = random.Random(seed_value), 0
    with app.app_context():
        now = runtime.clock.now()
        session = db.session()
        ids = definition_ids(session)
        measured, others = ids[KEY], [ids[k][0] for k in OTHER_KEYS]
        for first in range(0, orders, BATCH):
            batch = [order_rows(i, now, rng) for i in range(first, min(first + BATCH, orders))]
            session.execute(insert(Order), [o for o, _, _ in batch])
            instances = [{**p, "definition_id": rng.choice(measured if rng.random() < share else others)}
                         for _, p, _ in batch]
            made = session.execute(insert(ProcessInstance).returning(ProcessInstance.id, ProcessInstance.order_id,
                                                                     sort_by_parameter_order=True), instances)
            by_order = {order_id: pid for pid, order_id in made}
            rows = [{**t, "process_instance_id": by_order[t["order_id"]]} for _, _, ts in batch for t in ts]
            session.execute(insert(Task), rows)
            task_count += len(rows)
            session.commit()
        session.close()
        _analyze()
    return task_count


def _analyze() -> None:
    """PostgreSQL: planner statistics and the visibility map index-only scans rely on (autovacuum would do
    it later). SQLite gets none: deployments do not run ANALYZE, so the plan must be good without it."""
    from app.extensions import db
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def time_endpoint(app, token: str, runs: int) -> tuple[list[float], list]:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    samples, body = [], None
    for run in range(runs + 1):
        started = time.perf_counter()
        response = client.get(f"/api/v1/process-definitions/{KEY}/statistics", headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"statistics: {response.status_code} {response.get_data(as_text=True)[:300]}")
        body = response.get_json()
        if run:  # the first call warms caches and is not counted
            samples.append(elapsed)
    return sorted(samples), body


class Explain(Executable, ClauseElement):
    """EXPLAIN in front of a statement, with the statement's own bound parameters."""

    inherit_cache = False

    def __init__(self, statement, prefix: str):
        self.statement, self.prefix = statement, prefix


@compiles(Explain)
def _compile_explain(element, compiler, **kw):
    return element.prefix + compiler.process(element.statement, **kw)


def explain(app, label: str) -> str:
    """The plan; `label` goes into the SQL as a comment, because pysqlite caches prepared statements by
    their text and SQLite does not re-plan a cached EXPLAIN after a schema change (it reads no table)."""
    from app.extensions import db, runtime
    from app.services.processes.statistics import statistics_query
    with app.app_context():
        session = db.session()
        name = session.get_bind().dialect.name
        prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if name == "postgresql" else "EXPLAIN QUERY PLAN ") + f"/* {label} */ "
        rows = session.execute(Explain(statistics_query(name, KEY, runtime.clock.now()), prefix)).all()
        session.rollback()
    return "\n".join(f"    {row[-1]}" for row in rows)


def drop_indexes(app) -> None:
    from app.extensions import db
    with app.app_context():
        with db.engine.begin() as connection:
            for name in INDEXES:
                connection.exec_driver_sql(f"DROP INDEX {name}")
        _analyze()


def report(label: str, samples: list[float], body: list, plan: str) -> None:
    active = sum(r["active"] for r in body)
    print(f"\n{label}: {len(samples)} calls, min {samples[0] * 1e3:.1f} ms, p50 {percentile(samples, 50) * 1e3:.1f} ms,"
          f" max {samples[-1] * 1e3:.1f} ms; {len(body)} nodes, {active} open tasks")
    for row in body:
        print(f"    {row}")
    print("  plan:\n" + plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--share", type=float, default=0.6, help="share of the orders on the measured key")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        database = FreshDatabase(args.database_url, Path(tmp))
        try:
            print(f"database: {database.label}")
            app = build_app(database.url, Path(tmp))
            second_version(app)
            started = time.perf_counter()
            tasks = seed(app, args.orders, args.seed, args.share)
            print(f"seeded {args.orders} orders ({args.share:.0%} on {KEY}, half on each of its versions), "
                  f"{tasks} tasks in {time.perf_counter() - started:.1f} s")
            with app.app_context():
                from app.services.principals import create_principal
                token = create_principal(f"bench-analyst-{uuid.uuid4().hex[:6]}", "analyst")["token"]
            report("with the indexes", *time_endpoint(app, token, args.runs), explain(app, "with"))
            drop_indexes(app)
            report("without ix_task_statistics, ix_process_instance_definition",
                   *time_endpoint(app, token, args.runs), explain(app, "without"))
        finally:
            database.drop()


if __name__ == "__main__":
    main()
