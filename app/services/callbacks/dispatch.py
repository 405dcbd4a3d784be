"""The dispatcher: claim due callbacks with a lease (short transaction), POST them with no transaction open,
record each answer (short transaction). A success is recorded once; a callback is claimed again only after
its lease ran out, so a dispatcher killed mid-delivery only delays it."""
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from app.extensions import runtime
from app.models import Callback, Order, ProductionInterface
from app.services.callbacks import outcome
from app.services.callbacks.protocol import wire_body
from app.services.callbacks.relay import relay_outbox
from app.services.callbacks.secrets import derive
from app.services.callbacks.signing import v2_signature
from app.services.core.transaction import transaction

_clients: dict[float, httpx.Client] = {}
_senders: dict[int, ThreadPoolExecutor] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class Claim:
    id: int
    token: str
    url: str
    key: str
    body: dict


def client(timeout: float) -> httpx.Client:
    """One pooled client per process (keep-alive connections to the merchants)."""
    with _clients_lock:
        if timeout not in _clients:
            _clients[timeout] = httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=20))
        return _clients[timeout]


def _sender(size: int) -> ThreadPoolExecutor:
    """The threads one claimed batch is POSTed from, at once (no database session in them)."""
    with _clients_lock:
        if size not in _senders:
            _senders[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="callback-send")
        return _senders[size]


def deliver_due_callbacks(max_attempts: int = 1000) -> int:
    """Relay the outbox, then attempt every due callback once; returns how many attempts were made."""
    relay_outbox()
    batch, timeout = runtime.settings["CALLBACK_BATCH"], runtime.settings["CALLBACK_TIMEOUT_SECONDS"]
    made = 0
    while made < max_attempts:
        claims = claim_due(min(batch, max_attempts - made))
        if not claims:
            return made
        answers = list(_sender(batch).map(lambda claim: send(claim, timeout), claims))
        outcome.record_all([(claim.id, claim.token, answer) for claim, answer in zip(claims, answers)])
        made += len(claims)
    return made


def _due_query(now, limit: int):
    earlier = aliased(Callback)
    queued_behind = exists().where(earlier.order_id == Callback.order_id, earlier.status == "pending",
                                   earlier.id < Callback.id)  # one order's calls go out in order
    return (select(Callback.id).where(Callback.status == "pending", Callback.next_attempt_at <= now,
                                      or_(Callback.lease_until.is_(None), Callback.lease_until <= now), ~queued_behind)
            .order_by(Callback.next_attempt_at, Callback.id).limit(limit))


def claim_due(limit: int) -> list[Claim]:
    """Lease up to `limit` due callbacks to this dispatcher (each counts an attempt): one conditional
    UPDATE, so of two dispatchers racing for a row only one gets it."""
    with transaction() as session:
        now = runtime.clock.now()
        due = session.scalars(_due_query(now, limit)).all()
        if not due:
            return []
        token = uuid.uuid4().hex
        lease = now + timedelta(seconds=runtime.settings["CALLBACK_LEASE_SECONDS"])
        taken = session.scalars(update(Callback).where(
            Callback.id.in_(due), Callback.status == "pending",
            or_(Callback.lease_until.is_(None), Callback.lease_until <= now))
            .values(lease_until=lease, lease_token=token, attempts=Callback.attempts + 1)
            .returning(Callback.id).execution_options(synchronize_session=False)).all()
        rows = session.execute(select(Callback, Order.instance_id, ProductionInterface)
                               .join(Order, Order.id == Callback.order_id)
                               .join(ProductionInterface, ProductionInterface.seller == Callback.seller)
                               .where(Callback.id.in_(taken)).order_by(Callback.id)
                               .execution_options(populate_existing=True)).all()
        return [claim for row in rows if (claim := _prepare(session, *row, token)) is not None]


def _prepare(session, callback: Callback, instance_id: str | None, interface: ProductionInterface,
             token: str) -> Claim | None:
    if callback.activity != "newInstance" and instance_id is None:
        outcome.fail(session, callback, "the order has no instanceId: its newInstance did not succeed")
        return None
    key = derive("production-interface", interface.seller, interface.key_salt)
    return Claim(callback.id, token, interface.url, key, wire_body(callback.body, instance_id))


def signed_query(key: str, body: bytes) -> dict:
    """§2.4 query; `timestamp` is the wall clock's 13-digit milliseconds when sent (a transport stamp the
    merchant checks against its own clock, 60 s; not the platform's testing clock)."""
    timestamp, nonce = str(time.time_ns() // 1_000_000), uuid.uuid4().hex
    return {"signature": v2_signature(key, body, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def send(claim: Claim, timeout: float) -> outcome.Answer:
    """POST the call (from a sender thread: no app context, no session); never raises: a transport error,
    a non-200 or an unreadable body is a failed attempt."""
    body = json.dumps(claim.body, separators=(",", ":")).encode()
    try:
        response = client(timeout).post(
            claim.url, content=body, params=signed_query(claim.key, body),
            headers={"Content-Type": "application/json; charset=utf-8"})
    except httpx.HTTPError as err:
        return outcome.Answer(error=f"{type(err).__name__}: {err}"[:500])
    if response.status_code != 200:
        return outcome.Answer(error=f"HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        return outcome.Answer(error="the answer is not JSON")
    if not isinstance(answer, dict):
        return outcome.Answer(error="the answer is not a JSON object")
    return outcome.Answer(result_code=str(answer.get("resultCode")), message=str(answer.get("resultMsg") or ""),
                          instance_id=answer.get("instanceId"))
