"""The order resource as one caller sees it: a read model over the order and what a page batch-loads for it.

The JSON shape is OrderSchema's (app/schemas/orders.py); this module decides what the caller may see."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import defer, joinedload

from app.actors import Actor
from app.models import Appeal, LogisticsEvent, Order, ProcessDefinition, ProcessInstance, Renewal, Task
from app.models.process import SUPERVISION
from app.services.core.rows import any_of
from app.services.core.access import allowed, may_act
from app.extensions import runtime
from app.services.core.views import RowView
from app.services.lifecycle import chain
from app.services.lifecycle.views import RenewalView, present_renewals
from app.services.milestones.stages import unaccepted_amount
from app.services.refunds.rules import negotiated_refund_allowed

PARTY_ERROR = {"message": "The order's process failed; operations have been notified.", "element_id": None,
               "line": None}


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    name_zh: str | None
    role: str | None
    task_id: str | None
    since: datetime | None


COMPLETED_NODE = Node("service_completed", "Service completed", "服务完成", None, None, None)


@dataclass(frozen=True)
class AvailableAction:
    action: str
    task_id: str


@dataclass(frozen=True)
class Validity:
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Logistics:
    shipment: dict | None
    signed_at: datetime | None
    events: list[LogisticsEvent]

    @property
    def status(self) -> str | None:
        return self.events[-1].status if self.events else None


@dataclass
class OrderFacts:
    """What one order's presentation needs beyond its row, loaded for a whole page at once."""

    instance: ProcessInstance | None = None
    tasks: list[Task] = field(default_factory=list)
    open_appeal: str | None = None  # the id
    events: list[LogisticsEvent] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)


@dataclass(frozen=True)
class OrderView(RowView):
    """The order's columns (through `order`) plus what is computed for this caller."""

    extends = "order"
    order: Order
    process: ProcessDefinition | None
    nodes: list[Node]
    frozen: bool
    open_appeal: str | None
    available_actions: list[AvailableAction]
    validity: Validity
    authcode: str | None
    logistics: Logistics | None
    error: dict | None
    negotiated_refund_allowed: bool  # refund-options' answer as far as the order's own columns tell
    renewals: list[RenewalView]

    @property
    def unaccepted_amount(self):
        return unaccepted_amount(self.order)


@dataclass(frozen=True)
class KnownFacts:
    """What a caller knows already of an order's appeals and renewals: the open appeal's id, and whether the
    order has renewal rows (read only then). An action reads both with its lock (`FACT_COLUMNS`); a placement
    made the order, which has neither (`NEW_ORDER`)."""

    open_appeal: str | None = None
    renewed: bool = False


NEW_ORDER = KnownFacts()
# correlated to the order of the statement they are added to (the action's lock: two index probes)
FACT_COLUMNS = (select(Appeal.id).where(Appeal.order_id == Order.id, Appeal.status == "open").limit(1)
                .scalar_subquery(), exists().where(Renewal.order_id == Order.id))


def present_order(session, order: Order, actor: Actor, instance: ProcessInstance | None = None,
                  tasks: list[Task] | None = None, known: KnownFacts | None = None) -> OrderView:
    """One order as `actor` may see it now. A caller that holds them passes the supervision `instance` and
    the `tasks` its last save made ready (save_workflow's answer, this transaction), and what it knows (`known`) of
    the order's appeals and renewals: not read again."""
    if instance is None or tasks is None:
        return present_orders(session, [order], actor, instances=[instance] if instance is not None else None)[0]
    facts = load_facts(session, [order], [instance], known_tasks=True, known=known)
    facts[order.id].tasks = sorted((t for t in tasks if t.status == "ready"), key=lambda t: t.created_at)
    return _view(order, facts[order.id], actor)


def present_orders(session, orders: list[Order], actor: Actor, instances=None,
                   known: KnownFacts | None = None) -> list[OrderView]:
    """A page of orders as `actor` may see them, with one query per kind of related row (`instances`, when
    the caller read them: the orders' supervision instances; `known`, of one order: see load_facts)."""
    facts = load_facts(session, orders, instances, known=known)
    return [_view(order, facts[order.id], actor) for order in orders]


def read_order_page(session, order_id: str) -> tuple[Order, list[ProcessInstance], KnownFacts] | None:
    """One order with its supervision instance (a list: none or one) and what it knows of its appeals and
    renewals, in one statement (ORDER_PAGE); None when there is no such order."""
    row = session.execute(ORDER_PAGE, {"order_id": order_id}).first()
    if row is None:
        return None
    order, instance, open_appeal, renewed = row
    return order, [instance] if instance is not None else [], KnownFacts(open_appeal, bool(renewed))


