"""SaaS V2 production-interface calls (docs/merchant-interfaces.md §3.2, §4.4) as data: which outbox
event becomes which activity, each activity's body and deadline, the result codes, the backoff."""
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from app.models import Order

NEW_INSTANCE = "newInstance"
SUCCESS, ASYNC = "000000", "000004"
CALLBACK_TYPES = ("saas", "saas_instant", "license")  # contract: a SaaS or License order; see CALLBACK_ORDER
DEADLINES = {NEW_INSTANCE: timedelta(hours=3)}  # §4.4: 3 hours; every other activity 1 hour
OTHER_DEADLINE = timedelta(hours=1)
FIRST_RETRY, LONGEST_RETRY = timedelta(seconds=30), timedelta(minutes=20)


@dataclass(frozen=True)
class Mapping:
    activity: str
    fields: dict = field(default_factory=dict)
    when: str = "instance"  # unsupervised | supervised: which orders; instance: orders with an instance


# The one table: outbox event type -> production-interface call (docs/decisions.md, "Merchant callbacks").
EVENT_ACTIVITIES: dict[str, Mapping] = {
    "order.placed": Mapping(NEW_INSTANCE, when="unsupervised"),  # auto-delivered: provision on payment
    "order.completed": Mapping(NEW_INSTANCE, when="supervised"),  # supervised: once the buyer accepted
    "order.renewed": Mapping("refreshInstance", {"scene": "RENEWAL"}),
    "order.trial_converted": Mapping("refreshInstance", {"scene": "TRIAL_TO_FORMAL"}),
    "order.expired": Mapping("updateInstanceStatus", {"status": "FREEZE"}),
    "order.reactivated": Mapping("updateInstanceStatus", {"status": "UNFREEZE"}),
    "order.released": Mapping("releaseInstance"),
    "order.refunded": Mapping("releaseInstance"),  # contract: release on "refund completed"
}
EXPIRY_KEYS = ("expire_time", "expires_at", "expiry", "valid_until", "new_expiry")
ORDER_KEYS = ("renewal_order_no", "new_order_no", "order_no")


def callback_order(order: Order) -> bool:
    """Orders that have an instance at the merchant's: SaaS and License, but not authorization-code
    licences (§6: KooGallery generates the code; the merchant activates it through the open API)."""
    return order.delivery_type in CALLBACK_TYPES and (order.product or {}).get("license_mode") != "authcode"


def deadline(activity: str) -> timedelta:
    return DEADLINES.get(activity, OTHER_DEADLINE)


def backoff(attempts: int) -> timedelta:
    """30 s, 1, 2, 4 ... minutes, at most 20 minutes between two attempts."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _expire_time(payload: dict) -> str | None:
    for key in EXPIRY_KEYS:
        if payload.get(key):
            moment = datetime.fromisoformat(str(payload[key]))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")  # §3.2: UTC yyyyMMddHHmmss
    return None


def relay_body(mapping: Mapping, order: Order, payload: dict) -> dict:
    """The call's fields known when the event is relayed (instanceId and businessId come when it is sent)."""
    order_no = next((str(payload[k]) for k in ORDER_KEYS if payload.get(k)), order.order_no)
    body = {"activity": mapping.activity, **mapping.fields}
    if mapping.activity != "updateInstanceStatus":
        body.update(orderId=order_no, orderLineId=f"{order_no}-000001")  # the mock orders' line-id convention
    expire = _expire_time(payload)
    if mapping.activity == "refreshInstance" and expire:
        body["expireTime"] = expire
    body["testFlag"] = "0"
    return body


def wire_body(body: dict, instance_id: str | None) -> dict:
    """What is POSTed: a fresh businessId on each newInstance attempt (§3.2), the order's instanceId on others."""
    if body["activity"] == NEW_INSTANCE:
        return {**body, "businessId": uuid.uuid4().hex}
    return {**body, "instanceId": instance_id}
