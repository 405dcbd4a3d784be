"""Hostile diagrams (issue 7): how fast each is refused at deploy or puts its order in `error`, and how
much the process's peak RSS grows meanwhile.

    python bench/hostile_diagrams.py

The diagrams are the tables of tests/api/test_hostile_diagrams.py. The app runs with the Testing
settings on a fresh SQLite file, driven in process through the Flask test client (real request
handling, no socket). Peak RSS is resource.getrusage's ru_maxrss, a high-water mark: a diagram's
growth is how far it pushed the mark past every diagram before it.
"""
import io
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFINITIONS = "/api/v1/process-definitions"


def build_app(workdir: str):
    os.environ.update(DATABASE_URL=f"sqlite:///{workdir}/bench.db", ATTACHMENT_DIR=f"{workdir}/files",
                      TEST_CLOCK="1", SCHEDULER_ENABLED="0", FLASK_CONFIG="testing")
    from app import create_app
    from app.boot import prepare_database
    from config.settings import Testing
    app = create_app(Testing())
    prepare_database(app)
    app.app_context().push()  # the bench's own service calls read this app's state (one app per run)
    return app


def principals() -> dict:
    """role -> (name, bearer headers)."""
    from app.services.principals import create_principal
    found = {}
    for role in ("analyst", "buyer", "seller", "platform", "ops"):
        name = f"{role}-{uuid.uuid4().hex[:8]}"
        found[role] = (name, {"Authorization": f"Bearer {create_principal(name, role)['token']}"})
    return found


def start_order(key: str, people: dict) -> str:
    """Insert a paid order and start process `key` through the services, as tests/conftest.py does."""
    from tests.conftest import order_body
    from datetime import datetime
    from decimal import Decimal
    from app.extensions import runtime
    from app.models import Order
    from app.services.fulfilment.orders import ROUTING_FACTS, start_data
    from app.services.core.transaction import transaction
    from app.services.core.runtime import start_instance
    body = order_body(people["buyer"][0], people["seller"][0])
    with transaction() as session:
        order = Order(order_no=body["order_no"], request_hash="0" * 64, buyer=body["buyer"], seller=body["seller"],
                      product=body["product"], delivery_type="manual_service", supervised=True,
                      billing=body["billing"], amount_paid=Decimal(body["amount_paid"]),
                      paid_at=datetime.fromisoformat(body["paid_at"]), recipient=body["recipient"], milestones=None,
                      status="processing", rejection_count=0, created_at=runtime.clock.now())
        session.add(order)
        session.flush()
        start_instance(session, order, key, data=start_data(order, {n: order.product.get(n) for n in ROUTING_FACTS}))
        return order.id


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(client, people: dict, pairs) -> tuple[str, float, str]:
    """(outcome, seconds of the deciding request, detail)."""
    from tests.bpmn_variants import manual, unique_key
    key = unique_key("hostile")
    started = time.perf_counter()
    deployed = client.post(DEFINITIONS, data=manual(key, *pairs), headers={**people["analyst"][1],
                                                                         "Content-Type": "application/xml"})
    if deployed.status_code == 422:
        return "refused", time.perf_counter() - started, deployed.get_json()["errors"][0]["message"]
    order_id = start_order(key, people)
    buyer = people["buyer"][1]
    attachment = client.post("/api/v1/attachments", headers=buyer,
                             data={"file": (io.BytesIO(b"evidence"), "e.pdf")}).get_json()["id"]
    started = time.perf_counter()
    response = client.post(f"/api/v1/orders/{order_id}/actions/submit_requirement", headers=buyer,
                           json={"data": {"description": "Migrate 2 TB"}, "attachments": [attachment]})
    elapsed = time.perf_counter() - started
    order = client.get(f"/api/v1/orders/{order_id}", headers=people["ops"][1]).get_json()
    detail = (order.get("error") or {}).get("message", "")
    return f"deployed, order {order['status']} (HTTP {response.status_code})", elapsed, detail


def main() -> None:
    from tests.api.test_hostile_diagrams import FAILING, REFUSED
    with tempfile.TemporaryDirectory() as workdir:
        app = build_app(workdir)
        with app.app_context():
            people, client = principals(), app.test_client()
            print(f"{'diagram':45} {'outcome':38} {'seconds':>8} {'peak RSS +MiB':>14}  detail")
            for name, case in {**REFUSED, **FAILING}.items():
                before = peak_mib()
                outcome, seconds, detail = run_one(client, people, case[0])
                print(f"{name:45} {outcome:38} {seconds:8.3f} {peak_mib() - before:14.1f}  {detail[:90]}")


if __name__ == "__main__":
    main()
