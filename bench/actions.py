"""Action throughput: the manual-service flow over real HTTP, against the same flow in the bare engine.

    python bench/actions.py --orders 200
    python bench/actions.py --orders 200 --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/actions.py --quick          # < 1 minute, the same tables

The floor (bench/action_cost.py): in the same run, on the same server and database, one authenticated POST
that commits one row, sent after each action by the same client; the action's p50 is printed against it,
with SQL statements and ORM flushes per request (counted on the last warm-up order).

API part: a fresh database (a SQLite temp file, or a new PostgreSQL database created next to the
one --database-url names and dropped afterwards), the app built with the Testing settings and no
scheduler, served by waitress on 127.0.0.1 in this process, driven with `requests`: place N
orders, then for each order submit_requirement -> deliver -> accept, every request timed.

Engine part: the same three actions in app.engine alone (no DB, no HTTP, no Flask): one
Engine.start per order, then per action load(state) -> complete -> dump.

See bench/README.md for what the figures mean.
"""
import argparse
import logging
import math
import os
import sys
import tempfile
import threading
import time
import uuid
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.action_cost import SqlCounter, floor_request, install_floor, print_cost  # noqa: E402

PROCESS_KEY = "manual_service_general"
ACTIONS = ("submit_requirement", "deliver", "accept")


# -- statistics -----------------------------------------------------------------------------------
def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


class Series:
    """Latencies (seconds) of one kind of operation, plus the wall time the batch took."""

    def __init__(self, name: str):
        self.name = name
        self.samples: list[float] = []
        self.wall: float | None = 0.0  # None: no throughput of its own (a slice of another series)

    def row(self) -> tuple:
        values = sorted(self.samples)
        per_second = len(values) / self.wall if self.wall else None
        mean = sum(values) / len(values) if values else float("nan")
        return (self.name, len(values), per_second, percentile(values, 50) * 1e3,
                percentile(values, 99) * 1e3, mean * 1e3)


