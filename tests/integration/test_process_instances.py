"""The process instance is the unit: an order may run a second process (a refund, later) next to its
supervision; locking, saving, the inbox rows and completion work per instance.

The second process is the small fixture diagram tests/fixtures/timer_due.bpmn (one buyer task, then the
end) under a key of its own, stored as a definition row and started through the runtime as kind `refund`.
Its timer is moved to the far future so no scheduler tick of another test fires it."""
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "timer_due.bpmn"
REFUND = "refund"


@pytest.fixture
def second_key(app):
    """A deployed version of the fixture diagram under a unique key."""
    from app.extensions import runtime
    from app.models import ProcessDefinition
    from app.services.core.transaction import transaction

    key = f"second_{uuid.uuid4().hex[:8]}"
    xml = FIXTURE.read_text(encoding="utf-8").replace("timer_due", key).replace("2020-01-01", "2035-01-01")
    with transaction() as session:
        session.add(ProcessDefinition(key=key, version=1, sha256=uuid.uuid4().hex * 2, status="current", xml=xml,
                                      deployed_at=runtime.clock.now()))
    return key


@pytest.fixture
def two_instances(app, cast, second_key):
    """(order id, supervision instance id, refund instance id) of a placed order running both."""
    from app.actors import Actor
    from app.models import Order
    from app.services.core.runtime import start_instance
    from app.services.core.transaction import transaction
    from app.services.fulfilment.orders import place_order
    from tests.conftest import order_body

    body = order_body(cast.buyer.name, cast.seller.name)
    body["paid_at"] = datetime.fromisoformat(body["paid_at"])
    placed, _ = place_order(Actor(cast.platform.name, "platform"), body)
    with transaction() as session:
        order = session.get(Order, placed.id)
        refund, _ = start_instance(session, order, second_key, data={"order_id": order.id}, kind=REFUND)
        refund_id = refund.id
    with transaction() as session:
        supervision = _instance(session, placed.id, "supervision")
        return placed.id, supervision.id, refund_id


def _instance(session, order_id, kind):
    from app.models import ProcessInstance
    return session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == order_id,
                                                         ProcessInstance.kind == kind)).one()


def _rows(instance_id) -> dict:
    """{node id: status} of the instance's task rows."""
    from app.models import Task
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return dict(session.execute(select(Task.node_id, Task.status)
                                    .where(Task.process_instance_id == instance_id)).all())


def _complete_refund_task(order_id: str, buyer: str) -> None:
    """Complete the refund instance's ready task through the runtime, as the buyer."""
    from app.actors import Actor
    from app.models import Order, Task
    from app.services.core.runtime import lock_instance, open_workflow, save_workflow
    from app.services.core.transaction import transaction
    with transaction() as session:
        instance = lock_instance(session, order_id, kind=REFUND)
        task = session.scalars(select(Task).where(Task.process_instance_id == instance.id,
                                                  Task.status == "ready")).one()
        workflow = open_workflow(instance)
        workflow.complete(task.id, "accept", lane="buyer", data={})
        save_workflow(session, session.get(Order, order_id), instance, workflow, Actor(buyer, "buyer"))


def test_an_order_runs_a_second_instance_with_inbox_rows_of_its_own(two_instances):
    order_id, supervision_id, refund_id = two_instances
    assert "ready" in _rows(supervision_id).values()
    assert _rows(refund_id) == {"confirm_acceptance": "ready"}


def test_saving_the_second_instance_never_closes_the_supervision_inbox_rows(two_instances, cast):
    order_id, supervision_id, refund_id = two_instances
    before = _rows(supervision_id)
    _complete_refund_task(order_id, cast.buyer.name)
    assert _rows(refund_id) == {"confirm_acceptance": "completed"}
    assert _rows(supervision_id) == before


def test_saving_the_supervision_never_closes_the_second_instances_inbox_rows(two_instances, cast, upload):
    from app.actors import Actor
    from app.services.fulfilment.actions import perform_action
    order_id, supervision_id, refund_id = two_instances
    before = _rows(supervision_id)
    perform_action(Actor(cast.buyer.name, "buyer"), order_id, "submit_requirement", {"description": "Migrate 2 TB"},
                   [upload(cast.buyer)])
    assert _rows(supervision_id) != before  # the supervision moved on...
    assert _rows(refund_id) == {"confirm_acceptance": "ready"}  # ...and the refund's row stayed open


