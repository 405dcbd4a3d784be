"""Read latency at scale: the listings and one order, on a seeded database, with each listing's plan.

    python bench/reads.py --quick                                   # 20,000 orders, SQLite temp file, < 1 min
    python bench/reads.py --orders 1000000 --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/reads.py --seeded postgresql://postgres@127.0.0.1:5432/million   # seeded before by seed.py

A fresh database (bench/actions.py FreshDatabase: a SQLite temp file, or a new PostgreSQL database dropped
afterwards), built like the app boots, seeded by bench/seed.py. Each case is called through Flask's test client
(authentication included) --runs times after one warm-up; p50/p95 per case. "deep" is page 10,000 (page_size
20) or the case's last page when it has fewer; "deep, after=" is the same page reached with the keyset cursor
(docs/decisions.md, "Keyset pagination"). The SQL of each request is captured with a before_cursor_execute
listener; for the listing cases, the plan of the page query and of the count query is printed (PostgreSQL:
EXPLAIN after VACUUM ANALYZE; SQLite: EXPLAIN QUERY PLAN).
"""
import argparse
import json
import logging
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from actions import FreshDatabase, build_app, percentile  # noqa: E402 - bench/actions.py, next to this file
import seed  # noqa: E402 - bench/seed.py

DEEP_PAGE, PAGE_SIZE = 10_000, 20


