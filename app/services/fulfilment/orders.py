"""Placing, reading and listing orders."""
import hashlib
import json
from dataclasses import replace
from datetime import timezone
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.errors import ConflictError, ValidationFailedError
from app.extensions import runtime
from app.models import Order, Principal, ProcessDefinition, ProcessInstance, Task
from app.services.core import audit, events
from app.services.core.access import allowed, authorize, order_filter, visible_order
from app.actors import SYSTEM, Actor
from app.services.fulfilment.order_view import (COMPLETED_NODE, NEW_ORDER, OrderView, present_order, present_orders,
                                               read_order_page)
from app.services.core.process_data import ROUTING_FACTS
from app.services.core.definitions import current_definition, parsed
from app.services.core.routing import process_key_for
from app.services.core.keyset import Keyset
from app.services.core.transaction import Page, paginate, transaction
from app.services.core.runtime import finish_order, start_instance
from app.services.lifecycle import trials
from app.services.milestones import stages

ORDERS = Keyset("orders", (Order.created_at, Order.id), descending=True)
SUPERVISED_TYPES = {"manual_service", "license", "hardware", "saas", "orchestration", "data_file"}


def place_order(actor: Actor, body: dict) -> tuple[OrderView, bool]:
    """Create a paid order and start its supervision; the same body again returns the same order."""
    authorize(actor, "orders.place")
    digests = _digests(body)
    digest = digests[0]
    _check_order_rules(body)
    if body["product"]["delivery_type"] == "manual_service" and not body["product"].get("manual_kind"):
        body["product"]["manual_kind"] = "standard"  # the guide's default manual-service flow
    try:
        with transaction() as session:
            existing = session.scalars(select(Order).where(Order.order_no == body["order_no"])).first()
            if existing is not None:
                return _replay(session, existing, digests, actor), False
            _check_parties(session, body)
            trials.check_trial_unused(session, trials.trial_key(body))
            order = _new_order(body, digest, actor)
            session.add(order)
            session.flush()
            definition = _supervision_definition(session, order)  # read before the writes below: no flush
            audit.record(session, order.id, actor, "order_placed",
                         data={"order_no": order.order_no, "amount_paid": str(order.amount_paid)})
            events.record_event(session, order, "order.placed", {
                "amount_paid": str(order.amount_paid), "paid_at": order.paid_at.isoformat(),
                "delivery_type": order.delivery_type, "buyer": order.buyer, "seller": order.seller})
            instance, tasks = _start_supervision(session, order, definition)
            return present_order(session, order, actor, instance=instance, tasks=tasks, known=NEW_ORDER), True
    except IntegrityError:  # a concurrent placement of the same order_no (or the same trial) won the insert
        with transaction() as session:
            existing = session.scalars(select(Order).where(Order.order_no == body["order_no"])).first()
            if existing is None:
                trials.check_trial_unused(session, trials.trial_key(body))
                raise
            return _replay(session, existing, digests, actor), False


def _digests(body: dict) -> tuple[str, str]:
    """The body's fingerprint with `paid_at` as a UTC instant (the same instant in any offset is the
    same body), then the one orders placed before that rule were stored with (the offset as written)."""
    def digest(value: dict) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
    if not body.get("trial"):  # paid orders hash as they did before trials existed
        body = {k: v for k, v in body.items() if k != "trial"}
    return digest({**body, "paid_at": body["paid_at"].astimezone(timezone.utc)}), digest(body)


def _check_parties(session, body: dict) -> None:
    """The buyer and the seller are principals of those roles (422 naming the field otherwise)."""
    roles = dict(session.execute(select(Principal.name, Principal.role)
                                 .where(Principal.name.in_([body["buyer"], body["seller"]]))).all())
    errors = {field: [f"no {field} principal named {body[field]!r}"] for field in ("buyer", "seller")
              if roles.get(body[field]) != field}
    if errors:
        raise ValidationFailedError(errors)


def _replay(session, existing: Order, digests: tuple[str, str], actor: Actor) -> OrderView:
    if existing.request_hash not in digests or existing.placed_by != actor.name:
        raise ConflictError(f"order_no {existing.order_no} was already placed, with another body or by "
                            "another principal")
    return present_order(session, existing, actor)


def _check_order_rules(body: dict) -> None:
    errors = {}
    milestones = body.get("milestones")
    if milestones and sum(Decimal(m["amount"]) for m in milestones) != Decimal(body["amount_paid"]):
        errors["milestones"] = ["milestone amounts must add up to amount_paid"]
    product = body["product"]
    if product["delivery_type"] == "hardware" and not body.get("recipient"):
        errors["recipient"] = ["required for hardware"]
    if product["delivery_type"] == "license" and not product.get("license_mode"):
        errors["product"] = {"license_mode": ["required for license products"]}
    if body["billing"]["mode"] == "periodic" and not body["billing"].get("period"):
        errors["billing"] = {"period": ["required for periodic billing"]}
    if body["paid_at"] > runtime.clock.now():
        errors["paid_at"] = ["must not be in the future"]
    errors.update(trials.trial_errors(body))
    if errors:
        raise ValidationFailedError(errors)


