"""Seed a database fast with a marketplace-like mix of orders, for the read benchmark (bench/reads.py).

    python bench/seed.py --orders 1000000 --database-url postgresql://postgres@127.0.0.1:5432/mydb

The database named by --database-url is migrated and bpmn/ deployed (as the app boots), then filled:
1,000 buyers and 100 sellers (principals too, so they can sign in), orders of every delivery type in the
states a live marketplace holds (mostly completed, a processing tail with one ready task each: buyer's,
seller's or, on joint flows, a reviewer's), about 1% of the processing ones frozen under an open appeal
(some of them overdue). Rows go in with batched Core inserts of the real models' tables, the approach of
bench/statistics.py (whose helpers this reuses): the services would take days for a million orders.
Seeded principals sign in with the token `seed-token-<name>` (seed-ops, seed-buyer-0000, seed-seller-000,
seed-reviewer-rep_office...): never seed a database anyone else uses. Prints rows/s. Without --database-url: a SQLite file in a temp directory (kept, its path printed).
"""
import argparse
import logging
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from actions import build_app  # noqa: E402 - bench/actions.py, next to this file


def _bench_statistics():
    """bench/statistics.py, loaded by path: its module name is also the standard library's."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_statistics", ROOT / "bench" / "statistics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_stats = _bench_statistics()
BATCH, _analyze, definition_ids = _stats.BATCH, _stats._analyze, _stats.definition_ids

BUYERS, SELLERS = 1000, 100
REVIEW = ("base_manager_review", "rep_office_review", "product_dept_review")
# delivery type -> (share, process keys, user tasks in flow order as (node, lane))
MIX = {
    "manual_service": (0.35, ("manual_service_general", "manual_service_joint"),
                       (("submit_requirement", "buyer"), ("deliver", "seller"), ("confirm_acceptance", "buyer"))),
    "saas": (0.25, ("saas_general", "saas_joint"),
             (("submit_requirement", "buyer"), ("deliver", "seller"), ("confirm_acceptance", "buyer"))),
    "hardware": (0.15, ("hardware",), (("ship", "seller"), ("confirm_acceptance", "buyer"))),
    "data_file": (0.15, ("data_file",),
                  (("submit_requirement", "buyer"), ("deliver", "seller"), ("confirm_acceptance", "buyer"))),
    "license": (0.10, ("license_package",), (("confirm_deployment", "buyer"),)),
}
STATES = (("completed", 0.62), ("processing", 0.30), ("refunded", 0.04), ("cancelled", 0.04))
APPEAL_SHARE = 0.01  # of the processing orders: frozen with an open appeal


def buyer(n: int) -> str:
    return f"seed-buyer-{n:04d}"


def seller(n: int) -> str:
    return f"seed-seller-{n:03d}"


@dataclass
class Batch:
    orders: list = field(default_factory=list)
    instances: list = field(default_factory=list)
    tasks: list = field(default_factory=list)  # by order id, until the instances have ids
    appeals: list = field(default_factory=list)

    def rows(self) -> int:
        return len(self.orders) + len(self.instances) + len(self.tasks) + len(self.appeals)


class Mix:
    """Draws each order's type, key, state and open task; deterministic for a seed."""

    def __init__(self, rng: random.Random, now: datetime, definitions: dict[str, list[int]]):
        self.rng, self.definitions = rng, definitions
        self.start = now - timedelta(days=365)  # one order every 30 s: a million span about a year
        self.types = list(MIX)
        self.type_weights = [MIX[t][0] for t in self.types]

    def add(self, batch: Batch, i: int, run: str) -> None:
        rng = self.rng
        delivery_type = rng.choices(self.types, self.type_weights)[0]
        _, keys, nodes = MIX[delivery_type]
        key = rng.choice(keys)
        status = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
        # ids grow with i (as created_at does): a page of the newest reads neighbouring index entries
        order_id, created = f"{run}{i:012d}{uuid.uuid4().hex[:12]}", self.start + timedelta(seconds=30 * i)
        b, s = rng.randrange(BUYERS), rng.randrange(SELLERS)
        frozen = status == "processing" and rng.random() < APPEAL_SHARE
        batch.orders.append({**self._order(order_id, i, run, delivery_type, status, created, buyer(b), seller(s)),
                             "frozen_at": created + timedelta(days=1) if frozen else None})
        batch.instances.append({"order_id": order_id, "kind": "supervision", "definition_id": self.definitions[key][-1],
                                "state": {}, "status": "running" if status == "processing" else "completed",
                                "frozen_at": created + timedelta(days=1) if frozen else None,
                                "updated_at": created, "version_id": 1})
        if status == "processing":
            batch.tasks.append(self._task(order_id, key, nodes, created, buyer(b), seller(s)))
        if frozen:
            batch.appeals.append(self._appeal(order_id, buyer(b), created))

    def _order(self, order_id, i, run, delivery_type, status, created, buyer_name, seller_name) -> dict:
        return {"id": order_id, "order_no": f"SEED{run}{i:010d}", "request_hash": "0" * 64, "buyer": buyer_name,
                "seller": seller_name, "placed_by": "seed-platform", "product": {"name": f"bench {delivery_type}",
                                                                                "delivery_type": delivery_type},
                "delivery_type": delivery_type, "supervised": True, "billing": {"mode": "one_off"},
                "amount_paid": "1000.00", "paid_at": created, "status": status, "rejection_count": 0,
                "created_at": created, "completed_at": created + timedelta(days=7) if status != "processing" else None}

    def _task(self, order_id, key, nodes, created, buyer_name, seller_name) -> dict:
        rng = self.rng
        node, lane = rng.choice(nodes)
        review_role = None
        if key.endswith("_joint") and rng.random() < 0.3:
            node, lane = rng.choice(REVIEW), "reviewer"
            review_role = node.removesuffix("_review")
        assignee = {"buyer": buyer_name, "seller": seller_name}.get(lane)
        opened = created + timedelta(hours=rng.uniform(0, 48))
        return {"id": str(uuid.uuid4()), "order_id": order_id, "node_id": node, "name": node, "role": lane,
                "review_role": review_role, "assignee": assignee, "actions": ["accept"], "forms": {},
                "status": "ready", "created_at": opened, "due_at": opened + timedelta(days=5), "closed_at": None}

    def _appeal(self, order_id, appellant, created) -> dict:
        opened = created + timedelta(days=1)
        return {"id": uuid.uuid4().hex, "order_id": order_id, "appellant": appellant, "appellant_role": "buyer",
                "reason": "seeded", "demand": "seeded", "attachments": [], "frozen_nodes": [], "opened_at": opened,
                "due_at": opened + timedelta(days=3), "status": "open"}


