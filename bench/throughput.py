"""Throughput: task actions per second through the production server, by server processes and clients.

    python bench/throughput.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/throughput.py --quick --database-url postgresql://...    # < 1 minute, the same table

A fresh database (as in bench/actions.py: created next to the one --database-url names, dropped afterwards;
a SQLite temp file without it) is migrated once. For each row of the table, W processes of the production
server (`flask --app wsgi serve`: waitress, FLASK_CONFIG=production, no scheduler) run on loopback, and C
client threads of this process (one requests.Session each, client i on server i mod W, as a load balancer
would spread them) first place their own orders, then drive each through submit_requirement -> deliver ->
accept. Only the actions are timed: actions/s is all clients' actions over the wall time from the first
action to the last. Every request must succeed (the bench fails otherwise); clients never share an order.

Then the same rows for the floor (bench/floor_app.py: the production app plus bench/action_cost.py's
`POST /bench/floor`), as many requests per client as actions: the most this machine serves of a request
that authenticates and commits one row. Every row prints the machine's CPU per request by who spent it
(bench/cpu.py: the server processes, PostgreSQL, this process's clients); the end, the best rows' CPU
against what 4x the before code's best row (below) leaves per action, and one PostgreSQL round trip.

Baselines, in the same run: the first row (1 process, 1 client), the serial rate, to which every row prints
its ratio; and the actions' table of the code before issue 13 (bench/before.py: a worktree of BEFORE_REF,
its own fresh database; --before REF or none). Issue 13's target is 4x that code's actions/s on the same
machine (its text gave 40-95/s, measured on the machine of its day), with p99 under 100 ms at 16 clients.
See bench/README.md.
"""
import argparse
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.action_cost import FLOOR_PATH, floor_request  # noqa: E402
from bench.cpu import GROUPS, CpuMeter, budget_ms, cells, round_trip  # noqa: E402
from bench.actions import FreshDatabase, Party, build_app, expect, order_body, percentile  # noqa: E402
from bench.before import BEFORE_REF, Checkout  # noqa: E402

STEPS = (("submit_requirement", "buyer", {"description": "Migrate 2 TB"}, True),
         ("deliver", "seller", {"note": "done"}, True),
         ("accept", "buyer", {}, False))
BEFORE = (40, 95)  # actions/s in issue 13's text, on the machine of its day; the run measures its own (--before)
TODAY = Checkout(ROOT, "today")
ROLES = ("buyer", "seller", "platform")


def server_env(database_url: str, files: Path) -> dict:
    return {**os.environ, "FLASK_CONFIG": "production", "SCHEDULER_ENABLED": "0", "DATABASE_URL": database_url,
            "ATTACHMENT_DIR": str(files)}


class Servers:
    """W `flask --app wsgi serve --port 0` processes with the production settings, stopped on close();
    `app="bench.floor_app"`: the same app with the floor route."""

    def __init__(self, count: int, database_url: str, files: Path, app: str = "wsgi", checkout: Checkout = TODAY):
        env = checkout.env(server_env(database_url, files))
        self.processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", app, "serve", "--host",
                                            "127.0.0.1", "--port", "0"], cwd=checkout.root, env=env, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                          for _ in range(count)]
        self.bases = [self._address(p) for p in self.processes]
        self.database_url = database_url

    @staticmethod
    def _address(process) -> str:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if "serving on " in line:
                return line.split("serving on ", 1)[1].strip()
        process.kill()
        raise SystemExit("a server process did not start within 60 s")

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def client(base: str, parties: dict, orders: int, start: threading.Barrier, latencies: list) -> None:
    """Place `orders` orders of its own (untimed), wait for every client, then drive them (timed)."""
    import requests
    paid_at = datetime.now(timezone.utc) - timedelta(days=1)
    with requests.Session() as http:
        docs = {who: expect(http.post(f"{base}/api/v1/attachments", headers=parties[who].headers,
                                      files={"file": ("evidence.pdf", b"evidence", "application/pdf")}),
                            201, "upload")["id"] for who in ("buyer", "seller")}
        placed = [expect(http.post(f"{base}/api/v1/orders", headers=parties["platform"].headers,
                                   json=order_body(parties["buyer"].name, parties["seller"].name, paid_at)),
                         201, "place order")["id"] for _ in range(orders)]
        start.wait()
        for order_id in placed:
            for action, who, data, with_file in STEPS:
                began = time.perf_counter()
                response = http.post(f"{base}/api/v1/orders/{order_id}/actions/{action}",
                                     headers=parties[who].headers,
                                     json={"data": data, "attachments": [docs[who]] if with_file else []})
                latencies.append(time.perf_counter() - began)
                expect(response, 200, action)


