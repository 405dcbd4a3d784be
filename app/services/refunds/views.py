"""The refund resource as one caller sees it, and which refunds a caller may see."""
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import select, true

from app.actors import Actor
from app.errors import NotFoundError
from app.models import Order, ProcessInstance, Refund, Task
from app.services.core.rows import orders_by_id
from app.services.core.access import PARTY_COLUMN, allowed, authorize, is_party, may_act
from app.services.core.transaction import Page, paginate, transaction
from app.services.core.views import RowView
from app.services.fulfilment.order_view import AvailableAction, Node

STATUS_ZH = {"pending_seller": "待商家审核", "awaiting_return": "待用户寄回", "awaiting_inspection": "待商家验收",
             "refunding": "退款中", "refunded": "已退款", "rejected": "商家已拒绝", "withdrawn": "已撤回"}


@dataclass(frozen=True)
class RefundView(RowView):
    """The refund's columns plus its nodes, the caller's actions and the Chinese status label."""

    extends = "refund"
    refund: Refund
    order: Order
    nodes: list[Node]
    available_actions: list[AvailableAction]

    @property
    def status_zh(self) -> str | None:
        return STATUS_ZH.get(self.refund.status)


def may_see(actor: Actor, order: Order) -> bool:
    """Staff see every refund; the buyer and the seller those of their orders."""
    return allowed(actor, "refunds.read_all") or (allowed(actor, "refunds.read") and is_party(actor, order))


def visible_refund(session, actor: Actor, refund_id: str) -> tuple[Refund, Order]:
    """The refund and its order, or 404 when the caller may not see it (no leak)."""
    authorize(actor, "refunds.read")
    refund = session.get(Refund, refund_id)
    order = session.get(Order, refund.order_id) if refund is not None else None
    if order is None or not may_see(actor, order):
        raise NotFoundError("no such refund")
    return refund, order


def present_refunds(session, refunds: list[Refund], actor: Actor) -> list[RefundView]:
    """Refunds as `actor` sees them: their orders and ready tasks in one query each."""
    if not refunds:
        return []
    orders = orders_by_id(session, (r.order_id for r in refunds))
    tasks = defaultdict(list)
    instance_ids = [r.process_instance_id for r in refunds if r.process_instance_id is not None]
    frozen = set()
    if instance_ids:
        frozen = set(session.scalars(select(ProcessInstance.id).where(ProcessInstance.id.in_(instance_ids),
                                                                      ProcessInstance.frozen_at.is_not(None))))
        for task in session.scalars(select(Task).where(Task.process_instance_id.in_(instance_ids),
                                                       Task.status == "ready").order_by(Task.created_at)):
            tasks[task.process_instance_id].append(task)
    return [_view(r, orders[r.order_id], tasks[r.process_instance_id], r.process_instance_id in frozen, actor)
            for r in refunds]


def present_refund(session, refund: Refund, actor: Actor) -> RefundView:
    return present_refunds(session, [refund], actor)[0]


def _view(refund: Refund, order: Order, tasks: list[Task], frozen: bool, actor: Actor) -> RefundView:
    """While an appeal on the refund is open its nodes stay and nobody has an action (as on orders)."""
    nodes = [Node(t.node_id, t.name, t.name_zh, t.role, t.id, t.created_at) for t in tasks]
    actions = [] if frozen or not allowed(actor, "tasks.complete") else [
        AvailableAction(a, t.id) for t in tasks if may_act(actor, t) for a in t.actions]
    return RefundView(refund, order, nodes, actions)


def get_refund(actor: Actor, refund_id: str) -> RefundView:
    with transaction(readonly=True) as session:
        refund, _ = visible_refund(session, actor, refund_id)
        return present_refund(session, refund, actor)


def list_refunds(actor: Actor, filters: dict, page: int, page_size: int) -> Page:
    """The caller's refunds (buyer: own, seller: of own orders, staff: all), newest first."""
    authorize(actor, "refunds.read")
    with transaction(readonly=True) as session:
        mine = true() if allowed(actor, "refunds.read_all") else getattr(Order, PARTY_COLUMN[actor.role]) == actor.name
        query = (select(Refund).join(Order, Order.id == Refund.order_id).where(mine)
                 .order_by(Refund.created_at.desc(), Refund.id))
        if filters.get("status"):
            query = query.where(Refund.status == filters["status"])
        if filters.get("order_id"):
            query = query.where(Refund.order_id == filters["order_id"])
        found = paginate(session, query, page, page_size, lambda r: r)
        return replace(found, items=present_refunds(session, found.items, actor))