def load_facts(session, orders: list[Order], instances=None, known_tasks: bool = False,
               known: KnownFacts | None = None) -> dict[str, OrderFacts]:
    """The instances (unless given: the orders' supervision instances), ready tasks (unless known to the
    caller), open appeals and renewals (unless `known`, for one order), and logistics events of `orders`:
    five queries at most."""
    ids = [o.id for o in orders]
    facts = defaultdict(OrderFacts)
    if not ids:
        return facts
    if instances is None:
        instances = session.scalars(FACTS["instances"], {"ids": ids}).all()
    for instance in instances:
        facts[instance.order_id].instance = instance
    ready = [] if known_tasks else session.scalars(FACTS["ready_tasks"], {"ids": [i.id for i in instances]})
    for task in ready:
        facts[task.order_id].tasks.append(task)
    _load_appeals_and_renewals(session, orders, facts, known)
    hardware = [o.id for o in orders if o.delivery_type == "hardware"]
    if hardware:
        for event in session.scalars(FACTS["logistics"], {"ids": hardware}):
            facts[event.order_id].events.append(event)
    return facts


def _load_appeals_and_renewals(session, orders: list[Order], facts: dict, known: KnownFacts | None) -> None:
    if known is not None:
        (order,) = orders
        facts[order.id].open_appeal = known.open_appeal
    else:
        for order_id, appeal_id in session.execute(FACTS["open_appeals"], {"ids": [o.id for o in orders]}):
            facts[order_id].open_appeal = appeal_id
    periodic = [o.id for o in orders if o.periodic and (known is None or known.renewed)]
    if periodic:
        for renewal in session.scalars(FACTS["renewals"], {"ids": periodic}):
            facts[renewal.order_id].renewals.append(renewal)


# built once (every order response runs some of them; building one cost about as much as running it)
# an order page's one read: the order, its supervision (the definition joined, the state deferred, as FACTS
# reads them; an outer join, or an order without one would vanish) and FACT_COLUMNS
ORDER_PAGE = (select(Order, ProcessInstance, *FACT_COLUMNS)
              .outerjoin(ProcessInstance, and_(ProcessInstance.order_id == Order.id, ProcessInstance.kind == SUPERVISION))
              .where(Order.id == bindparam("order_id"))
              .options(defer(ProcessInstance.state), joinedload(ProcessInstance.definition, innerjoin=False)))
FACTS = {
    "instances": select(ProcessInstance)  # the supervision; other kinds show elsewhere
    .where(any_of(ProcessInstance.order_id), ProcessInstance.kind == SUPERVISION)
    .options(defer(ProcessInstance.state)),
    "ready_tasks": select(Task).where(any_of(Task.process_instance_id), Task.status == "ready")
    .order_by(Task.created_at),
    "open_appeals": select(Appeal.order_id, Appeal.id).where(any_of(Appeal.order_id), Appeal.status == "open"),
    "renewals": select(Renewal).where(any_of(Renewal.order_id)),
    "logistics": select(LogisticsEvent).where(any_of(LogisticsEvent.order_id)).order_by(LogisticsEvent.id),
}


def _view(order: Order, facts: OrderFacts, actor: Actor) -> OrderView:
    instance, tasks = facts.instance, facts.tasks
    frozen = bool(instance and instance.frozen_at)
    now = runtime.clock.now()
    valid = validity(order, facts.renewals)
    return OrderView(
        order=order, process=instance.definition if instance else None, nodes=_nodes(order, tasks),
        frozen=frozen, open_appeal=facts.open_appeal,
        available_actions=[] if frozen or not allowed(actor, "tasks.complete") else [
            AvailableAction(action, t.id) for t in tasks if may_act(actor, t) for action in t.actions],
        validity=valid, renewals=present_renewals(order, facts.renewals, now),
        authcode=order.authcode if allowed(actor, "orders.read_authcode") else None,
        logistics=Logistics(order.shipment, order.signed_at, facts.events) if order.delivery_type == "hardware"
        else None,
        error=_error_for(actor, instance),
        negotiated_refund_allowed=not frozen and negotiated_refund_allowed(order, valid.end, now))


def _error_for(actor: Actor, instance) -> dict | None:
    """Operations get the engine's details; the parties only learn that operations are on it."""
    if instance is None or instance.status != "error":
        return None
    return instance.error if allowed(actor, "orders.read_engine_error") else PARTY_ERROR


def _nodes(order: Order, tasks: list[Task]) -> list[Node]:
    if order.status in ("completed", "expired", "released"):  # supervision is over; the lifecycle goes on
        return [COMPLETED_NODE]
    return [Node(t.node_id, t.name, t.name_zh, t.role, t.id, t.created_at) for t in tasks]


def validity(order: Order, renewals=()) -> Validity:
    """Periodic orders, once accepted: start = seller's actual start time, else acceptance; end = start + period,
    moved on by each active renewal (app/services/lifecycle/chain.py)."""
    span = chain.validity(order, renewals)
    return Validity(span.start, span.end)
