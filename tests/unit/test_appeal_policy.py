"""Appeal policies (docs/domain.md 2.6): by default anyone may appeal at any time; on hardware the
buyer may once the order has been at the seller's side more than 5 days or after more than 3
rejections, and the seller once the order waits for the buyer's acceptance."""
from datetime import datetime, timedelta, timezone

import pytest

from app.actors import Actor
from app.clock import clock
from app.errors import AppealNotAllowedError
from app.models import Order, Task
from app.services.appeals.policy import POLICIES

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
BUYER, SELLER = Actor("bob", "buyer"), Actor("sam", "seller")


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set(NOW)
    yield
    clock.reset()


def seller_task(node: str = "deliver", since: timedelta = timedelta(days=1)) -> Task:
    return Task(node_id=node, role="seller", status="ready", created_at=NOW - since)


def buyer_task(node: str = "confirm_acceptance") -> Task:
    return Task(node_id=node, role="buyer", status="ready", created_at=NOW - timedelta(days=30))


def hardware(actor: Actor, ready: list[Task], rejections: int = 0) -> None:
    POLICIES["hardware"](Order(rejection_count=rejections), actor, ready)


@pytest.mark.parametrize("actor", [BUYER, SELLER])
@pytest.mark.parametrize("ready", [[], [seller_task()], [buyer_task()]])
def test_by_default_anyone_may_appeal_at_any_time(actor, ready):
    assert POLICIES["default"](Order(rejection_count=0), actor, ready) is None


def test_the_hardware_buyer_may_appeal_after_more_than_five_days_at_the_sellers_side():
    hardware(BUYER, [seller_task(since=timedelta(days=5, seconds=1))])


def test_the_hardware_buyer_may_not_appeal_at_exactly_five_days_and_is_told_when():
    with pytest.raises(AppealNotAllowedError) as refused:
        hardware(BUYER, [seller_task(since=timedelta(days=5))])
    assert f"after {NOW.isoformat()}" in str(refused.value)  # at the seller since NOW - 5 days
    assert "0 so far" in str(refused.value)


def test_the_oldest_seller_task_counts_for_the_dwell():
    hardware(BUYER, [seller_task("ship", timedelta(hours=1)), seller_task("deliver", timedelta(days=6))])


@pytest.mark.parametrize("rejections,allowed", [(3, False), (4, True), (10, True)])
def test_the_hardware_buyer_may_appeal_after_more_than_three_rejections(rejections, allowed):
    ready = [buyer_task()]  # nothing at the seller's side: only the rejections count
    if allowed:
        hardware(BUYER, ready, rejections)
    else:
        with pytest.raises(AppealNotAllowedError, match=r"more than 3 rejections \(3 so far\)"):
            hardware(BUYER, ready, rejections)


def test_the_hardware_buyer_with_nothing_at_the_sellers_side_is_told_the_rule():
    with pytest.raises(AppealNotAllowedError, match="more than 5 days"):
        hardware(BUYER, [buyer_task()])


def test_the_hardware_seller_may_appeal_while_the_order_waits_for_acceptance():
    hardware(SELLER, [buyer_task("confirm_acceptance")])


@pytest.mark.parametrize("ready", [[], [seller_task(since=timedelta(days=30))], [buyer_task("confirm_receipt")]])
def test_the_hardware_seller_may_not_appeal_elsewhere_whatever_the_dwell_or_rejections(ready):
    with pytest.raises(AppealNotAllowedError, match="waits for the buyer's acceptance"):
        POLICIES["hardware"](Order(rejection_count=9), SELLER, ready)
