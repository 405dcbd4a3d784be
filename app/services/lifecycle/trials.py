"""Free trials (免费试用, buyer guide §3): price 0, periodic, no repeat purchase of a product and spec."""
import hashlib
from decimal import Decimal

from sqlalchemy import select

from app.errors import TrialAlreadyUsedError
from app.models import Order


def trial_key(body: dict) -> str | None:
    """What makes two trials the same (buyer, product name, spec); None for a paid order."""
    if not body.get("trial"):
        return None
    product = body["product"]
    text = "\x1f".join((body["buyer"], product["name"], product.get("spec") or ""))
    return hashlib.sha256(text.encode()).hexdigest()


def trial_errors(body: dict) -> dict:
    """422 field errors of a trial body: it costs 0.00 and runs for a period."""
    if not body.get("trial"):
        return {}
    errors = {}
    if Decimal(body["amount_paid"]) != Decimal("0"):
        errors["amount_paid"] = ["a trial is free: 0.00"]
    if body["billing"]["mode"] != "periodic":
        errors["trial"] = ["a trial is periodic (billing.mode periodic with its period)"]
    if body.get("milestones"):
        errors["milestones"] = ["a trial has no milestones"]
    return errors


def check_trial_unused(session, key: str | None) -> None:
    """409 trial_already_used when the buyer took this trial before (§3.1: free trials cannot be bought twice)."""
    if key is not None and session.scalar(select(Order.id).where(Order.trial_key == key)) is not None:
        raise TrialAlreadyUsedError("this buyer has already taken a free trial of this product and spec")
