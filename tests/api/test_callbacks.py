"""Merchant callbacks over the HTTP API against a real receiver on loopback (tests/merchant.py verifies the
V2 signature on its own): registration, the lifecycle's activities, retries, deadlines, provisioning-failure
refunds, GET /callbacks and retry. Time moves only through the testing clock; POST /testing/tick runs the
dispatcher job."""
import pytest
from sqlalchemy import select

from tests.conftest import order_body
from tests.helpers import ok
from tests.merchant import Receiver

TICK, CALLBACKS = "/api/v1/testing/tick", "/api/v1/callbacks"


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def start(clock):
    clock(set="2026-03-02T09:00:00+00:00")


@pytest.fixture
def registered(api, cast, receiver, start):
    """The cast's seller has a production interface at the receiver."""
    found = ok(api.request("PUT", f"/api/v1/sellers/{cast.seller.name}/production-interface", cast.seller.token,
                           json={"url": receiver.url}))
    receiver.access_key = found["access_key"]
    return found


def tick(api) -> int:
    return ok(api.post(TICK))["fired"]


def saas(place_order, cast, supervised=False, **product):
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="saas", supervised=supervised, **product)
    body["paid_at"] = "2026-03-01T08:00:00+00:00"
    return place_order(body)


def callbacks(api, who, **params):
    return ok(api.get(CALLBACKS, who.token, params=params or None))


def record(order_id: str, type_: str, **payload) -> None:
    """An event of the lifecycle feature, written as it will write it (app/services/core/events.py)."""
    from app.models import Order
    from app.services.core.events import record_event
    from app.services.core.transaction import transaction
    with transaction() as session:
        record_event(session, session.get(Order, order_id), type_, payload)


def instance_of(query_db, order_id: str) -> str | None:
    from app.models import Order
    return query_db(lambda s: s.scalar(select(Order.instance_id).where(Order.id == order_id)))


# -- registration ---------------------------------------------------------------------------------------------
def test_a_seller_registers_its_production_interface_and_gets_an_access_key_once(api, cast, receiver, problem):
    path = f"/api/v1/sellers/{cast.seller.name}/production-interface"
    first = ok(api.request("PUT", path, cast.seller.token, json={"url": receiver.url}))
    assert first["url"] == receiver.url and len(first["access_key"]) >= 32
    again = ok(api.request("PUT", path, cast.admin.token, json={"url": receiver.url}))
    assert again["access_key"] != first["access_key"]  # a new key each time: the old one is never shown again
    problem(api.request("PUT", path, cast.other_seller.token, json={"url": receiver.url}), 403, "forbidden")
    problem(api.request("PUT", path, cast.buyer.token, json={"url": receiver.url}), 403, "forbidden")
    problem(api.request("PUT", path, cast.seller.token, json={"url": "ftp://x"}), 422, "validation_failed")
    problem(api.request("PUT", "/api/v1/sellers/nobody-x/production-interface", cast.admin.token,
                        json={"url": receiver.url}), 404, "not_found")
    problem(api.request("PUT", f"/api/v1/sellers/{cast.buyer.name}/production-interface", cast.admin.token,
                        json={"url": receiver.url}), 422, "validation_failed")


def test_no_database_column_holds_the_access_key(api, cast, registered, query_db):
    """The key is derived from a salt and the platform's key: a dump of the table alone does not sign."""
    from app.models import ProductionInterface
    row = query_db(lambda s: s.scalars(select(ProductionInterface)
                                       .where(ProductionInterface.seller == cast.seller.name)).one())
    assert registered["access_key"] not in (row.url, row.key_salt, row.seller)


# -- delivery ---------------------------------------------------------------------------------------------------
def test_an_auto_delivered_saas_order_gets_one_signed_new_instance_and_keeps_its_instance_id(
        api, cast, registered, receiver, place_order, query_db):
    order = saas(place_order, cast)
    assert tick(api) == 1
    (call,) = receiver.calls
    assert call["signed"] and call["content_type"].startswith("application/json")
    assert set(call["query"]) == {"signature", "timestamp", "nonce"} and len(call["query"]["timestamp"][0]) == 13
    body = call["body"]
    assert body["activity"] == "newInstance" and body["orderId"] == order["order_no"]
    assert body["orderLineId"] == f"{order['order_no']}-000001" and body["testFlag"] == "0" and body["businessId"]
    assert instance_of(query_db, order["id"]) == f"inst-{order['order_no']}"
    (listed,) = callbacks(api, cast.seller)
    assert listed["status"] == "delivered" and listed["attempts"] == 1 and listed["next_attempt_at"] is None
    assert tick(api) == 0 and len(receiver.calls) == 1  # delivered once: never again