def floor_client(base: str, parties: dict, orders: int, start: threading.Barrier, latencies: list) -> None:
    """As many floor requests as `client` sends actions (3 per order), as the buyer, after the barrier."""
    import requests
    with requests.Session() as http:
        start.wait()
        for _ in range(orders * len(STEPS)):
            latencies.append(floor_request(http, base, parties["buyer"].headers))


def measure(servers: "Servers", parties: dict, clients: int, orders: int, work=client) -> dict:
    """One row: `clients` threads running `work`, `orders` orders each; requests/s from the first timed
    request to the last, and the machine's CPU per request over the same span (bench/cpu.py)."""
    bases, meter = servers.bases, CpuMeter([p.pid for p in servers.processes], servers.database_url)
    latencies: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def run(i: int) -> None:
        try:
            work(bases[i % len(bases)], parties, orders, start, latencies)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass
    began, cpu_before = time.perf_counter(), meter.sample()
    for thread in threads:
        thread.join()
    wall, cpu_after = time.perf_counter() - began, meter.sample()
    if errors:
        raise SystemExit(f"{len(errors)} client(s) failed; first: {errors[0]}")
    values = sorted(latencies)
    return {"clients": clients, "requests": len(values), "rate": len(values) / wall,
            "p50": percentile(values, 50) * 1e3, "p99": percentile(values, 99) * 1e3,
            "cpu": CpuMeter.per_request(cpu_before, cpu_after, len(values))}


def print_row(workers: int, row: dict, baseline: float) -> None:
    """One table row; errors are 0 by construction (a failed request stops the bench)."""
    print(f"| {workers} | {row['clients']} | {row['requests']} | {row['rate']:.1f} | {row['rate'] / baseline:.2f}x "
          f"| {row['p50']:.1f} | {row['p99']:.1f} | 0 | {cells(row['cpu'])} |", flush=True)


def run(database_url: str, workdir: Path, workers: list[int], clients: list[int], orders: int) -> dict:
    """The actions' table, then the floor's through the same kind of servers: {"actions"|"floor": (1x1, rows)}."""
    app = build_app(database_url, workdir)  # migrates and deploys bpmn/ once, for every server process
    parties = {role: Party(role) for role in ROLES}
    app.extensions["fulfilment"].database.engine.dispose()  # the servers' connections only, from here
    tables = {}
    for name, module, work in (("actions", "wsgi", client), ("floor", "bench.floor_app", floor_client)):
        print(f"\n{name}: " + ("submit_requirement -> deliver -> accept" if work is client else
                               f"POST {FLOOR_PATH} (bench/action_cost.py: authenticate, commit one row)"))
        tables[name] = table(workdir, database_url, module, work, parties, workers, clients, orders)
    return tables


def run_before(ref: str, base_url: str | None, workdir: Path, workers: list[int], clients: list[int],
               orders: int) -> tuple | None:
    """The actions' table of the code at `ref` (bench/before.py), on a fresh database its own CLI migrates;
    None when this clone cannot check it out."""
    checkout = Checkout.of(ref, workdir)
    if checkout is None:
        return None
    (workdir / "before").mkdir()
    database = FreshDatabase(base_url, workdir / "before")
    try:
        parties = checkout.prepare(server_env(database.url, workdir / "before-files"), ROLES)
        print(f"\nactions of {checkout.label} (--before): the same clients and rows, its own fresh database")
        return table(workdir, database.url, "wsgi", client, parties, workers, clients, orders, checkout)
    finally:
        database.drop()
        checkout.close()


