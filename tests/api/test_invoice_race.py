"""Two invoice applications racing on one order, over real HTTP: exactly one 201, the other 409 (one open
invoice per order); on PostgreSQL the supervision-instance lock serializes them."""
import threading

import pytest
import requests

ORDERS = 10
RACERS = ("electronic", "paper_ordinary")


def _race(base: str, token: str, orders: list[dict]) -> dict:
    barrier = threading.Barrier(len(RACERS))
    results = {kind: [None] * len(orders) for kind in RACERS}
    errors = []

    def racer(kind: str) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            try:
                http.get(f"{base}/healthz", timeout=30)
                for i, order in enumerate(orders):
                    barrier.wait(timeout=30)
                    response = http.post(f"{base}/api/v1/orders/{order['id']}/invoices",
                                         json={"type": kind, "title": "Alice Trading Co."}, timeout=30)
                    results[kind][i] = (response.status_code, response.json().get("code"))
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(f"{kind}: {exc!r}")
                barrier.abort()

    threads = [threading.Thread(target=racer, args=(kind,)) for kind in RACERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and not errors, errors
    return results


@pytest.mark.live
def test_two_applications_racing_on_one_order_leave_exactly_one_invoice(api, live_server, place_order, cast):
    orders = [place_order() for _ in range(ORDERS)]
    results = _race(live_server, cast.buyer.token, orders)
    for i, order in enumerate(orders):
        outcomes = sorted(results[kind][i] for kind in RACERS)
        assert outcomes == [(201, None), (409, "conflict")], (i, outcomes)
        listed = api.get(f"/api/v1/orders/{order['id']}/invoices", cast.buyer.token).json()
        assert len(listed) == 1
        history = api.get(f"/api/v1/orders/{order['id']}/history", cast.buyer.token).json()
        assert [e["type"] for e in history].count("invoice_applied") == 1
