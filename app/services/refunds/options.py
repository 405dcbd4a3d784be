"""What a buyer may ask for now: GET /orders/{id}/refund-options and the yearly five-day quota."""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import bindparam, func, select

from app.actors import Actor
from app.errors import ForbiddenError
from app.extensions import runtime
from app.models import Appeal, Order, Refund, Renewal
from app.models.refund import OPEN_STATUSES
from app.services.core.access import allowed, authorize, visible_order
from app.services.core.transaction import transaction
from app.services.fulfilment.order_view import validity
from app.services.invoices.rules import invoices_block_refund
from app.services.lifecycle import chain
from app.services.lifecycle.stack import renewals_of
from app.services.refunds import rules

UNCOUNTED = ("withdrawn", "rejected")  # five-day refunds that did not happen do not use the quota


@dataclass(frozen=True)
class Quota:
    year: int
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


@dataclass(frozen=True)
class RefundOptions:
    """refund-options as the buyer reads it."""

    rule: str
    allowed: bool
    max_amount: Decimal
    why_not: str | None
    detail: str | None
    quota: Quota
    renewals: list = field(default_factory=list)  # RenewalOption per renewal period of the order


@dataclass(frozen=True)
class RenewalOption:
    """One renewal period: refundable in full while it has not taken effect (§6.3.2.4)."""

    id: str
    refundable: bool
    amount: Decimal
    why_not: str | None


def open_refund(session, order_id: str) -> Refund | None:
    """The order's refund that is still under way, if any (at most one: uq_refund_open_order)."""
    return session.scalars(OPEN_REFUND, {"order_id": order_id}).first()


# built once: every acceptance runs it
OPEN_REFUND = select(Refund).where(Refund.order_id == bindparam("order_id"), Refund.status.in_(OPEN_STATUSES))


def quota_of(session, buyer: str) -> Quota:
    """The buyer's five-day refunds in this calendar year, Beijing time."""
    year = rules.beijing_year(runtime.clock.now())
    used = session.scalar(select(func.count(Refund.id)).join(Order, Order.id == Refund.order_id)
                          .where(Order.buyer == buyer, Refund.kind == rules.FIVE_DAY, Refund.quota_year == year,
                                 Refund.status.not_in(UNCOUNTED)))
    return Quota(year, rules.FIVE_DAY_YEARLY_LIMIT, used or 0)


def evaluate(session, order: Order, goods: str | None = None) -> RefundOptions:
    """Table 6-1 and its remarks for this order now; `goods` is what a hardware buyer says."""
    now = runtime.clock.now()
    rule = rules.refund_rule(order.delivery_type, (order.billing or {}).get("mode"), order.supervised)
    quota = quota_of(session, order.buyer)
    frozen = _frozen(session, order)
    renewals = renewals_of(session, order.id)
    facts = rules.RefundFacts(
        rule=rule, status=order.status, paid_at=order.paid_at, now=now, trial=rules.is_trial(order),
        authcode_claimed=order.authcode_claimed_at is not None, validity_end=validity(order, renewals).end,
        frozen=frozen, refund_open=open_refund(session, order.id) is not None,
        quota_used=quota.used, invoice_not_returned=invoices_block_refund(session, order),
        in_transit=goods == "not_received" and bool(order.shipment) and order.signed_at is None)
    why_not = rules.first_refusal(facts)
    return RefundOptions(rule=rule, allowed=why_not is None, max_amount=rules.max_amount(order, rule),
                         why_not=why_not, detail=rules.DETAILS.get(why_not), quota=quota,
                         renewals=[_renewal_option(session, order, r, renewals) for r in chain.ordered(renewals)])


def _frozen(session, order: Order) -> bool:
    return session.scalar(select(Appeal.id).where(Appeal.order_id == order.id, Appeal.status == "open")) is not None


def _renewal_option(session, order: Order, renewal: Renewal, renewals: list[Renewal]) -> RenewalOption:
    why_not = renewal_refusal(session, order, renewal, renewals)
    return RenewalOption(renewal.id, why_not is None, Decimal(renewal.amount_paid), why_not)


def renewal_refusal(session, order: Order, renewal: Renewal, renewals=None) -> str | None:
    """Why this renewal period cannot be refunded now (rules.renewal_refusal), or None."""
    renewals = renewals if renewals is not None else renewals_of(session, order.id)
    span = chain.spans(order, renewals)[renewal.id]
    return rules.renewal_refusal(rules.RenewalFacts(
        order_status=order.status, renewal_status=renewal.status, kind=renewal.kind, start=span.start,
        now=runtime.clock.now(), frozen=_frozen(session, order),
        refund_open=open_refund(session, order.id) is not None))


def refund_options(actor: Actor, order_id: str, goods: str | None) -> RefundOptions:
    """The order's buyer (or staff) asks what refund is possible now."""
    authorize(actor, "refunds.options")
    with transaction(readonly=True) as session:
        order = visible_order(session, actor, order_id)
        if not allowed(actor, "refunds.read_all") and order.buyer != actor.name:
            raise ForbiddenError("only the order's buyer may ask for its refund options")
        return evaluate(session, order, goods)


def refund_quota(actor: Actor) -> Quota:
    """The caller's five-day refunds this calendar year (GET /refund-quota)."""
    authorize(actor, "accounts.read_own")
    with transaction(readonly=True) as session:
        return quota_of(session, actor.name)
