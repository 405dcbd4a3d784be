"""The dispatcher: claim due callbacks with a lease (short transaction), POST them with no transaction open,
record each answer (short transaction). A success is recorded once; a callback is claimed again only after
its lease ran out, so a dispatcher killed mid-delivery only delays it."""
import json
import threading
import uuid
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


def deliver_due_callbacks(max_attempts: int = 1000) -> int:
    """Relay the outbox, then attempt every due callback once; returns how many attempts were made."""
    relay_outbox()
    made = 0
    while made < max_attempts:
        claims = claim_due(min(runtime.settings["CALLBACK_BATCH"], max_attempts - made))
        if not claims:
            return made
        for claim in claims:
            outcome.record(claim.id, claim.token, send(claim))
            made += 1
    return made


def _due_query(now, limit: int):
    earlier = aliased(Callback)
    queued_behind = exists().where(earlier.order_id == Callback.order_id, earlier.status == "pending",
                                   earlier.id < Callback.id)  # one order's calls go out in order
    return (select(Callback.id).where(Callback.status == "pending", Callback.next_attempt_at <= now,
                                      or_(Callback.lease_until.is_(None), Callback.lease_until <= now), ~queued_behind)
            .order_by(Callback.next_attempt_at, Callback.id).limit(limit))


def claim_due(limit: int) -> list[Claim]:
    """Lease up to `limit` due callbacks to this dispatcher (each counts an attempt)."""
    with transaction() as session:
        now = runtime.clock.now()
        lease = now + timedelta(seconds=runtime.settings["CALLBACK_LEASE_SECONDS"])
        claims = []
        for callback_id in session.scalars(_due_query(now, limit)).all():
            token = uuid.uuid4().hex
            taken = session.execute(update(Callback).where(
                Callback.id == callback_id, Callback.status == "pending",
                or_(Callback.lease_until.is_(None), Callback.lease_until <= now))
                .values(lease_until=lease, lease_token=token, attempts=Callback.attempts + 1))
            if taken.rowcount == 1:
                claim = _prepare(session, callback_id, token)
                if claim is not None:
                    claims.append(claim)
        return claims


def _prepare(session, callback_id: int, token: str) -> Claim | None:
    callback = session.get(Callback, callback_id, populate_existing=True)
    order = session.get(Order, callback.order_id)
    interface = session.scalars(select(ProductionInterface).where(ProductionInterface.seller == callback.seller)).one()
    if callback.activity != "newInstance" and order.instance_id is None:
        outcome.fail(session, callback, "the order has no instanceId: its newInstance did not succeed")
        return None
    key = derive("production-interface", interface.seller, interface.key_salt)
    return Claim(callback.id, token, interface.url, key, wire_body(callback.body, order.instance_id))


def signed_query(key: str, body: bytes) -> dict:
    timestamp = str(int(runtime.clock.now().timestamp() * 1000))  # §2.4: 13-digit milliseconds
    nonce = uuid.uuid4().hex
    return {"signature": v2_signature(key, body, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def send(claim: Claim) -> outcome.Answer:
    """POST the call; never raises: a transport error, a non-200 or an unreadable body is a failed attempt."""
    body = json.dumps(claim.body, separators=(",", ":")).encode()
    try:
        response = client(runtime.settings["CALLBACK_TIMEOUT_SECONDS"]).post(
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
