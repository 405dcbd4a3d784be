"""Callback delivery throughput: callbacks per second from outbox event to a receiver's 000000, with 1 and
2 dispatcher processes against a local receiver on loopback.

Per run: N non-supervised SaaS orders of a fresh seller whose production interface is the receiver are
inserted with their `order.placed` outbox events (one transaction per 500); then P processes run
`deliver_due_callbacks()` in a loop (relay + claim + signed POST + record, app/services/callbacks/dispatch.py).
The clock starts when the bench tells the ready workers to go and stops when all N callbacks are delivered.
`--quick`: N=150 per run (under a minute). Default N=1000.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from actions import FreshDatabase  # noqa: E402 - bench/actions.py, next to this file

WORKER = """
import os, sys, time
from pathlib import Path
from app import create_app
from app.services.callbacks.dispatch import deliver_due_callbacks
app = create_app()
go, stop = Path(sys.argv[1]), Path(sys.argv[2])
with app.app_context():
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    while not stop.exists():
        if deliver_due_callbacks() == 0:
            time.sleep(0.005)
"""


class Receiver:
    def __init__(self):
        answer = json.dumps({"resultCode": "000000", "resultMsg": "success.", "instanceId": "i"}).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the dispatcher's pooled connections are reused
            wbufsize = 1 << 16  # headers and body in one write (no Nagle / delayed-ACK stall per answer)

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/saasproduce"


def build_app(url: str, workdir: Path):
    os.environ.update(DATABASE_URL=url, SCHEDULER_ENABLED="0", FLASK_CONFIG="testing",
                      SECRETS_KEY_FILE=str(workdir / "secrets.key"), ATTACHMENT_DIR=str(workdir / "files"))
    from app import create_app
    from app.boot import prepare_database
    from config.settings import Testing
    app = create_app(Testing())
    prepare_database(app)
    app.app_context().push()
    return app


def seed(count: int, receiver_url: str) -> str:
    """A seller with a production interface and `count` paid auto-delivered SaaS orders; the seller's name."""
    from app.actors import SYSTEM
    from app.extensions import runtime
    from app.models import Order
    from app.services.callbacks.keys import set_production_interface
    from app.services.core.events import record_event
    from app.services.core.transaction import transaction
    from app.services.principals import create_principal
    seller = f"bench-seller-{uuid.uuid4().hex[:6]}"
    create_principal(seller, "seller")
    set_production_interface(SYSTEM.__class__("admin", "admin"), seller, receiver_url)
    now = runtime.clock.now()
    for first in range(0, count, 500):
        with transaction() as session:
            for index in range(first, min(first + 500, count)):
                order = Order(order_no=f"B{uuid.uuid4().hex[:20]}", request_hash="0" * 64, buyer="bench-buyer",
                              seller=seller, product={"name": "SaaS", "delivery_type": "saas", "supervised": False},
                              delivery_type="saas", supervised=False, billing={"mode": "one_off"},
                              amount_paid=Decimal("1.00"), paid_at=now, status="completed", rejection_count=0,
                              created_at=now)
                session.add(order)
                session.flush()
                record_event(session, order, "order.placed", {})
    return seller


def delivered(seller: str) -> int:
    from sqlalchemy import func, select
    from app.models import Callback
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return session.scalar(select(func.count()).where(Callback.seller == seller, Callback.status == "delivered"))


def run(processes: int, count: int, receiver: Receiver, workdir: Path) -> float:
    seller = seed(count, receiver.url)
    go, stop = workdir / f"go-{seller}", workdir / f"stop-{seller}"
    env = {**os.environ, "FLASK_CONFIG": "production", "PYTHONUNBUFFERED": "1"}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(go), str(stop)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        go.touch()
        while delivered(seller) < count:
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a dispatcher process died")
            time.sleep(0.02)
        return time.perf_counter() - started
    finally:
        stop.touch()
        for worker in workers:
            worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 callbacks per run (under a minute)")
    parser.add_argument("--callbacks", type=int, default=1000)
    parser.add_argument("--database-url", help="postgresql://... (a fresh database is created on that server and "
                                               "dropped afterwards; default: a SQLite temp file)")
    args = parser.parse_args()
    count = 150 if args.quick else args.callbacks
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = FreshDatabase(args.database_url, workdir)
        try:
            build_app(database.url, workdir)
            receiver = Receiver()
            rows = [(p, count, run(p, count, receiver, workdir)) for p in (1, 2)]
        finally:
            database.drop()
    print(f"\ndatabase: {database.label}")
    print(f"\ncallback throughput (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n")
    print("| dispatcher processes | callbacks | seconds | callbacks/s |")
    print("|---:|---:|---:|---:|")
    for processes, n, seconds in rows:
        print(f"| {processes} | {n} | {seconds:.2f} | {n / seconds:.1f} |")


if __name__ == "__main__":
    main()
