"""The refund cap of milestone orders (buyer guide §6.3: a negotiated refund of a milestone order is capped at
the unfinished milestones) and the mirror of the process's count, on in-memory orders."""
from decimal import Decimal

from app.models import Order
from app.services.milestones.stages import not_accepted, start_data, supports_milestones, unaccepted_amount


def _order(*amounts: str, accepted: int = 0) -> Order:
    milestones = not_accepted([{"name": f"m{n}", "amount": a} for n, a in enumerate(amounts)])
    for milestone in milestones[:accepted]:
        milestone["accepted_at"] = "2026-01-06T08:00:00+00:00"
    return Order(milestones=milestones)


def test_an_order_without_milestones_has_no_cap_of_its_own():
    assert unaccepted_amount(Order(milestones=None)) is None
    assert unaccepted_amount(Order(milestones=[])) is None


def test_nothing_accepted_leaves_the_whole_amount_refundable():
    assert unaccepted_amount(_order("400.00", "600.00")) == Decimal("1000.00")


def test_accepted_milestones_are_not_refundable():
    assert unaccepted_amount(_order("400.00", "350.50", "249.50", accepted=1)) == Decimal("600.00")


def test_every_milestone_accepted_leaves_nothing():
    assert unaccepted_amount(_order("400.00", "600.00", accepted=2)) == Decimal("0.00")


def test_the_process_starts_with_the_count_of_milestones():
    assert start_data([{"name": "a", "amount": "1.00"}] * 3) == {"milestone_count": 3, "milestones_accepted": 0}
    assert start_data(None) == {"milestone_count": 0, "milestones_accepted": 0}


def test_a_process_declares_staged_acceptance_by_its_milestones_property():
    assert supports_milestones({"milestones": "staged"})
    assert not supports_milestones({}) and not supports_milestones({"milestones": "no"})