def test_the_lifecycle_events_reach_the_merchant_in_order_with_the_instance_id(
        api, cast, registered, receiver, place_order):
    order = saas(place_order, cast)
    record(order["id"], "order.renewed", expire_time="2026-05-01T00:00:00+00:00", renewal_no="RN1")
    record(order["id"], "order.trial_converted", expire_time="2026-06-01T00:00:00+00:00")
    record(order["id"], "order.expired")
    record(order["id"], "order.reactivated")
    record(order["id"], "order.released")
    assert tick(api) == 6
    assert all(c["signed"] for c in receiver.calls)
    instance = f"inst-{order['order_no']}"
    assert [c["body"]["activity"] for c in receiver.calls] == [
        "newInstance", "refreshInstance", "refreshInstance", "updateInstanceStatus", "updateInstanceStatus",
        "releaseInstance"]
    renewal, trial, freeze, unfreeze, release = (c["body"] for c in receiver.calls[1:])
    assert renewal == {"activity": "refreshInstance", "scene": "RENEWAL", "orderId": "RN1", "orderLineId": "RN1-000001",
                       "expireTime": "20260501000000", "testFlag": "0", "instanceId": instance}
    assert trial["scene"] == "TRIAL_TO_FORMAL" and trial["expireTime"] == "20260601000000"
    assert freeze == {"activity": "updateInstanceStatus", "status": "FREEZE", "testFlag": "0", "instanceId": instance}
    assert unfreeze["status"] == "UNFREEZE" and release["instanceId"] == instance
    assert tick(api) == 0


def test_a_renewal_through_the_api_refreshes_the_instance_with_the_new_expiry(
        api, cast, registered, receiver, place_order):
    """The whole path: POST /orders/{id}/renewals (lifecycle) -> outbox -> refreshInstance at the merchant's."""
    order = saas(place_order, cast)
    tick(api)
    renewal = ok(api.post(f"/api/v1/orders/{order['id']}/renewals", cast.platform.token,
                          json={"renewal_no": "RN-E2E-1", "period": "P1M", "amount_paid": "1000.00",
                                "paid_at": "2026-03-02T08:00:00+00:00"}), 201)
    assert tick(api) == 1
    body = receiver.calls[-1]["body"]
    expected = ok(api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token))["validity"]["end"]
    assert (body["activity"], body["scene"], body["orderId"]) == ("refreshInstance", "RENEWAL", renewal["renewal_no"])
    assert body["expireTime"] == expected[:19].replace("-", "").replace("T", "").replace(":", "")
    assert body["instanceId"] == f"inst-{order['order_no']}"


def test_orders_without_an_instance_at_the_merchant_get_no_callback(api, cast, registered, receiver, place_order):
    """Manual services, authorization-code licences, sellers without a production interface."""
    place_order()
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="license", license_mode="authcode",
                      supervised=False)
    place_order(body)
    place_order(order_body(cast.buyer.name, cast.other_seller.name, delivery_type="saas", supervised=False))
    assert tick(api) == 0 and receiver.calls == []


def test_a_supervised_saas_order_is_provisioned_when_its_supervision_completes(
        api, cast, registered, receiver, place_order, walk, act):
    order = walk(saas(place_order, cast, supervised=True), "confirm_acceptance")
    assert tick(api) == 0
    ok(act(cast.buyer, order, "accept"))
    assert tick(api) == 1 and receiver.of("newInstance")[0]["orderId"] == order["order_no"]


# -- retries and deadlines -----------------------------------------------------------------------------------------
def test_a_failing_call_is_retried_with_backoff_until_it_succeeds(api, cast, registered, receiver, place_order,
                                                                  clock):
    receiver.answers["newInstance"] = [("000005", {}), ("000005", {}), ("000000", {"instanceId": "i-1"})]
    saas(place_order, cast)
    assert tick(api) == 1
    (pending,) = callbacks(api, cast.seller, status="pending")
    assert pending["attempts"] == 1 and pending["last_error"] == "000005 scripted failure"
    assert pending["next_attempt_at"] == "2026-03-02T09:00:30+00:00"  # 30 s, then doubling
    assert tick(api) == 0  # not due yet
    clock(advance="PT30S")
    assert tick(api) == 1 and callbacks(api, cast.seller)[0]["next_attempt_at"] == "2026-03-02T09:01:30+00:00"
    clock(advance="PT1M")
    assert tick(api) == 1
    (done,) = callbacks(api, cast.seller)
    assert done["status"] == "delivered" and done["attempts"] == 3 and done["last_error"] is None
    assert len(receiver.calls) == 3 and len({c["body"]["businessId"] for c in receiver.calls}) == 3


def test_an_async_answer_is_asked_again_until_it_is_done_and_the_first_instance_id_stays(
        api, cast, registered, receiver, place_order, clock, query_db):
    receiver.answers["newInstance"] = [("000004", {"instanceId": "first"}), ("000000", {"instanceId": "other"})]
    order = saas(place_order, cast)
    assert tick(api) == 1 and callbacks(api, cast.seller)[0]["status"] == "pending"
    clock(advance="PT30S")
    assert tick(api) == 1 and callbacks(api, cast.seller)[0]["status"] == "delivered"
    assert instance_of(query_db, order["id"]) == "first"


