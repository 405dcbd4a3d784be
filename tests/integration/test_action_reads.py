"""A task action reads its instance's task rows once (app/services/core/batch_reads.py, `action_rows`): the
lookup of the task offering the action and the save after the engine step share one read of the open rows and
of the rows of the tasks its stored state holds; closed rows of earlier rounds are not read."""
import re
import uuid

import pytest
from sqlalchemy import select

from tests.helpers import ok, recorded_statements


def task_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and re.search(r"\bFROM task\b", s))


def test_each_action_of_the_flow_reads_the_task_table_once(api, cast, place_order, upload):
    order = place_order()
    steps = [("submit_requirement", cast.buyer, {"description": "Migrate 2 TB"}, [upload(cast.buyer)]),
             ("deliver", cast.seller, {"note": "done"}, [upload(cast.seller)]),
             ("reject", cast.buyer, {"reason": "incomplete"}, []),
             ("deliver", cast.seller, {"note": "again"}, [upload(cast.seller)]),
             ("accept", cast.buyer, {}, [])]
    reads = []
    for action, who, data, files in steps:
        with recorded_statements() as seen:
            body = ok(api.post(f"/api/v1/orders/{order['id']}/actions/{action}", who.token,
                               json={"data": data, "attachments": files}))
        reads.append(task_reads(seen) - (action == "accept"))  # accepting also reads the order's accepting nodes
    assert reads == [1] * len(steps)  # were two: the lookup's ready rows, then the save's
    assert body["status"] == "completed"


def _instance_of(session, order_id: str):
    from app.models import ProcessInstance
    return session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == order_id)).one()


class _Rollback(Exception):
    pass


def _in_action(order_id: str, body) -> None:
    """body(session, instance) after the instance's lock, as an action runs, in a transaction rolled back."""
    from app.services.core.runtime import lock_instance
    from app.services.core.transaction import transaction
    with pytest.raises(_Rollback), transaction() as session:
        body(session, lock_instance(session, order_id))
        raise _Rollback


def _closed_row(session, instance, task_id: str):
    from app.models import Task
    from app.extensions import runtime
    now = runtime.clock.now()
    row = Task(id=task_id, process_instance_id=instance.id, order_id=instance.order_id, node_id="old", name="old",
               role="buyer", actions=[], forms={}, status="completed", created_at=now, closed_at=now)
    session.add(row)
    return row


def test_the_rows_held_are_the_open_ones_and_those_of_stored_tasks_not_earlier_rounds(api, place_order):
    from app.services.core import batch_reads
    from app.services.core.transaction import transaction
    order = place_order()
    with transaction() as session:
        instance = _instance_of(session, order["id"])
        stored_id = next(iter(instance.state["tasks"]))  # a task of the state (its Start) with a closed row
        _closed_row(session, instance, stored_id)
        _closed_row(session, instance, str(uuid.uuid4()))  # a task no longer in the state: an earlier round

    def body(session, instance):
        held = batch_reads.action_rows(session, instance)
        assert sorted((t.status, t.node_id) for t in held) == [("completed", "old"), ("ready", "submit_requirement")]
        assert next(t for t in held if t.status == "completed").id == stored_id

    _in_action(order["id"], body)


def test_the_rows_held_take_in_what_the_session_adds_and_end_at_its_flush(api, place_order):
    from app.services.core import batch_reads
    order = place_order()

    def body(session, instance):
        held = list(batch_reads.action_rows(session, instance))
        added = _closed_row(session, instance, str(uuid.uuid4()))
        assert batch_reads.tasks_of_instance(session, instance.id) == [*held, added]
        assert batch_reads.tasks_of_order(session, instance.order_id) is None  # only the instance's are held
        assert batch_reads.history(session, instance.order_id) is None
        session.flush()
        assert batch_reads.tasks_of_instance(session, instance.id) is None

    _in_action(order["id"], body)


def test_another_instance_of_the_order_is_not_held(api, place_order):
    from app.services.core import batch_reads
    order = place_order()

    def body(session, instance):
        assert batch_reads.action_rows(session, instance) is not None
        assert batch_reads.tasks_of_instance(session, instance.id + 1) is None

    _in_action(order["id"], body)


def test_a_state_holding_too_many_tasks_is_read_as_before(api, cast, place_order, upload, monkeypatch):
    from app.services.core import batch_reads
    monkeypatch.setattr(batch_reads, "MAX_STORED_IDS", 1)
    order, files = place_order(), [upload(cast.buyer)]
    with recorded_statements() as seen:
        body = ok(api.post(f"/api/v1/orders/{order['id']}/actions/submit_requirement", cast.buyer.token,
                           json={"data": {"description": "Migrate 2 TB"}, "attachments": files}))
    assert task_reads(seen) == 2
    assert [n["id"] for n in body["nodes"]] == ["deliver"]


# -- the response: the lock reads the order's open appeal and whether it has renewals (order_view.FACT_COLUMNS)
def _acted_as_read_after(api, who, order: dict, action: str, data: dict, files: list) -> dict:
    acted = ok(api.post(f"/api/v1/orders/{order['id']}/actions/{action}", who.token,
                        json={"data": data, "attachments": files}))
    assert acted == ok(api.get(f"/api/v1/orders/{order['id']}", who.token))
    return acted


def test_an_actions_response_shows_a_renewal_paid_before_it(api, cast, place_order, upload):
    order = place_order()
    renewal = ok(api.post(f"/api/v1/orders/{order['id']}/renewals", cast.platform.token,
                          json={"renewal_no": f"RN{uuid.uuid4().hex[:12]}", "period": "P1M", "amount_paid": "1000.00",
                                "paid_at": "2026-01-06T08:00:00+00:00"}), 201)
    acted = _acted_as_read_after(api, cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"},
                                 [upload(cast.buyer)])
    assert [r["renewal_no"] for r in acted["renewals"]] == [renewal["renewal_no"]]


def test_an_actions_response_shows_the_open_appeal_of_a_refund_under_way(api, cast, place_order, upload, clock):
    from tests.api.test_refund_appeals import APPEAL
    from tests.api.test_refunds import ask
    clock(set="2026-03-02T09:00:00+00:00")
    order = place_order()
    refund = ok(ask(api, cast.buyer, order), 201)
    clock(advance="P11D")  # the seller sat on it for more than 10 days: the buyer may appeal
    appeal = ok(api.post(f"/api/v1/refunds/{refund['id']}/appeals", cast.buyer.token, json=APPEAL), 201)
    acted = _acted_as_read_after(api, cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"},
                                 [upload(cast.buyer)])
    assert (acted["open_appeal"], acted["frozen"]) == (appeal["id"], False)  # the refund is frozen, not the order


def test_without_appeal_or_renewal_an_actions_response_is_the_order_as_read_after_it(api, cast, place_order, upload):
    order = place_order()
    acted = _acted_as_read_after(api, cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"},
                                 [upload(cast.buyer)])
    assert (acted["open_appeal"], acted["renewals"]) == (None, [])


def test_a_placements_response_is_the_order_as_read_after_it(api, cast, place_order):
    placed = place_order()
    assert placed == ok(api.get(f"/api/v1/orders/{placed['id']}", cast.platform.token))
