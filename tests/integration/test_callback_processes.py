"""Exactly-once callback delivery across processes, on SQLite and PostgreSQL: two real scheduler workers
(`flask scheduler run`) share the due callbacks; a dispatcher killed with SIGKILL in the middle of a delivery
leaves its claim leased, and another dispatcher delivers it once the lease ran out (testing clock, no sleep
for the lease). The receiver (tests/merchant.py) verifies every signature."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories
from tests.merchant import Receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.committed
ORDERS = 30
TIMEOUT_SECONDS = 90


def _env(app) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_CLOCK", "FLASK_APP")}
    env.update(DATABASE_URL=app.config["DATABASE_URL"], FLASK_CONFIG="production", SCHEDULER_ENABLED="0",
               SECRETS_KEY_FILE=app.config["SECRETS_KEY_FILE"], PYTHONUNBUFFERED="1")
    return env


def _seller_with_interface(receiver: Receiver):
    from app.services.callbacks.keys import set_production_interface
    seller = factories.principal("seller")
    admin = factories.principal("admin")
    receiver.access_key = set_production_interface(admin.actor, seller.name, receiver.url)["access_key"]
    return seller


def _callbacks(seller) -> list:
    from app.models import Callback
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return list(session.scalars(select(Callback).where(Callback.seller == seller.name).order_by(Callback.id)))


def _wait(condition, processes=()) -> bool:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        if any(p.poll() is not None for p in processes):
            return False
        time.sleep(0.2)  # waiting for other processes' work, not for a timer
    return False


def _flask() -> str:
    flask = ROOT / ".venv" / "bin" / "flask"
    return str(flask if flask.exists() else Path(sys.executable).with_name("flask"))


def test_two_scheduler_processes_deliver_each_callback_exactly_once(app, tmp_path):
    with Receiver() as receiver:
        seller = _seller_with_interface(receiver)
        orders = factories.saas_orders(seller, ORDERS)
        workers = [subprocess.Popen([_flask(), "--app", "wsgi", "scheduler", "run"], cwd=ROOT, env=_env(app),
                                    stdout=open(tmp_path / f"w{n}.out", "w"), stderr=open(tmp_path / f"w{n}.err", "w"))
                   for n in range(2)]
        try:
            done = _wait(lambda: sum(c.status == "delivered" for c in _callbacks(seller)) == ORDERS, workers)
            time.sleep(2.5)  # one more run of each worker's 2 s job: nothing may be sent again
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=15)
        logs = "".join((tmp_path / f"w{n}.err").read_text() for n in range(2))
        assert done, logs
        calls = receiver.of("newInstance")
        assert sorted(c["orderId"] for c in calls) == sorted(o["order_no"] for o in orders)
        assert all(c["signed"] for c in receiver.calls)
        assert [c.attempts for c in _callbacks(seller)] == [1] * ORDERS


DISPATCH_ONCE = ("from app import create_app\n"
                 "from app.services.callbacks.dispatch import deliver_due_callbacks\n"
                 "app = create_app()\n"
                 "with app.app_context():\n"
                 "    deliver_due_callbacks()\n")


def test_a_dispatcher_killed_mid_delivery_is_replaced_once_its_lease_ran_out(app):
    from app.extensions import runtime
    from app.services.callbacks.dispatch import deliver_due_callbacks
    with Receiver() as receiver:
        seller = _seller_with_interface(receiver)
        (order,) = factories.saas_orders(seller, 1)
        receiver.holding = True
        process = subprocess.Popen([sys.executable, "-c", DISPATCH_ONCE], cwd=ROOT, env=_env(app),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert receiver.held.wait(60), process.stderr.read() if process.poll() is not None else "no call"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=15)
        receiver.holding = False
        receiver.release.set()
        (claimed,) = _callbacks(seller)
        assert claimed.status == "pending" and claimed.attempts == 1 and claimed.lease_until is not None
        assert deliver_due_callbacks() == 0 and len(receiver.calls) == 1  # still leased to the dead dispatcher
        runtime.clock.set(claimed.lease_until + timedelta(seconds=1))
        assert deliver_due_callbacks() == 1
        (delivered,) = _callbacks(seller)
        assert delivered.status == "delivered" and delivered.attempts == 2
        assert deliver_due_callbacks() == 0
        assert [c["body"]["orderId"] for c in receiver.calls] == [order["order_no"]] * 2
        assert all(c["signed"] for c in receiver.calls)