def drive_past(api, clock, hours: int) -> None:
    for _ in range(hours * 3 + 1):  # every 20 minutes, the longest backoff
        clock(advance="PT20M")
        tick(api)


def test_a_new_instance_that_never_succeeds_fails_the_order_and_refunds_it_in_full(
        api, cast, registered, receiver, place_order, clock, problem):
    receiver.answers["newInstance"] = [("000100", {})]
    order = saas(place_order, cast)
    tick(api)
    drive_past(api, clock, 3)
    (failed,) = callbacks(api, cast.seller, status="failed")
    assert failed["last_error"].startswith("000100") and failed["attempts"] > 5
    assert failed["failed_at"] == "2026-03-02T12:00:00+00:00"  # the last attempt falls on the 3-hour deadline
    found = ok(api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token))
    assert found["status"] == "refunded"
    (refund,) = ok(api.get("/api/v1/refunds", cast.buyer.token))
    assert refund["kind"] == "provisioning_failure" and refund["amount"] == "1000.00" and refund["status"] == "refunded"
    assert ok(api.get("/api/v1/accounts/me", cast.buyer.token))["balance"] == "1000.00"
    events = [e["type"] for e in ok(api.get(f"/api/v1/orders/{order['id']}/history", cast.ops.token))]
    assert "callback_failed" in events and "provisioning_failed" in events
    problem(api.post(f"{CALLBACKS}/{failed['id']}/retry", cast.seller.token), 409, "callback_not_retryable")
    assert [c["body"]["activity"] for c in receiver.calls if c["body"]["activity"] != "newInstance"] == []
    (told,) = [n for n in ok(api.get("/api/v1/notifications", cast.seller.token)) if n["kind"] == "callback_failed"]
    assert told["order_id"] == order["id"] and told["ref"] == f"callback:{failed['id']}"
    assert "newInstance" in told["message"] and order["order_no"] in told["message"]


def test_a_failed_call_is_re_driven_by_the_seller(api, cast, registered, receiver, place_order, clock, problem):
    order = saas(place_order, cast)
    tick(api)
    receiver.answers["updateInstanceStatus"] = [("000005", {})]
    record(order["id"], "order.expired")
    tick(api)
    drive_past(api, clock, 1)
    (failed,) = callbacks(api, cast.seller, status="failed")
    assert failed["activity"] == "updateInstanceStatus"
    problem(api.post(f"{CALLBACKS}/{failed['id']}/retry", cast.other_seller.token), 404, "not_found")
    problem(api.post(f"{CALLBACKS}/{failed['id']}/retry", cast.admin.token), 403, "forbidden")
    receiver.answers["updateInstanceStatus"] = [("000000", {})]
    again = ok(api.post(f"{CALLBACKS}/{failed['id']}/retry", cast.seller.token))
    assert again["status"] == "pending" and again["next_attempt_at"] is not None
    assert tick(api) == 1
    assert callbacks(api, cast.ops, status="delivered", order_id=order["id"])[0]["activity"] == "updateInstanceStatus"
    assert ok(api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token))["status"] == "completed"  # not refunded
    told = [n for n in ok(api.get("/api/v1/notifications", cast.seller.token)) if n["kind"] == "callback_failed"]
    assert len(told) == 1 and "updateInstanceStatus" in told[0]["message"]
    problem(api.post(f"{CALLBACKS}/{failed['id']}/retry", cast.ops.token), 409, "callback_not_retryable")


def test_callbacks_are_listed_to_their_seller_and_to_staff_only(api, cast, registered, place_order, problem):
    saas(place_order, cast)
    tick(api)
    assert len(callbacks(api, cast.seller)) == 1 and callbacks(api, cast.other_seller) == []
    assert any(c["seller"] == cast.seller.name for c in callbacks(api, cast.ops))
    assert callbacks(api, cast.admin, status="failed", order_id="nothing") == []
    problem(api.get(CALLBACKS, cast.buyer.token), 403, "forbidden")
    problem(api.get(CALLBACKS, cast.seller.token, params={"status": "lost"}), 422)


def test_an_unreachable_interface_is_an_attempt_with_its_error(api, cast, place_order, start):
    ok(api.request("PUT", f"/api/v1/sellers/{cast.seller.name}/production-interface", cast.seller.token,
                   json={"url": "http://127.0.0.1:9/saasproduce"}))
    saas(place_order, cast)
    assert tick(api) == 1
    (pending,) = callbacks(api, cast.seller)
    assert pending["status"] == "pending" and "ConnectError" in pending["last_error"]


def test_a_callback_id_beyond_any_column_is_not_found(api, cast, problem):
    problem(api.post(f"{CALLBACKS}/123558480870441073246208/retry", cast.seller.token), 404)