def write(session, batch: Batch) -> None:
    from app.models import Appeal, Order, ProcessInstance, Task
    instances = ProcessInstance.__table__
    session.execute(Order.__table__.insert(), batch.orders)
    made = session.execute(instances.insert().returning(instances.c.id, instances.c.order_id,
                                                        sort_by_parameter_order=True), batch.instances)
    by_order = {order_id: pid for pid, order_id in made}
    if batch.tasks:
        session.execute(Task.__table__.insert(),
                        [{**t, "process_instance_id": by_order[t["order_id"]]} for t in batch.tasks])
    if batch.appeals:
        session.execute(Appeal.__table__.insert(), batch.appeals)
    session.commit()


def token(name: str) -> str:
    """A seeded principal's bearer token (a bench database only): fixed, so a benchmark can sign in."""
    return f"seed-token-{name}"


def reviewer(review_role: str) -> str:
    return f"seed-reviewer-{review_role}"


def principals(session) -> None:
    """The parties, one reviewer per review role and an ops manager, as principals with known tokens."""
    from sqlalchemy import insert, select
    from app.actors import REVIEW_ROLES
    from app.models import Principal
    from app.services.principals import hash_token
    now = datetime.now(timezone.utc)
    existing = set(session.scalars(select(Principal.name).where(Principal.name.like("seed-%"))))
    wanted = ([(buyer(n), "buyer", None) for n in range(BUYERS)] + [(seller(n), "seller", None) for n in range(SELLERS)]
              + [(reviewer(r), "reviewer", r) for r in REVIEW_ROLES] + [("seed-ops", "ops", None)])
    rows = [{"name": name, "role": role, "review_role": review_role, "token_hash": hash_token(token(name)),
             "created_at": now} for name, role, review_role in wanted if name not in existing]
    if rows:
        session.execute(insert(Principal), rows)
        session.commit()


def seed(app, orders: int, seed_value: int = 1, progress=None) -> int:
    """Insert `orders` orders with their instances, tasks and appeals; the number of rows written."""
    from app.extensions import db, runtime
    rng, written = random.Random(seed_value), 0
    run = uuid.uuid4().hex[:4]  # a second seeding of the same database adds orders beside the first ones
    with app.app_context():
        session = db.session()
        principals(session)
        mix = Mix(rng, runtime.clock.now(), definition_ids(session))
        for first in range(0, orders, BATCH):
            batch = Batch()
            for i in range(first, min(first + BATCH, orders)):
                mix.add(batch, i, run)
            write(session, batch)
            written += batch.rows()
            if progress:
                progress(first + len(batch.orders), written)
        session.close()
        _analyze()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp directory")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="bench-seed-"))
    url = args.database_url or f"sqlite:///{workdir / 'seed.db'}"
    print(f"database: {url}")
    app = build_app(url, workdir)
    started = time.perf_counter()

    def progress(done: int, rows: int) -> None:
        if done % (BATCH * 20) == 0:
            print(f"  {done} orders, {rows / (time.perf_counter() - started):,.0f} rows/s", flush=True)

    rows = seed(app, args.orders, args.seed, progress)
    elapsed = time.perf_counter() - started
    print(f"seeded {args.orders} orders, {rows} rows in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
