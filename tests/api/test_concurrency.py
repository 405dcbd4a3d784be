"""Two requests racing on one task, over real HTTP: exactly one wins, the other gets 409."""
import threading

import pytest
import requests

ORDERS = 30
RACERS = (("accept", {}), ("reject", {"reason": "The delivery does not match the requirement"}))


def _at_confirm_acceptance(place_order, act, upload, cast) -> dict:
    """Place an order and walk it to confirm_acceptance (attachments uploaded once, reused)."""
    requirement_doc, delivery_doc = upload(cast.buyer), upload(cast.seller)
    orders = []
    for _ in range(ORDERS):
        order = place_order()
        submitted = act(cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"}, [requirement_doc])
        assert submitted.status_code == 200, submitted.text
        delivered = act(cast.seller, order, "deliver", {"note": "done"}, [delivery_doc])
        assert delivered.status_code == 200, delivered.text
        assert delivered.json()["nodes"][0]["id"] == "confirm_acceptance"
        orders.append(delivered.json())
    return orders


def _race(base: str, token: str, orders: list[dict]) -> dict:
    """One thread per action, each with its own requests.Session; a cyclic barrier starts each round."""
    barrier = threading.Barrier(len(RACERS))
    results = {action: [None] * len(orders) for action, _ in RACERS}
    errors = []

    def racer(action: str, data: dict) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            try:
                http.get(f"{base}/healthz", timeout=30)  # open the keep-alive connection before racing
                for i, order in enumerate(orders):
                    barrier.wait(timeout=30)
                    response = http.post(f"{base}/api/v1/orders/{order['id']}/actions/{action}",
                                         json={"data": data, "attachments": []}, timeout=30)
                    body = response.json() if response.headers.get("Content-Type", "").endswith("json") else None
                    results[action][i] = (response.status_code, body, response.text)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(f"{action}: {exc!r}")
                barrier.abort()

    threads = [threading.Thread(target=racer, args=racer_args) for racer_args in RACERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racer is still running"
    assert not errors, errors
    return results


@pytest.mark.live
def test_accept_and_reject_racing_on_one_task_leave_exactly_one_winner(api, place_order, act, upload, cast):
    orders = _at_confirm_acceptance(place_order, act, upload, cast)

    results = _race(api.base, cast.buyer.token, orders)

    winners = {}
    for i, order in enumerate(orders):
        outcome = {action: results[action][i] for action, _ in RACERS}
        statuses = sorted(status for status, _, _ in outcome.values())
        assert statuses == [200, 409], {a: (s, text) for a, (s, _, text) in outcome.items()}
        winner = next(a for a, (status, _, _) in outcome.items() if status == 200)
        loser_status, loser_body, _ = next(o for a, o in outcome.items() if a != winner)
        assert loser_body["code"] in {"action_not_available", "conflict"}, loser_body
        winners[order["id"]] = winner
        _assert_state_follows(api, cast, order["id"], winner, outcome[winner][1])
    print(f"\nwinners over {ORDERS} races: "
          + ", ".join(f"{a}={list(winners.values()).count(a)}" for a, _ in RACERS))


def _assert_state_follows(api, cast, order_id: str, winner: str, winner_body: dict) -> None:
    history = api.get(f"/api/v1/orders/{order_id}/history", cast.buyer.token)
    assert history.status_code == 200, history.text
    events = history.json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    confirmations = [e for e in events if e["type"] == "task_completed" and e["node"] == "confirm_acceptance"]
    assert [e["action"] for e in confirmations] == [winner], confirmations

    current = api.get(f"/api/v1/orders/{order_id}", cast.buyer.token)
    assert current.status_code == 200, current.text
    order = current.json()
    for seen in (order, winner_body):
        if winner == "accept":
            assert seen["status"] == "completed"
            assert [n["id"] for n in seen["nodes"]] == ["service_completed"]
            assert seen["rejection_count"] == 0
        else:
            assert seen["status"] == "processing"
            assert [n["id"] for n in seen["nodes"]] == ["deliver"]
            assert seen["rejection_count"] == 1
