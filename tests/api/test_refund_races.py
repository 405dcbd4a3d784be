"""Refunds under concurrency, over real HTTP and real commits: two requests on one order, an approval racing
the buyer's accept, and settlement by several scheduler workers at once (exactly once; PostgreSQL claims
with SKIP LOCKED, SQLite serializes writers)."""
import threading

import pytest
import requests

from tests.conftest import order_body

ROUNDS = 8
WORKERS = 4


def _race(base: str, calls: list) -> list:
    """Run each (token, path, body) at once, after a barrier; their (status, body) in the same order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(i, token, path, body):
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            try:
                http.get(f"{base}/healthz", timeout=30)
                barrier.wait(timeout=30)
                response = http.post(f"{base}{path}", json=body, timeout=30)
                results[i] = (response.status_code, response.json())
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                barrier.abort()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


REFUND_BODY = {"amount": "300.00", "reason": "Two tabs, one click each", "share_contact": False}


@pytest.mark.live
def test_two_refund_requests_racing_on_one_order_create_exactly_one(api, cast, place_order):
    for _ in range(ROUNDS):
        order = place_order()
        path = f"/api/v1/orders/{order['id']}/refunds"
        results = _race(api.base, [(cast.buyer.token, path, REFUND_BODY)] * 2)
        assert sorted(status for status, _ in results) == [201, 409], results
        loser = next(body for status, body in results if status == 409)
        assert (loser["code"], loser["reason"]) == ("refund_not_allowed", "refund_open"), loser
        listed = api.get("/api/v1/refunds", cast.buyer.token, params={"order_id": order["id"]}).json()
        assert len(listed) == 1


@pytest.mark.live
def test_an_approval_racing_the_buyers_accept_never_lets_both_complete(app, api, cast, place_order, act, upload):
    docs = upload(cast.buyer), upload(cast.seller)
    for _ in range(ROUNDS):
        order = place_order()
        assert act(cast.buyer, order, "submit_requirement", {"description": "x"}, [docs[0]]).status_code == 200
        assert act(cast.seller, order, "deliver", {"note": "done"}, [docs[1]]).status_code == 200
        refund = api.post(f"/api/v1/orders/{order['id']}/refunds", cast.buyer.token, json=REFUND_BODY).json()
        results = _race(api.base, [
            (cast.seller.token, f"/api/v1/refunds/{refund['id']}/actions/approve_refund", {"data": {}}),
            (cast.buyer.token, f"/api/v1/orders/{order['id']}/actions/accept", {"data": {}})])
        (approve_status, approved), (accept_status, accepted) = results
        assert sorted([approve_status, accept_status]) == [200, 409], results
        order_now = api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token).json()
        refund_now = api.get(f"/api/v1/refunds/{refund['id']}", cast.buyer.token).json()
        assert not (order_now["status"] == "completed" and refund_now["status"] in ("refunding", "refunded"))
    from app.services.refunds.settlement import settle_due_refunds
    with app.app_context():  # pay out what this test approved: later ticks count only their own work
        settle_due_refunds()


@pytest.mark.live
def test_settlement_by_several_workers_credits_each_refund_exactly_once(app, api, cast, place_order):
    """Two or more scheduler processes run the settle job: every refund is credited once."""
    from app.services.refunds.settlement import settle_due_refunds
    refunds = []
    for _ in range(ROUNDS):  # under the yearly quota of 10
        body = order_body(cast.buyer.name, cast.seller.name, delivery_type="saas", manual_kind=None,
                          supervised=False)
        body["paid_at"] = api.get("/api/v1/testing/clock").json()["now"]
        order = place_order(body)
        created = api.post(f"/api/v1/orders/{order['id']}/refunds", cast.buyer.token,
                           json={**REFUND_BODY, "amount": "1000.00"})
        assert created.status_code == 201, created.text
        refunds.append(created.json()["id"])
    counts, errors = [], []
    barrier = threading.Barrier(WORKERS)

    def worker():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                counts.append(settle_due_refunds())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(counts) >= len(refunds)  # the workers settled ours (and whatever else was due) once each
    account = api.get("/api/v1/accounts/me", cast.buyer.token).json()
    mine = [e for e in account["entries"] if e["refund_id"] in refunds]
    assert sorted(e["refund_id"] for e in mine) == sorted(refunds)
    assert account["balance"] == f"{1000 * len(refunds)}.00"
    for refund_id in refunds:
        assert api.get(f"/api/v1/refunds/{refund_id}", cast.buyer.token).json()["status"] == "refunded"
