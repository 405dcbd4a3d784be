"""The guide's refund rules as data and pure functions (buyer guide §6.3, Table 6-1; docs/domain.md §4.3, §5.2).

A leaf: it imports no service, so the order read model and the refund services both use it."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from app.services.milestones.stages import unaccepted_amount

NEGOTIATED, FIVE_DAY, NONE = "negotiated", "five_day", "none"
FIVE_DAY_WINDOW = timedelta(days=5)
FIVE_DAY_YEARLY_LIMIT = 10
BEIJING = timezone(timedelta(hours=8))  # the quota's calendar year; China keeps no daylight saving time

# Table 6-1 row by row: (delivery type, billing mode, supervised) -> rule. `None` as billing mode: any mode.
TABLE_6_1 = {
    ("saas", "periodic", True): NEGOTIATED,
    ("saas", "periodic", False): FIVE_DAY,
    ("saas", "one_off", True): NEGOTIATED,
    ("saas", "one_off", False): NONE,
    ("saas", "on_demand", False): NONE,
    ("license", "periodic", True): NEGOTIATED,
    ("license", "one_off", True): NEGOTIATED,
    ("manual_service", "periodic", True): NEGOTIATED,
    ("manual_service", "one_off", True): NEGOTIATED,
    ("hardware", "periodic", True): NEGOTIATED,
    ("hardware", "one_off", True): NEGOTIATED,
    ("image", "periodic", False): FIVE_DAY,
    ("image", "on_demand", False): NONE,
    ("api", "one_off", False): NONE,
    ("api", "on_demand", False): NONE,
    ("ai_asset", "periodic", False): NONE,
    ("ai_asset", "one_off", False): NONE,
    ("container", "periodic", False): NONE,
    ("data_file", "one_off", True): NEGOTIATED,  # the guide's supervised "data asset"
    ("data_asset", "one_off", False): NONE,
    ("orchestration", None, True): NEGOTIATED,  # missing from the table (docs/decisions.md)
}
ALIASES = {"saas_instant": "saas"}  # marketplace types the table lists under another name

# why_not code -> what the buyer reads (the remarks column of Table 6-1 and §6.3)
DETAILS = {
    "order_frozen": "An appeal on this order is open; refunds wait until operations resolve it.",
    "refund_open": "A refund of this order is already under way; wait for it or withdraw it first.",
    "already_refunded": "This order has already been refunded.",
    "trial": "Free-trial orders cannot be refunded (Table 6-1, SaaS remarks).",
    "not_refundable": "Products of this type and billing mode cannot be refunded (Table 6-1).",
    "guarantee_period_over": "Supervision of this order has completed, so its transaction guarantee period is "
                             "over and a negotiated refund is no longer possible (§6.3).",
    "authcode_claimed": "The authorization code has been claimed; a negotiated refund is no longer possible.",
    "validity_over": "The order's validity period has ended; expired orders cannot be refunded (Table 6-1).",
    "five_day_window_over": "The 5-day no-reason refund is only possible within 5 days of payment.",
    "quota_exhausted": f"You have used all {FIVE_DAY_YEARLY_LIMIT} self-service 5-day refunds of this calendar "
                       "year (Beijing time).",
    "invoice_not_returned": "An invoice of this order was applied for or issued and has not been returned; "
                            "return it first (§6.3, invoices first).",
    "renewal_effective": "This renewal period has already taken effect; effective renewals cannot be refunded "
                         "(Table 6-1 remarks).",
    "conversion": "A trial's conversion to a formal order is refunded with the order, not as a renewal period.",
    "in_transit": "The goods have been shipped and are not yet signed for: you cannot ask for a 'not received' "
                  "refund until the platform confirms the delivery.",
}


def refund_rule(delivery_type: str, billing_mode: str | None, supervised: bool) -> str:
    """Table 6-1: the rule of a product; any other supervised product is negotiated, anything else none."""
    kind = ALIASES.get(delivery_type, delivery_type)
    found = TABLE_6_1.get((kind, billing_mode, supervised), TABLE_6_1.get((kind, None, supervised)))
    if found is not None:
        return found
    return NEGOTIATED if supervised else NONE


def is_trial(order) -> bool:
    """Whether the order is a free trial (Order.trial; a converted trial is a paid order)."""
    return bool(getattr(order, "trial", False))


def beijing_year(moment: datetime) -> int:
    return moment.astimezone(BEIJING).year


def max_amount(order, rule: str) -> Decimal:
    """What may be refunded: the amount paid, or for milestone orders what the unaccepted milestones are worth."""
    if rule == NONE:
        return Decimal("0.00")
    if rule == NEGOTIATED and order.milestones:
        return unaccepted_amount(order)
    return Decimal(order.amount_paid)


@dataclass(frozen=True)
class RefundFacts:
    """What the rules look at, gathered by the caller (the database parts) for one order, now."""

    rule: str
    status: str
    paid_at: datetime
    now: datetime
    trial: bool = False
    authcode_claimed: bool = False
    validity_end: datetime | None = None
    frozen: bool = False
    refund_open: bool = False
    quota_used: int = 0
    invoice_not_returned: bool = False
    in_transit: bool = False  # hardware shipped, not signed, and the buyer says not received


def first_refusal(facts: RefundFacts) -> str | None:
    """The why_not code of the first rule that refuses a refund now, or None when one may be asked for."""
    negotiated, five_day = facts.rule == NEGOTIATED, facts.rule == FIVE_DAY
    checks = (
        ("order_frozen", facts.frozen),
        ("refund_open", facts.refund_open),
        ("already_refunded", facts.status == "refunded"),
        ("trial", facts.trial),
        ("not_refundable", facts.rule == NONE),
        ("guarantee_period_over", negotiated and facts.status != "processing"),
        ("authcode_claimed", negotiated and facts.authcode_claimed),
        ("validity_over", facts.validity_end is not None and facts.validity_end <= facts.now),
        ("five_day_window_over", five_day and facts.now > facts.paid_at + FIVE_DAY_WINDOW),
        ("quota_exhausted", five_day and facts.quota_used >= FIVE_DAY_YEARLY_LIMIT),
        ("invoice_not_returned", facts.invoice_not_returned),
        ("in_transit", facts.in_transit),
    )
    return next((code for code, refused in checks if refused), None)


def negotiated_refund_allowed(order, validity_end: datetime | None, now: datetime) -> bool:
    """What the order resource's flag says: a negotiated refund is possible by the order's own columns
    (open refunds, appeals and invoices are refund-options' to add)."""
    rule = refund_rule(order.delivery_type, (order.billing or {}).get("mode"), order.supervised)
    facts = RefundFacts(rule=rule, status=order.status, paid_at=order.paid_at, now=now, trial=is_trial(order),
                        authcode_claimed=order.authcode_claimed_at is not None, validity_end=validity_end)
    return rule == NEGOTIATED and first_refusal(facts) is None


@dataclass(frozen=True)
class RenewalFacts:
    """What the renewal-refund rule looks at (§6.3.2.4, Table 6-1: a renewal not yet in effect is refunded
    in full, without the seller; an effective one is not refundable)."""

    order_status: str
    renewal_status: str
    kind: str
    start: datetime | None
    now: datetime
    frozen: bool = False
    refund_open: bool = False


def renewal_refusal(facts: RenewalFacts) -> str | None:
    """The why_not code refusing the refund of one renewal now, or None when it is refundable."""
    checks = (
        ("order_frozen", facts.frozen),
        ("refund_open", facts.refund_open),
        ("already_refunded", facts.order_status == "refunded" or facts.renewal_status != "active"),
        ("conversion", facts.kind == "trial_to_formal"),
        ("renewal_effective", facts.start is not None and facts.start <= facts.now),
    )
    return next((code for code, refused in checks if refused), None)
