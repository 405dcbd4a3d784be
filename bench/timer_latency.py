"""Timer latency in the embedded default: how late does a due hardware auto-acceptance fire?

    .venv/bin/python bench/timer_latency.py --orders 20

The app runs as a newcomer runs it: Development settings, a SQLite file (here a temp one), the
in-process APScheduler on (SCHEDULER_ENABLED=1), the real clock (no testing clock), served by
werkzeug on 127.0.0.1 in a thread of this process. Through the HTTP API, N hardware orders are
placed and shipped, then each gets a `signed` logistics update by the recipient's own phone whose
`at` is 10 days minus 2-5 s ago, so its auto-acceptance is due 2-5 s from now. Each order is polled
until it is completed; lateness = completed_at - due (auto_accept_at from the order's history).
The issue's target: a timer fires within 2 seconds of its due time.
"""
import argparse
import logging
import math
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AUTO_ACCEPT_AFTER = timedelta(days=10)
PHONE = "+8613800000000"
TARGET_SECONDS = 2.0


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def start_app(workdir: Path):
    """The embedded default with a temp SQLite file and the in-process scheduler, served in a thread."""
    os.environ.update(DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}", ATTACHMENT_DIR=str(workdir / "files"),
                      SCHEDULER_ENABLED="1", TEST_CLOCK="0", FLASK_CONFIG="development")
    from werkzeug.serving import make_server

    from app import create_app
    from config.settings import Development
    from app.boot import start
    app = create_app(Development())
    start(app)  # migrate, deploy, in-process scheduler: the embedded default's start-up
    app.app_context().push()  # the bench's own service calls read this app's state
    for noisy in ("werkzeug", "app.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


class Api:
    def __init__(self, base: str):
        import requests
        self.base, self.http = base, requests.Session()

    def call(self, method: str, path: str, token: str, expect: int = 200, **kwargs) -> dict | list:
        response = self.http.request(method, f"{self.base}/api/v1{path}", timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}, **kwargs)
        if response.status_code != expect:
            raise SystemExit(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()


def principals() -> dict:
    from app.services.principals import create_principal
    suffix = uuid.uuid4().hex[:6]
    return {role: create_principal(f"bench-{role}-{suffix}", role) for role in ("platform", "buyer", "seller")}


def shipped_order(api: Api, people: dict) -> dict:
    now = datetime.now(timezone.utc)
    body = {"order_no": f"HW{uuid.uuid4().hex[:16]}", "buyer": people["buyer"]["name"],
            "seller": people["seller"]["name"],
            "product": {"name": "Edge server", "spec": "2U", "delivery_type": "hardware", "manual_kind": None,
                        "license_mode": None, "goods_class": "general", "scenario": "none", "supervised": True},
            "billing": {"mode": "one_off"}, "amount_paid": "1000.00",
            "paid_at": (now - AUTO_ACCEPT_AFTER - timedelta(days=1)).isoformat(),
            "recipient": {"name": "Alice", "phone": PHONE, "address": "Shenzhen"}}
    order = api.call("POST", "/orders", people["platform"]["token"], 201, json=body)
    return api.call("POST", f"/orders/{order['id']}/actions/ship", people["seller"]["token"],
                    json={"data": {"carrier": "SF Express", "tracking_no": "SF1234567890"}, "attachments": []})


def sign_due_in(api: Api, people: dict, order: dict, seconds: float) -> datetime:
    """Post `signed` with `at` = now - 10 days + seconds; returns the due time the platform armed."""
    at = datetime.now(timezone.utc) - AUTO_ACCEPT_AFTER + timedelta(seconds=seconds)
    api.call("POST", f"/orders/{order['id']}/logistics", people["platform"]["token"],
             json={"status": "signed", "at": at.isoformat(), "recipient_phone": PHONE})
    events = api.call("GET", f"/orders/{order['id']}/history", people["platform"]["token"])
    [update] = [e for e in events if e["type"] == "logistics_updated"]
    if not update["data"].get("auto_accept_at"):
        raise SystemExit(f"order {order['id']}: the signed update did not arm the auto-acceptance: {update}")
    return when(update["data"]["auto_accept_at"])


def wait_completed(api: Api, people: dict, pending: dict, timeout: float) -> dict:
    """Poll every pending order until completed; {order id: completed_at}."""
    done, deadline = {}, time.monotonic() + timeout
    while len(done) < len(pending) and time.monotonic() < deadline:
        for order_id in pending:
            if order_id not in done:
                order = api.call("GET", f"/orders/{order_id}", people["buyer"]["token"])
                if order["status"] == "completed":
                    done[order_id] = when(order["completed_at"])
        time.sleep(0.1)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--min-delay", type=float, default=2.0, help="earliest due time, seconds from signing")
    parser.add_argument("--max-delay", type=float, default=5.0, help="latest due time, seconds from signing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="timer-latency-") as workdir:
        base, server = start_app(Path(workdir))
        try:
            api, people = Api(base), principals()
            orders = [shipped_order(api, people) for _ in range(args.orders)]
            due = {o["id"]: sign_due_in(api, people, o, random.uniform(args.min_delay, args.max_delay))
                   for o in orders}
            done = wait_completed(api, people, due, timeout=args.max_delay + 60)
        finally:
            from app.scheduler import scheduler
            scheduler.shutdown()
            server.shutdown()

    missing = [order_id for order_id in due if order_id not in done]
    late = sorted((done[order_id] - due[order_id]).total_seconds() for order_id in done)
    print(f"timer latency, embedded default (SQLite, in-process scheduler, real clock): {len(late)} of "
          f"{len(due)} auto-acceptances fired; due {args.min_delay:g}-{args.max_delay:g} s after signing")
    if late:
        print(f"  lateness (completed_at - due): min {late[0]:.3f} s, p50 {percentile(late, 50):.3f} s, "
              f"p95 {percentile(late, 95):.3f} s, max {late[-1]:.3f} s, mean {sum(late) / len(late):.3f} s")
        early = [x for x in late if x < 0]
        print(f"  fired before due: {len(early)}; later than {TARGET_SECONDS:g} s: "
              f"{sum(x > TARGET_SECONDS for x in late)}")
    met = not missing and late and late[-1] <= TARGET_SECONDS and late[0] >= 0
    print(f"  target (fires within {TARGET_SECONDS:g} s of its due time): {'met' if met else 'NOT met'}"
          + (f"; {len(missing)} never fired" if missing else ""))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
