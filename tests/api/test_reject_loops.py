"""300 deliver/reject rounds on the shipped general manual-service flow, through the HTTP API: the
order still waits for the buyer, completes only on the buyer's accept, and the history shows every
round (the engine's depth limit once made the 250th delivery complete the order)."""
from types import SimpleNamespace

import pytest

from tests import factories
from tests.factories import order_body

ROUNDS = 300


@pytest.fixture(scope="module")
def people(app):
    return SimpleNamespace(**{role: factories.principal(role) for role in ("buyer", "seller", "platform", "ops")})


@pytest.fixture(scope="module")
def looped(app, people):
    """A manual-service order after ROUNDS rejections, a final delivery and the buyer's accept."""
    from tests.conftest import TestClientApi
    api, cast = TestClientApi(app), people
    order = _place(api, cast)

    def upload(who):
        response = api.post("/api/v1/attachments", who.token, files={"file": ("proof.pdf", b"proof", "application/pdf")})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    proof = upload(cast.seller)

    def act(who, action, data, attachments=()):
        response = api.post(f"/api/v1/orders/{order['id']}/actions/{action}", who.token,
                            json={"data": data, "attachments": list(attachments)})
        assert response.status_code == 200, (action, response.text)
        return response.json()

    act(cast.buyer, "submit_requirement", {"description": "Migrate 2 TB"}, [upload(cast.buyer)])
    for n in range(ROUNDS):
        act(cast.seller, "deliver", {"note": f"round {n}"}, [proof])
        act(cast.buyer, "reject", {"reason": f"not yet ({n})"})
    final = act(cast.seller, "deliver", {"note": "final"}, [proof])
    accepted = act(cast.buyer, "accept", {})
    history = api.get(f"/api/v1/orders/{order['id']}/history", cast.ops.token).json()
    return {"final_delivery": final, "accepted": accepted, "history": history}


def _place(api, cast):
    response = api.post("/api/v1/orders", cast.platform.token, json=order_body(cast.buyer.name, cast.seller.name))
    assert response.status_code == 201, response.text
    return response.json()


def test_the_delivery_after_300_rejections_waits_for_the_buyer(looped):
    final = looped["final_delivery"]
    assert (final["status"], [n["id"] for n in final["nodes"]]) == ("processing", ["confirm_acceptance"])


def test_the_buyers_accept_after_300_rejections_completes_the_order(looped):
    assert looped["accepted"]["status"] == "completed"


def test_the_history_shows_every_rejection(looped):
    rejections = [e for e in looped["history"] if e["type"] == "task_completed" and e["action"] == "reject"]
    assert len(rejections) == ROUNDS


def test_the_history_shows_every_delivery(looped):
    deliveries = [e for e in looped["history"] if e["type"] == "task_completed" and e["action"] == "deliver"]
    assert len(deliveries) == ROUNDS + 1


def test_the_order_completes_once_right_after_the_buyers_accept(looped):
    tail = [(e["type"], e.get("action")) for e in looped["history"][-2:]]
    assert tail == [("task_completed", "accept"), ("order_completed", None)]