def _new_order(body: dict, digest: str, actor: Actor) -> Order:
    product = body["product"]
    return Order(order_no=body["order_no"], request_hash=digest, buyer=body["buyer"], seller=body["seller"],
                 placed_by=actor.name,
                 product=_json_safe(product), delivery_type=product["delivery_type"],
                 supervised=product["supervised"] and product["delivery_type"] in SUPERVISED_TYPES,
                 billing=body["billing"], amount_paid=Decimal(body["amount_paid"]), paid_at=body["paid_at"],
                 recipient=body.get("recipient"), milestones=_json_safe(stages.not_accepted(body.get("milestones"))),
                 status="processing", rejection_count=0, created_at=runtime.clock.now(),
                 periodic=body["billing"]["mode"] == "periodic", trial=bool(body.get("trial")),
                 trial_key=trials.trial_key(body))


def _json_safe(value):
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def _supervision_definition(session, order: Order) -> ProcessDefinition | None:
    """The current version of the process that supervises the order (None: unsupervised), or a 422."""
    if not order.supervised:
        if order.milestones:
            raise ValidationFailedError({"milestones": ["only supervised orders are accepted in stages"]})
        return None
    facts = _routing_facts(order)
    process_key = process_key_for(facts, order.paid_at)
    if process_key is None:
        raise ValidationFailedError({"product": [f"no supervision process for {facts}"]})
    definition = current_definition(session, process_key)
    if order.milestones and not stages.supports_milestones(parsed(definition).properties):
        raise ValidationFailedError({"milestones": [f"the {process_key} process has no staged acceptance"]})
    return definition


def _routing_facts(order: Order) -> dict:
    return {k: order.product.get(k) for k in ROUTING_FACTS}


def _start_supervision(session, order: Order,
                       definition: ProcessDefinition | None) -> tuple[ProcessInstance | None, list[Task]]:
    """The order's supervision instance, started, and its ready task rows (None: unsupervised, completed at
    once)."""
    if definition is None:
        finish_order(session, order, "completed", SYSTEM)
        return None, []
    return start_instance(session, order, definition.key, data=start_data(order, _routing_facts(order)),
                          definition=definition)


def start_data(order: Order, facts: dict) -> dict:
    """What a process sees in its task data from the start (process_data.START_DATA_NAMES)."""
    return {"order_id": order.id, "order_no": order.order_no, **facts, "amount_paid": str(order.amount_paid),
            "billing_mode": order.billing["mode"], "auto_accept_at": None, **stages.start_data(order.milestones)}


def get_order(actor: Actor, order_id: str) -> OrderView:
    """One order as the caller may see it."""
    with transaction(readonly=True) as session:
        page = read_order_page(session, order_id)  # held while visible_order finds its order in the session
        order = visible_order(session, actor, order_id)  # 404 (no page) or the page's order
        _, instances, known = page
        return present_orders(session, [order], actor, instances=instances, known=known)[0]


def list_orders(actor: Actor, filters: dict, page: int, page_size: int) -> Page:
    """The caller's orders, newest first (ties: higher id first), after a cursor or by page, filtered by
    status, delivery type, node, frozen."""
    with transaction(readonly=True) as session:
        found = paginate(session, _listing(actor, filters), page, page_size, lambda o: o, ORDERS,
                         filters.get("after"), count_query=_count_query(actor, filters))
        return replace(found, items=present_orders(session, found.items, actor))


def _count_query(actor: Actor, filters: dict):
    """The listing's rows, written to be counted. Staff asking for one node and nothing else: the orders with
    a ready task there, read from the tasks' index only (one group per order: an order with two such tasks,
    say of its supervision and of a refund run, counts once)."""
    ready = _ready_at(filters.get("node"))
    if ready is not None and not _order_conditions(filters) and allowed(actor, "orders.read_all"):
        return ready.where(Task.order_id.is_not(None)).group_by(Task.order_id)
    return _listing(actor, filters, counting=True)


def _listing(actor: Actor, filters: dict, counting: bool = False):
    """The listing's query. With `node`, its page walks (created_at, id) and probes each order (a correlated
    EXISTS stops after page_size matches); its count, which reads every match anyway, starts from the
    matching tasks (`id IN (…)`)."""
    query = select(Order).where(order_filter(actor), *_order_conditions(filters))
    ready = _ready_at(filters.get("node"))
    if ready is not None:
        query = query.where(Order.id.in_(ready) if counting else exists(ready.where(Task.order_id == Order.id)))
    return query


def _order_conditions(filters: dict) -> list:
    """The filters on the order's own columns. `frozen` reads the order's copy of its supervision's freeze (an
    index of the frozen orders alone, in the listing's order)."""
    conditions = []
    if filters.get("status"):
        conditions.append(Order.status == filters["status"])
    if filters.get("delivery_type"):
        conditions.append(Order.delivery_type == filters["delivery_type"])
    if filters.get("node") == COMPLETED_NODE.id:
        conditions.append(Order.status == "completed")
    if filters.get("frozen") is not None:
        conditions.append(Order.frozen_at.is_not(None) if filters["frozen"] else Order.frozen_at.is_(None))
    return conditions


def _ready_at(node: str | None):
    """The order ids of the ready tasks at `node` (None: no node filter, or the end node)."""
    if not node or node == COMPLETED_NODE.id:
        return None
    return select(Task.order_id).where(Task.status == "ready", Task.node_id == node)
