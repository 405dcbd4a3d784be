"""Due timers are fired in batches (app/services/timers.py): one transaction per batch, a savepoint per
instance, so an instance the engine cannot advance never rolls back the others of its batch."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.bpmn_variants import TIMER_DUE

STARTED, FIRING = datetime(2019, 6, 1, tzinfo=timezone.utc), datetime(2020, 2, 1, tzinfo=timezone.utc)


def _start(count: int) -> list[int]:
    """`count` orders on timer_due (its timer is due 2020-01-01), started in 2019: their instance ids."""
    from app.extensions import runtime
    from app.services.core.runtime import start_instance
    from app.services.core.transaction import transaction
    from app.services.processes.deploy import deploy
    runtime.clock.set(STARTED)
    with transaction() as session:
        definition, _ = deploy(session, TIMER_DUE.read_bytes(), filename=TIMER_DUE.name)
    ids = []
    for _ in range(count):
        with transaction() as session:
            order = _order(session)
            ids.append(start_instance(session, order, definition.key, {"order_id": order.id}).id)
    return ids


def _order(session):
    import uuid
    from app.models import Order
    order = Order(order_no=f"TB{uuid.uuid4().hex[:12]}", request_hash="0" * 64, buyer="b", seller="s",
                  product={"name": "Timer batch", "delivery_type": "data_file", "supervised": True},
                  delivery_type="data_file", supervised=True, billing={"mode": "one_off"}, amount_paid=1,
                  paid_at=STARTED, status="processing", rejection_count=0, created_at=STARTED)
    session.add(order)
    session.flush()
    return order


def _statuses(ids: list[int]) -> dict[int, str]:
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction(readonly=True) as session:
        return dict(session.execute(select(ProcessInstance.id, ProcessInstance.status)
                                    .where(ProcessInstance.id.in_(ids))).all())


@pytest.fixture
def due(app):
    with app.app_context():
        yield _start(5)


def _break(instance_id: int, state) -> None:
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction() as session:
        session.get(ProcessInstance, instance_id).state = state


def _fire() -> int:
    from app.extensions import runtime
    from app.services.timers import fire_due_timers
    runtime.clock.set(FIRING)
    return fire_due_timers()


def test_every_due_instance_of_a_batch_advances(due):
    assert _fire() == 5
    assert set(_statuses(due).values()) == {"completed"}


def test_an_instance_whose_state_does_not_load_leaves_the_rest_of_its_batch_advancing(due):
    _break(due[2], {"not": "a workflow"})
    assert _fire() == 4
    statuses = _statuses(due)
    assert statuses.pop(due[2]) == "error"  # the engine refused its state: operations see it
    assert set(statuses.values()) == {"completed"}