def print_table(title: str, series: list[Series]) -> None:
    print(f"\n{title}")
    print(f"  {'operation':<34}{'count':>7}{'ops/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for s in series:
        name, count, rate, p50, p99, mean = s.row()
        rate = f"{rate:.1f}" if rate is not None else "-"
        print(f"  {name:<34}{count:>7}{rate:>10}{p50:>10.2f}{p99:>10.2f}{mean:>10.2f}")


# -- database -------------------------------------------------------------------------------------
class FreshDatabase:
    """A throw-away database: a SQLite file in a temp dir, or a new PostgreSQL database."""

    def __init__(self, base_url: str | None, workdir: Path):
        self.admin = self.name = None
        if base_url and base_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url
            import psycopg
            parsed = make_url(base_url)
            self.name = f"fulfil_bench_{uuid.uuid4().hex[:10]}"
            self.admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = parsed.set(database=self.name).render_as_string(hide_password=False)
            self.label = f"PostgreSQL (fresh database {self.name}, dropped afterwards)"
        elif base_url:
            raise SystemExit("--database-url must be a postgresql:// URL (SQLite is the default)")
        else:
            self.url = f"sqlite:///{workdir / 'bench.db'}"
            self.label = f"SQLite ({workdir / 'bench.db'})"

    def drop(self) -> None:
        if self.admin:
            import psycopg
            from app.extensions import db
            if db.engine is not None:
                db.engine.dispose()
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# -- API part -------------------------------------------------------------------------------------
def build_app(database_url: str, workdir: Path):
    os.environ.update(DATABASE_URL=database_url, ATTACHMENT_DIR=str(workdir / "files"),
                      SCHEDULER_ENABLED="0", FLASK_CONFIG="testing")
    from app import create_app
    from app.boot import prepare_database, tune_collector
    from config.settings import Testing
    app = create_app(Testing())
    prepare_database(app)
    tune_collector(app.config["GC_GEN0_THRESHOLD"])  # as the serving and scheduler processes do (app/boot.py)
    app.app_context().push()  # the bench's own service calls read this app's state (one app per run)
    return app


class Server:
    """waitress in a background thread of this process."""

    def __init__(self, app, threads: int):
        import waitress
        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.base = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Join the worker threads, then close every channel from inside the loop so run() returns."""
        self.server.task_dispatcher.shutdown()

        def close_all():
            for dispatcher in list(self.server._map.values()):
                dispatcher.close()

        self.server.trigger.pull_trigger(close_all)
        self.thread.join(timeout=10)


class Party:
    def __init__(self, role: str):
        from app.services.principals import create_principal
        self.name = f"bench-{role}-{uuid.uuid4().hex[:6]}"
        self.token = create_principal(self.name, role)["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}


def order_body(buyer: str, seller: str, paid_at: datetime) -> dict:
    return {
        "order_no": f"BENCH{uuid.uuid4().hex[:16]}", "buyer": buyer, "seller": seller,
        "product": {"name": "Data migration", "spec": "Standard", "delivery_type": "manual_service",
                    "manual_kind": "standard", "license_mode": None, "goods_class": "general",
                    "scenario": "none", "supervised": True},
        "billing": {"mode": "periodic", "period": "P1M"},
        "amount_paid": "1000.00",
        "paid_at": paid_at.isoformat(),
    }


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise SystemExit(f"{what}: expected {status}, got {response.status_code}: {response.text[:500]}")
    return response.json()


def run_api(base: str, orders: int, warmup: int, clients: int, cost: dict) -> tuple[Series, list[Series], Series]:
    import requests
    from app.extensions import db

    buyer, seller, platform = Party("buyer"), Party("seller"), Party("platform")
    with requests.Session() as http:
        doc = {who: expect(http.post(f"{base}/api/v1/attachments", headers=who.headers,
                                     files={"file": ("evidence.pdf", b"evidence", "application/pdf")}),
                           201, "upload")["id"] for who in (buyer, seller)}
    steps = (
        ("submit_requirement", buyer, {"description": "Migrate 2 TB"}, [doc[buyer]]),
        ("deliver", seller, {"note": "done"}, [doc[seller]]),
        ("accept", buyer, {}, []),
    )
    paid_at = datetime.now(timezone.utc) - timedelta(days=1)
    placement = Series("POST /orders (placement)")
    per_action = {name: Series(f"  {name}") for name in ACTIONS}
    all_actions = Series("actions (3 per order)")

    def place(http, record: bool) -> dict:
        started = time.perf_counter()
        response = http.post(f"{base}/api/v1/orders", headers=platform.headers,
                             json=order_body(buyer.name, seller.name, paid_at))
        elapsed = time.perf_counter() - started
        order = expect(response, 201, "place order")
        if record:
            placement.samples.append(elapsed)
        return order

    def drive(http, order: dict, record: bool, count: bool = False) -> None:
        """The three actions, each followed by one floor request (both see the same load); `count`: count
        their SQL statements and flushes (a warm-up order)."""
        for action, who, data, attachments in steps:
            with cost["action_sql"] if count else nullcontext():
                started = time.perf_counter()
                response = http.post(f"{base}/api/v1/orders/{order['id']}/actions/{action}", headers=who.headers,
                                     json={"data": data, "attachments": attachments})
                elapsed = time.perf_counter() - started
            body = expect(response, 200, action)
            with cost["floor_sql"] if count else nullcontext():
                floor = floor_request(http, base, who.headers)
            if record:
                per_action[action].samples.append(elapsed)
                all_actions.samples.append(elapsed)
                cost["floor"].samples.append(floor)
        if body["status"] != "completed":
            raise SystemExit(f"order {order['id']} ended {body['status']}, not completed")

    cost["action_sql"], cost["floor_sql"] = SqlCounter(db.engine), SqlCounter(db.engine)
    with requests.Session() as http:  # warm-up: parse caches, connection pools, code paths
        for i in range(warmup):
            drive(http, place(http, record=False), record=False, count=i == warmup - 1)

    placed: list[dict] = []
    _in_clients(clients, orders, lambda http, _i: placed.append(place(http, record=True)), placement)
    _in_clients(clients, orders, lambda http, i: drive(http, placed[i], record=True), all_actions)
    # actions/s: the action phase's wall time less what the clients spent in floor requests
    all_actions.wall -= sum(cost["floor"].samples) / clients
    cost["floor"].wall = sum(cost["floor"].samples)
    for series in per_action.values():
        series.wall = None
    return placement, [per_action[a] for a in ACTIONS], all_actions


def _in_clients(clients: int, count: int, work, series: Series) -> None:
    """Run work(http, i) for i in range(count) on `clients` threads, each with its own Session."""
    import requests
    errors: list[BaseException] = []

    def client(indexes):
        try:
            with requests.Session() as http:
                for i in indexes:
                    work(http, i)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    slices = [range(c, count, clients) for c in range(clients)]
    threads = [threading.Thread(target=client, args=(s,)) for s in slices]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    series.wall = time.perf_counter() - started
    if errors:
        raise errors[0]


# -- engine part ----------------------------------------------------------------------------------
def run_engine(orders: int, warmup: int) -> tuple[Series, Series]:
    from app.clock import clock
    from app.engine import Engine, install_clock, parse_definition

    install_clock(clock.now)
    definition = parse_definition((ROOT / "bpmn" / f"{PROCESS_KEY}.bpmn").read_bytes(), spec_key=f"{PROCESS_KEY}@bench")
    engine = Engine()
    steps = (
        ("submit_requirement", "buyer", {"description": "Migrate 2 TB", "attachments": ["a1"]}),
        ("deliver", "seller", {"note": "done", "actual_start_time": None, "attachments": ["a2"]}),
        ("accept", "buyer", {"attachments": []}),
    )
    starts, actions = Series("Engine.start"), Series("load -> complete -> dump")

    def one_order(record: bool) -> None:
        data = {"order_id": uuid.uuid4().hex, "order_no": "BENCH", "delivery_type": "manual_service",
                "manual_kind": "standard", "license_mode": None, "goods_class": "general", "scenario": "none",
                "amount_paid": "1000.00", "billing_mode": "periodic", "auto_accept_at": None,
                "milestone_count": 0, "milestones_accepted": 0}
        t0 = time.perf_counter()
        state = engine.start(definition, data).dump()
        t1 = time.perf_counter()
        if record:
            starts.samples.append(t1 - t0)
        for action, lane, values in steps:
            t0 = time.perf_counter()
            workflow = engine.load(definition, state)
            task = next(t for t in workflow.ready_user_tasks() if action in t.actions)
            workflow.complete(task.id, action, lane=lane, data=values)
            state = workflow.dump()
            t1 = time.perf_counter()
            if record:
                actions.samples.append(t1 - t0)
        if not engine.load(definition, state).is_completed():
            raise SystemExit("engine flow did not complete")

    for _ in range(warmup):
        one_order(record=False)
    for _ in range(orders):
        one_order(record=True)
    # ops/s over the time spent in each kind of operation (the loop does only these two things)
    starts.wall, actions.wall = sum(starts.samples), sum(actions.samples)
    return starts, actions


# -- main -----------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200, help="orders driven through the flow (default 200)")
    parser.add_argument("--database-url", help="postgresql://... : a fresh database is created next to it "
                                               "and dropped afterwards (default: a SQLite temp file)")
    parser.add_argument("--clients", type=int, default=1, help="concurrent HTTP clients (default 1)")
    parser.add_argument("--server-threads", type=int, default=4, help="waitress worker threads (default 4)")
    parser.add_argument("--warmup", type=int, default=5, help="orders run first and not counted (default 5)")
    parser.add_argument("--quick", action="store_true", help="30 orders, 3 warm-up (under a minute; for CI)")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.warmup = 30, 3
    if min(args.orders, args.clients, args.server_threads, args.warmup) < 1:
        parser.error("--orders, --clients, --server-threads and --warmup must be at least 1 (the SQL statements "
                     "are counted on the last warm-up order)")

    logging.basicConfig(level=logging.WARNING)  # create_app's basicConfig then leaves the root alone
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1" with many clients
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="fulfil-bench-") as tmp:
        workdir = Path(tmp)
        database = FreshDatabase(args.database_url, workdir)
        try:
            app = build_app(database.url, workdir)
            install_floor(app)
            server = Server(app, args.server_threads)
            cost = {"floor": Series("floor: POST /bench/floor (1 row)")}
            try:
                started = time.perf_counter()
                placement, per_action, api_actions = run_api(server.base, args.orders, args.warmup, args.clients,
                                                             cost)
                api_wall = time.perf_counter() - started
            finally:
                server.close()
        finally:
            database.drop()

    engine_starts, engine_actions = run_engine(args.orders, args.warmup)

    print(f"\nmanual-service flow ({PROCESS_KEY}): {args.orders} orders x 3 actions "
          f"(submit_requirement, deliver, accept), {args.warmup} warm-up orders not counted")
    print(f"database: {database.label}")
    print(f"machine: {os.cpu_count()} CPUs, 1-min load average {load_before:.1f} at start, "
          f"{os.getloadavg()[0]:.1f} at end (other work on the machine skews every figure)")
    print(f"server: waitress, {args.server_threads} threads, in-process; clients: {args.clients} "
          f"(requests.Session each); API part wall time {api_wall:.1f} s")
    print_table("API (HTTP + Flask + DB + engine)", [placement, api_actions, *per_action, cost["floor"]])
    print_table("Engine only (no DB, no HTTP)", [engine_starts, engine_actions])
    api_rate, engine_rate = api_actions.row()[2], engine_actions.row()[2]
    print(f"\nratio API / engine (actions per second): {api_rate / engine_rate:.3f}  "
          f"(the engine alone is {engine_rate / api_rate:.1f}x faster; its share of an API action's "
          f"mean latency ~{100 * engine_actions.row()[5] / api_actions.row()[5]:.0f}%)")
    print_cost(api_actions, cost["floor"], cost["action_sql"], cost["floor_sql"])


if __name__ == "__main__":
    main()
