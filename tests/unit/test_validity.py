"""Validity of periodic orders (docs/domain.md 4.2): from the seller's actual start time if filled,
else from the buyer's acceptance, for the billing period; nothing before acceptance or when one-off."""
import dataclasses
from datetime import datetime, timezone

import pytest

from app.models import Order
from app.services.fulfilment.order_view import validity as validity_of


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def validity(order_: Order) -> dict:
    return dataclasses.asdict(validity_of(order_))


def order(billing: dict, accepted_at=None, actual_start_time=None) -> Order:
    return Order(billing=billing, accepted_at=accepted_at, actual_start_time=actual_start_time)


def test_without_a_start_time_validity_runs_from_the_acceptance():  # scenario 1: shown Feb 1 - Mar 1
    assert validity(order({"mode": "periodic", "period": "P1M"}, accepted_at=utc(2026, 2, 1))) == {
        "start": utc(2026, 2, 1), "end": utc(2026, 3, 1)}


def test_with_the_sellers_start_time_validity_runs_from_it():  # scenario 2: Jan 1 - Feb 1
    got = validity(order({"mode": "periodic", "period": "P1M"}, accepted_at=utc(2026, 2, 1),
                         actual_start_time=utc(2026, 1, 1)))
    assert got == {"start": utc(2026, 1, 1), "end": utc(2026, 2, 1)}


def test_a_year_bought_on_new_year_and_accepted_in_march_runs_march_to_march():
    got = validity(order({"mode": "periodic", "period": "P1Y"}, accepted_at=utc(2020, 3, 1, 9, 30)))
    assert got == {"start": utc(2020, 3, 1, 9, 30), "end": utc(2021, 3, 1, 9, 30)}


def test_a_month_from_the_31st_ends_at_the_end_of_the_shorter_month():
    assert validity(order({"mode": "periodic", "period": "P1M"}, accepted_at=utc(2026, 1, 31)))["end"] == \
        utc(2026, 2, 28)


@pytest.mark.parametrize("billing,accepted_at", [
    ({"mode": "periodic", "period": "P1M"}, None),          # not accepted yet
    ({"mode": "one_off"}, utc(2026, 2, 1)),                 # no period
    ({"mode": "periodic", "period": None}, utc(2026, 2, 1)),
    (None, utc(2026, 2, 1)),
])
def test_no_validity_before_acceptance_or_without_a_period(billing, accepted_at):
    assert validity(order(billing, accepted_at=accepted_at)) == {"start": None, "end": None}


def test_a_stored_period_that_cannot_be_added_leaves_the_end_open():
    got = validity(order({"mode": "periodic", "period": "P9999Y"}, accepted_at=utc(2026, 2, 1)))
    assert got == {"start": utc(2026, 2, 1), "end": None}