class Capture:
    """The statements (with parameters) the engine sends while `on` is set."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.on, self.statements = False, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))


class Bench:
    def __init__(self, app, runs: int):
        from app.extensions import db
        self.app, self.runs, self.client = app, runs, app.test_client()
        self.capture = Capture(db.engine)
        self.rows: list[tuple] = []
        self.plans: list[tuple[str, list[str]]] = []

    def get(self, url: str, who: str):
        response = self.client.get(f"/api/v1{url}", headers={"Authorization": f"Bearer {seed.token(who)}"})
        if response.status_code != 200:
            raise SystemExit(f"GET {url} as {who}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response

    def case(self, label: str, url: str, who: str, listing: bool = True):
        samples = []
        for run in range(self.runs + 1):
            self.capture.statements, self.capture.on = [], run == 0
            started = time.perf_counter()
            response = self.get(url, who)
            elapsed = time.perf_counter() - started
            self.capture.on = False
            if run == 0:
                statements = list(self.capture.statements)
            else:
                samples.append(elapsed)
        samples.sort()
        paging = json.loads(response.headers.get("X-Pagination", "{}"))
        self.rows.append((label, url, len(response.get_json()) if listing else 1, paging.get("total", ""),
                          len(statements), percentile(samples, 50) * 1e3, percentile(samples, 95) * 1e3))
        if listing:
            self.plans.append((f"{label}: GET {url}", [explain(s, p) for s, p in statements if _listing_sql(s)]))
        return response

    def deep(self, label: str, url: str, who: str):
        """Page 1 (for the total), then the deep page by number and, when the API offers it, by cursor."""
        first = self.case(f"{label} p1", url, who)
        paging = json.loads(first.headers["X-Pagination"])
        page = min(DEEP_PAGE, paging.get("total_pages") or 1)
        joiner = "&" if "?" in url else "?"
        if not paging.get("total_exact", True):  # total_pages is a lower bound: find how deep the rows go
            page = self.deepest_page(f"{url}{joiner}page=", who, page)
        if page == 1:
            return first
        deep = self.case(f"{label} p{page}", f"{url}{joiner}page={page}", who)
        cursor = self.cursor_before(url, who, page)
        if cursor is not None:
            self.case(f"{label} p{page} after=", f"{url}{joiner}after={cursor}", who)
        return deep

    def deepest_page(self, numbered: str, who: str, known: int) -> int:
        """The deepest page up to DEEP_PAGE that has rows; `known` has rows (a binary search, not timed)."""
        low, high = known, DEEP_PAGE + 1
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if self.get(f"{numbered}{middle}", who).get_json() else (low, middle)
        return low

    def cursor_before(self, url: str, who: str, page: int) -> str | None:
        """The cursor that starts `page`: the keyset of the last row of the page before (None: no keyset API)."""
        if page == 1:
            return None
        joiner = "&" if "?" in url else "?"
        previous = self.get(f"{url}{joiner}page={page - 1}", who)
        return json.loads(previous.headers["X-Pagination"]).get("next_after")


def _listing_sql(statement: str) -> bool:
    text = " ".join(statement.split()).lower()
    return text.startswith("select count(") or " limit " in text


def explain(statement: str, parameters) -> str:
    from app.extensions import db
    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(("EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN ") + statement,
                                          parameters).all()
    lines = [row[0] for row in rows] if postgresql else [f"{'  ' * _depth(rows, row)}{row[-1]}" for row in rows]
    return _short(statement) + "\n" + "\n".join(f"        {line}" for line in lines)


def _short(statement: str) -> str:
    """The statement with each long select list cut to `…` (at most 400 characters)."""
    def cut(match):
        return match.group(0) if len(match.group(1)) < 40 else "SELECT … FROM "
    return re.sub(r"SELECT (.*?) FROM ", cut, " ".join(statement.split()))[:400]


def _depth(rows, row) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def run_cases(bench: Bench) -> None:
    buyer, seller = seed.buyer(0), seed.seller(0)
    bench.deep("orders ops", "/orders", "seed-ops")
    bench.deep("orders buyer", "/orders", buyer)
    bench.deep("orders seller", "/orders", seller)
    for name, value in (("status", "processing"), ("delivery_type", "hardware"), ("node", "deliver"),
                        ("frozen", "true")):
        bench.deep(f"orders ops {name}", f"/orders?{name}={value}", "seed-ops")
    bench.deep("orders seller status", "/orders?status=processing", seller)
    bench.deep("tasks buyer", "/tasks", buyer)
    bench.deep("tasks seller", "/tasks", seller)
    bench.deep("tasks reviewer", "/tasks", seed.reviewer("rep_office"))
    bench.deep("appeals open", "/appeals?status=open", "seed-ops")
    bench.deep("appeals overdue", "/appeals?overdue=true", "seed-ops")
    order_id = bench.get("/orders?status=processing&page_size=1", "seed-ops").get_json()[0]["id"]
    bench.case("order by id", f"/orders/{order_id}", "seed-ops", listing=False)


def report(bench: Bench) -> None:
    print(f"\n  {'case':<34}{'items':>6}{'total':>9}{'stmts':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for label, _, items, total, statements, p50, p95 in bench.rows:
        print(f"  {label:<34}{items:>6}{total:>9}{statements:>7}{p50:>9.2f}{p95:>9.2f}")
    print("\nplans (page query, count query):")
    for label, plans in bench.plans:
        print(f"\n  {label}")
        for plan in plans:
            print(f"    {plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 orders, 10 runs per case")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--seeded", metavar="URL", help="read a database seed.py filled before (kept as it is)")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.runs = 20_000, 10
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-reads-") as tmp:
        if args.seeded:
            return measure(build_app(args.seeded, Path(tmp)), args.runs, f"seeded before: {args.seeded}")
        database = FreshDatabase(args.database_url, Path(tmp))
        try:
            app = build_app(database.url, Path(tmp))
            started = time.perf_counter()
            rows = seed.seed(app, args.orders)
            elapsed = time.perf_counter() - started
            measure(app, args.runs, f"{database.label}; seeded {args.orders} orders, {rows} rows in {elapsed:.1f} s "
                                    f"({rows / elapsed:,.0f} rows/s)")
        finally:
            database.drop()


def measure(app, runs: int, label: str) -> None:
    print(f"database: {label}; {orders_in(app):,} orders; {runs} runs per case after one warm-up")
    bench = Bench(app, runs)
    run_cases(bench)
    report(bench)


def orders_in(app) -> int:
    from sqlalchemy import func, select
    from app.extensions import db
    from app.models import Order
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Order))


if __name__ == "__main__":
    main()