def table(workdir: Path, database_url: str, module: str, work, parties: dict, workers: list[int],
          clients: list[int], orders: int, checkout: Checkout = TODAY) -> tuple[dict, list]:
    """The 1x1 baseline row, then one row per server processes x clients."""
    def serving(count: int) -> Servers:
        return Servers(count, database_url, workdir / "files", module, checkout)

    servers = serving(1)
    try:
        baseline = measure(servers, parties, 1, orders, work)
    finally:
        servers.close()
    print("| processes | clients | requests | requests/s | vs 1x1 | p50 ms | p99 ms | errors | "
          "CPU ms per request: servers | PostgreSQL | client |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print_row(1, baseline, baseline["rate"])
    rows = []
    for count in workers:
        servers = serving(count)
        try:
            for n in clients:
                rows.append((count, measure(servers, parties, n, orders, work)))
                print_row(count, rows[-1][1], baseline["rate"])
        finally:
            servers.close()
    return baseline, rows


def print_budget(rows: list, floor_rows: list, target: float, trip: dict | None) -> None:
    """What `target` actions/s leaves per action of this machine's CPU, against what the best rows spent."""
    for name, found in (("actions", rows), ("floor", floor_rows)):
        best = best_row(found)
        if best["cpu"]:
            spent = " + ".join(f"{best['cpu'][who]:.2f} {who}" for who in GROUPS if who in best["cpu"])
            print(f"CPU per request, {name} at their best row: {spent} = {sum(best['cpu'].values()):.2f} ms")
    print(f"CPU budget of {target:.0f} actions/s on {os.cpu_count()} CPUs: {budget_ms(target):.2f} ms per action")
    if trip:
        print(f"one PostgreSQL round trip here (psycopg SELECT 1): {trip['wall']:.0f} µs wall, "
              f"{trip['client']:.0f} µs client CPU, {trip['server']:.0f} µs backend CPU")


def best_row(rows: list) -> dict:
    return max((row for _, row in rows), key=lambda row: row["rate"])


def p99_at_16(rows: list) -> str:
    return ", ".join(f"{row['p99']:.1f}" for _, row in rows if row["clients"] == 16) or "-"


def summarize(tables: dict, before: tuple | None, ref: str, trip: dict | None) -> None:
    """Today's best row against the before code's best of this run (else the issue's 95/s), floor, budget."""
    (baseline, rows), (_, floor_rows) = tables["actions"], tables["floor"]
    best, floor_best = best_row(rows)["rate"], best_row(floor_rows)["rate"]
    print(f"\nbest: {best:.1f} actions/s = {best / baseline['rate']:.2f}x the 1x1 row in this run")
    then = best_row(before[1])["rate"] if before is not None else BEFORE[1]
    if before is not None:
        print(f"before ({ref}), this run: best {then:.1f} actions/s; today {best / then:.2f}x "
              f"(target: 4x, {4 * then:.0f}); p99 at 16 clients {p99_at_16(before[1])} ms before")
    print(f"against issue 13's {BEFORE[1]} actions/s (its machine, its day): {best / BEFORE[1]:.2f}x")
    print(f"floor best: {floor_best:.1f} requests/s through the same servers and clients: the machine's ceiling "
          f"for a request that commits one row; actions reach {best / floor_best:.2f} of it")
    print_budget(rows, floor_rows, 4 * then, trip)
    print(f"p99 at 16 clients: {p99_at_16(rows)} ms (target < 100 ms)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql://... : a fresh database is created next to it and "
                                               "dropped afterwards (default: a SQLite temp file)")
    parser.add_argument("--orders", type=int, default=20, help="orders per client per row (default 20)")
    parser.add_argument("--workers", default="2,4", help="server processes per table part (default 2,4)")
    parser.add_argument("--clients", default="1,4,8,16", help="client threads per row (default 1,4,8,16)")
    parser.add_argument("--quick", action="store_true", help="2 processes, 4 orders per client (under a minute)")
    parser.add_argument("--before", default=BEFORE_REF, help=f"the commit whose actions' table this run measures "
                                                             f"too (default {BEFORE_REF}, before issue 13; none: skip)")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    if args.quick:
        args.orders, workers = 4, [2]
    if min([args.orders, *workers, *clients]) < 1:
        parser.error("--orders, --workers and --clients must be at least 1")
    print(f"machine: {os.cpu_count()} CPUs, 1-min load average {os.getloadavg()[0]:.1f} at start")
    print(f"{args.orders} orders per client, 3 actions each; server: flask serve (waitress), production settings")
    with tempfile.TemporaryDirectory(prefix="fulfil-bench-") as tmp:
        database = FreshDatabase(args.database_url, Path(tmp))
        try:
            tables = run(database.url, Path(tmp), workers, clients, args.orders)
            trip = round_trip(database.url)
        finally:
            database.drop()
        before = None if args.before == "none" else run_before(args.before, args.database_url, Path(tmp), workers,
                                                                clients, args.orders)
    summarize(tables, before, args.before, trip)


if __name__ == "__main__":
    main()