def test_finishing_a_non_supervision_instance_never_completes_the_order(two_instances, cast):
    from app.models import AuditEvent, Order, OutboxEvent
    from app.services.core.transaction import transaction
    order_id, supervision_id, refund_id = two_instances
    _complete_refund_task(order_id, cast.buyer.name)
    with transaction(readonly=True) as session:
        order = session.get(Order, order_id)
        assert _instance(session, order_id, REFUND).status == "completed"
        assert _instance(session, order_id, "supervision").status == "running"
        assert (order.status, order.completed_at, order.accepted_at) == ("processing", None, None)
        types = set(session.scalars(select(AuditEvent.type).where(AuditEvent.order_id == order_id)))
        assert "order_completed" not in types
        assert session.scalar(select(OutboxEvent).where(OutboxEvent.order_id == order_id,
                                                        OutboxEvent.type == "order.completed")) is None


def test_the_order_keeps_showing_its_supervision_while_a_second_instance_runs(two_instances, cast, api):
    order_id, _, _ = two_instances
    order = api.get(f"/api/v1/orders/{order_id}", cast.buyer.token).json()
    assert [n["id"] for n in order["nodes"]] != ["confirm_acceptance"]
    tasks = api.get("/api/v1/tasks", cast.buyer.token, params={"page_size": 100}).json()
    mine = [t["node"] for t in tasks if t["order_id"] == order_id]
    assert "confirm_acceptance" in mine and len(mine) == 2  # each instance's ready task, once


def test_an_appeal_freezes_the_supervision_instance_only(two_instances, cast, api):
    from app.services.core.transaction import transaction
    order_id, _, _ = two_instances
    response = api.post(f"/api/v1/orders/{order_id}/appeals", cast.buyer.token,
                        json={"reason": "The seller stopped answering", "demand": "Refund"})
    assert response.status_code == 201, response.text
    with transaction(readonly=True) as session:
        assert _instance(session, order_id, "supervision").frozen_at is not None
        assert _instance(session, order_id, REFUND).frozen_at is None


def test_the_supervision_completion_hook_is_registered_by_fulfilment(app):
    from app.services.core.runtime import COMPLETION_HOOKS
    from app.services.fulfilment.completion import complete_supervision
    assert COMPLETION_HOOKS["supervision"] is complete_supervision
    assert REFUND not in COMPLETION_HOOKS


def test_a_second_supervision_instance_on_one_order_is_refused_by_the_database(two_instances, second_key):
    from sqlalchemy.exc import IntegrityError
    from app.models import Order
    from app.services.core.runtime import start_instance
    from app.services.core.transaction import transaction
    order_id, _, _ = two_instances
    with pytest.raises(IntegrityError):
        with transaction() as session:
            start_instance(session, session.get(Order, order_id), second_key, data={})


def test_core_does_not_import_fulfilment():
    core = Path(__file__).resolve().parents[2] / "app" / "services" / "core"
    offenders = [p.name for p in core.glob("*.py") if "services.fulfilment" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_an_order_waiting_at_one_node_in_two_instances_is_listed_and_counted_once(two_instances, cast, api, walk):
    """Both its supervision and its second run wait at confirm_acceptance: ops' node listing (whose count
    reads the tasks alone) and a buyer's (whose count reads the orders) each give the order once, and each
    total is the number of orders listed (ops also see the orders other tests left at that node)."""
    order_id, _, _ = two_instances
    walk(api.get(f"/api/v1/orders/{order_id}", cast.buyer.token).json(), "confirm_acceptance")
    for who in (cast.ops, cast.buyer):
        listed, total = _node_listing(api, who, "confirm_acceptance")
        assert listed.count(order_id) == 1
        assert total == len(set(listed)) == len(listed)
    assert _node_listing(api, cast.buyer, "confirm_acceptance")[0] == [order_id]


def _node_listing(api, who, node: str) -> tuple[list[str], int]:
    """(every order id the node listing gives, following its cursor; the first page's total)."""
    import json
    listed, params, total = [], {"node": node, "page_size": 100}, None
    while True:
        response = api.get("/api/v1/orders", who.token, params=params)
        assert response.status_code == 200, response.text
        meta = json.loads(response.headers["X-Pagination"])
        total = meta["total"] if total is None else total
        listed += [o["id"] for o in response.json()]
        if not meta.get("next_after"):
            return listed, total
        params = {"node": node, "page_size": 100, "after": meta["next_after"]}
