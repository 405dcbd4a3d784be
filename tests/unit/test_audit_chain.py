"""The audit chain: each event's hash covers its content and the hash before it; first_break names
the first bad event of a chain, or None when it is intact."""
from datetime import datetime, timedelta, timezone

import pytest

from app.models import AuditEvent
from app.services.core.audit import GENESIS, chain_hash, first_break

AT = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)


def chain(length: int = 3) -> list[AuditEvent]:
    events, prev = [], GENESIS
    for seq in range(1, length + 1):
        event = AuditEvent(order_id="order-1", seq=seq, at=AT + timedelta(minutes=seq), actor_name="alice",
                           actor_role="buyer", type="action", node="deliver", action="deliver",
                           data={"note": f"round {seq}", "amount": "1000.00"}, attachments=[], prev_hash=prev)
        event.hash = prev = chain_hash(prev, event)
        events.append(event)
    return events


def test_an_intact_chain_has_no_break():
    events = chain()
    assert first_break(events, 3, events[-1].hash) is None


def test_an_empty_chain_is_intact_at_the_genesis_head():
    assert first_break([], 0, None) is None


def test_the_hash_depends_on_the_previous_hash_and_on_every_content_field():
    event = chain(1)[0]
    base = chain_hash(GENESIS, event)
    assert base == chain_hash(GENESIS, event) and len(base) == 64
    assert chain_hash("1" * 64, event) != base
    for field, value in (("actor_name", "mallory"), ("type", "other"), ("data", {"note": "forged"}),
                         ("at", AT), ("attachments", ["a1"]), ("node", None)):
        changed = chain(1)[0]
        setattr(changed, field, value)
        assert chain_hash(GENESIS, changed) != base, field


def test_edited_content_breaks_the_chain_at_that_event():
    events = chain()
    events[1].data = {"note": "forged"}
    assert first_break(events, 3, events[-1].hash) == "seq 2: content does not match its hash"


def test_a_rehashed_edit_breaks_the_link_to_the_next_event():
    events = chain()
    events[1].data = {"note": "forged"}
    events[1].hash = chain_hash(events[1].prev_hash, events[1])
    assert first_break(events, 3, events[-1].hash) == "seq 3: prev_hash does not match the event before"


def test_a_deleted_event_is_named_as_missing():
    events = chain()
    del events[1]
    assert first_break(events, 3, events[-1].hash) == "seq 2 is missing (found 3)"


@pytest.mark.parametrize("head_seq,expected", [
    (5, "seq 4 to 5 are missing (the order's chain head is seq 5)"),
    (2, "the chain does not end at the order's recorded head (seq 2)"),
])
def test_a_chain_shorter_or_longer_than_the_orders_head_is_broken(head_seq, expected):
    events = chain()
    assert first_break(events, head_seq, events[-1].hash) == expected


def test_a_head_hash_other_than_the_last_events_is_a_break():
    events = chain()
    assert first_break(events, 3, events[1].hash) == "the chain does not end at the order's recorded head (seq 3)"
