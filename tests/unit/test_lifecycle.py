"""The lifecycle's pure rules on in-memory rows: the chain of renewals (buyer guide §4.3.1.1; docs/domain.md
§4.2, §4.4), the reminder times (§3.3: 15, 7, 3, 1 days before, 10:00) and the renewal-refund rule
(§6.3.2.4, Table 6-1 remarks)."""
from datetime import datetime, timezone

import pytest

from app.models import Order, Renewal
from app.services.lifecycle import chain
from app.services.lifecycle.reminders import due_reminder, reminder_time
from app.services.refunds.rules import RenewalFacts, renewal_refusal


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def order(accepted_at=utc(2026, 1, 1), period="P1M") -> Order:
    return Order(billing={"mode": "periodic", "period": period}, accepted_at=accepted_at, actual_start_time=None)


def renewal(seq, period="P1M", status="active") -> Renewal:
    return Renewal(id=f"r{seq}", seq=seq, period=period, status=status, start=None, end=None)


def test_renewals_follow_each_other_from_the_end_of_the_first_period():
    spans = chain.spans(order(), [renewal(2, "P1Y"), renewal(1)])
    assert spans["r1"] == chain.Span(utc(2026, 2, 1), utc(2026, 3, 1))
    assert spans["r2"] == chain.Span(utc(2026, 3, 1), utc(2027, 3, 1))
    assert chain.validity(order(), [renewal(1), renewal(2, "P1Y")]) == chain.Span(utc(2026, 1, 1), utc(2027, 3, 1))


def test_a_renewal_after_the_end_still_starts_at_the_original_expiry():
    """§4.3.1.1: in the grace or retention period the new period starts at the original expiry: the chain
    never looks at the time the renewal was paid."""
    assert chain.spans(order(), [renewal(1)])["r1"].start == utc(2026, 2, 1)


def test_a_refunded_period_no_longer_counts():
    renewals = [renewal(1, status="refunded"), renewal(2)]
    assert chain.spans(order(), renewals)["r2"] == chain.Span(utc(2026, 2, 1), utc(2026, 3, 1))
    assert chain.validity(order(), renewals).end == utc(2026, 3, 1)


def test_before_acceptance_renewals_are_queued():
    assert chain.spans(order(accepted_at=None), [renewal(1)])["r1"] == chain.Span()
    assert chain.validity(order(accepted_at=None), [renewal(1)]) == chain.Span()


def test_the_segment_of_the_last_renewal_starts_where_it_starts():
    assert chain.segment_start(order(), []) == utc(2026, 1, 1)
    assert chain.segment_start(order(), [renewal(1)]) == utc(2026, 2, 1)


@pytest.mark.parametrize(("end", "days", "expected"), [
    (utc(2026, 4, 2, 9), 15, utc(2026, 3, 18, 2)),  # 17:00 Beijing on Apr 2 -> 10:00 Beijing on Mar 18
    (utc(2026, 4, 2, 9), 1, utc(2026, 4, 1, 2)),
    (utc(2026, 4, 2, 17), 1, utc(2026, 4, 2, 2)),  # 01:00 Beijing on Apr 3: the Beijing calendar decides
])
def test_reminders_are_at_10_beijing_time_days_before_the_ends_day(end, days, expected):
    assert reminder_time(end, days) == expected


def test_the_latest_due_reminder_is_sent_and_none_before_the_period_or_after_the_end():
    end = utc(2026, 4, 2, 9)
    assert due_reminder(end, utc(2026, 3, 2), utc(2026, 3, 18, 1, 59)) is None
    assert due_reminder(end, utc(2026, 3, 2), utc(2026, 3, 18, 2)) == 15
    assert due_reminder(end, utc(2026, 3, 2), utc(2026, 3, 31)) == 3
    assert due_reminder(end, utc(2026, 3, 27), utc(2026, 3, 27)) is None  # 7 fell before this period began
    assert due_reminder(end, utc(2026, 3, 2), end) is None


def facts(**changes) -> RenewalFacts:
    return RenewalFacts(**{"order_status": "completed", "renewal_status": "active", "kind": "renewal",
                           "start": utc(2026, 2, 1), "now": utc(2026, 1, 15), **changes})


@pytest.mark.parametrize(("changes", "why_not"), [
    ({}, None),
    ({"start": None}, None),  # queued: not in effect
    ({"now": utc(2026, 2, 1)}, "renewal_effective"),  # Table 6-1: effective renewals are not refundable
    ({"renewal_status": "refunded"}, "already_refunded"),
    ({"order_status": "refunded"}, "already_refunded"),
    ({"kind": "trial_to_formal"}, "conversion"),
    ({"frozen": True}, "order_frozen"),
    ({"refund_open": True}, "refund_open"),
])
def test_the_renewal_refund_rule(changes, why_not):
    assert renewal_refusal(facts(**changes)) == why_not
