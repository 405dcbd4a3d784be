"""`flask audit verify`: every order's hash chain is checked; edits and deletions are reported.

The database is shared by the whole run, so every tampering test works on orders of its own and
puts the original row back before it ends."""
import re

import pytest
from sqlalchemy import func, select

SUMMARY = re.compile(r"(\d+) chain\(s\) checked, (\d+) broken")


@pytest.fixture
def verify(app):
    def run():
        return app.test_cli_runner().invoke(args=["audit", "verify"])
    return run


@pytest.fixture
def event_row(query_db):
    """event_row(order_id, seq) -> a detached copy of that audit event."""
    from app.models import AuditEvent

    def get(order_id: str, seq: int):
        return query_db(lambda s: s.scalars(select(AuditEvent).where(AuditEvent.order_id == order_id,
                                                                     AuditEvent.seq == seq)).one())
    return get


@pytest.fixture
def tamper(query_db):
    """tamper(order_id, seq, **columns): change stored columns of one event; restored at teardown."""
    from app.models import AuditEvent
    saved = []

    def change(order_id: str, seq: int, **columns):
        def apply(session):
            event = session.scalars(select(AuditEvent).where(AuditEvent.order_id == order_id,
                                                             AuditEvent.seq == seq)).one()
            saved.append((event.id, {name: getattr(event, name) for name in columns}))
            for name, value in columns.items():
                setattr(event, name, value)
        query_db(apply)

    yield change
    for event_id, original in reversed(saved):
        query_db(lambda s: [setattr(s.get(AuditEvent, event_id), k, v) for k, v in original.items()])


@pytest.fixture
def delete_event(query_db):
    """delete_event(order_id, seq): remove one event; put back, identical, at teardown."""
    from app.models import AuditEvent
    removed = []

    def delete(order_id: str, seq: int):
        def apply(session):
            event = session.scalars(select(AuditEvent).where(AuditEvent.order_id == order_id,
                                                             AuditEvent.seq == seq)).one()
            removed.append({c.key: getattr(event, c.key) for c in AuditEvent.__table__.columns})
            session.delete(event)
        query_db(apply)

    yield delete
    for columns in removed:
        query_db(lambda s: s.add(AuditEvent(**columns)))


@pytest.fixture
def accepted(place_order, walk, act, cast):
    order = walk(place_order(), "confirm_acceptance")
    response = act(cast.buyer, order, "accept")
    assert response.status_code == 200, response.text
    return response.json()


def chains_in_db(query_db) -> int:
    from app.models import AuditEvent
    return query_db(lambda s: s.scalar(select(func.count(func.distinct(AuditEvent.order_id)))))


@pytest.mark.usefixtures("accepted")
def test_intact_chains_exit_0_and_report_every_chain_checked(verify, query_db):
    result = verify()
    assert result.exit_code == 0, result.output
    summary = SUMMARY.search(result.output.strip().splitlines()[-1])
    assert summary, result.output
    assert int(summary.group(1)) == chains_in_db(query_db)
    assert summary.group(2) == "0"


def test_edited_event_data_fails_verification_naming_the_order_and_seq(verify, accepted, tamper):
    tamper(accepted["id"], 2, data={"description": "Migrate 20 TB"})
    result = verify()
    assert result.exit_code == 1, result.output
    broken = [line for line in result.output.splitlines() if accepted["id"] in line]
    assert len(broken) == 1, result.output
    assert re.search(r"\bseq 2\b", broken[0]), broken[0]
    assert SUMMARY.search(result.output).group(2) == "1"


def test_an_edited_actor_fails_verification(verify, accepted, tamper):
    tamper(accepted["id"], 4, actor_name="someone-else")
    result = verify()
    assert result.exit_code == 1, result.output
    assert re.search(rf"{accepted['id']}.*\bseq 4\b", result.output), result.output


def test_an_edit_with_a_recomputed_hash_is_still_caught_by_the_next_event(verify, accepted, event_row, tamper):
    from app.services.core.audit import chain_hash
    event = event_row(accepted["id"], 2)
    event.data = {"description": "Migrate 20 TB"}
    tamper(accepted["id"], 2, data=event.data, hash=chain_hash(event.prev_hash, event))
    result = verify()
    assert result.exit_code == 1, result.output
    assert re.search(rf"{accepted['id']}.*\bseq 3\b", result.output), result.output


def test_a_deleted_event_is_reported_as_a_missing_seq(verify, accepted, delete_event):
    delete_event(accepted["id"], 3)
    result = verify()
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if accepted["id"] in line)
    assert re.search(r"seq 3 is missing", line), line


def test_deleting_the_last_event_is_caught_by_the_orders_chain_head(verify, accepted, delete_event, query_db):
    from app.models import AuditEvent
    last = query_db(lambda s: s.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.order_id == accepted["id"])))
    delete_event(accepted["id"], last)
    result = verify()
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if accepted["id"] in line)
    assert re.search(rf"seq {last} to {last} are missing", line), line


def test_only_broken_orders_are_reported(verify, place_order, tamper):
    intact, damaged = place_order(), place_order()
    tamper(damaged["id"], 1, data={"order_no": "forged", "amount_paid": "1.00"})
    result = verify()
    assert result.exit_code == 1
    assert damaged["id"] in result.output
    assert intact["id"] not in result.output


def test_the_chains_are_intact_again_once_the_tampering_is_undone(verify, place_order, tamper, query_db):
    order = place_order()
    tamper(order["id"], 1, data={"order_no": "forged"})
    assert verify().exit_code == 1
    from app.models import AuditEvent
    query_db(lambda s: setattr(s.scalars(select(AuditEvent).where(AuditEvent.order_id == order["id"],
                                                                  AuditEvent.seq == 1)).one(),
                               "data", {"order_no": order["order_no"], "amount_paid": "1000.00"}))
    assert verify().exit_code == 0
