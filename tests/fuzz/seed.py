"""Seed data for the fuzzer: one principal per role and orders in several states, placed and driven
through the API (Flask's WSGI test client, in the server's own process) so paths with ids reach real
resources: fresh, delivered, accepted, under review, shipped, frozen by an appeal, claimed, resolved; attachments."""
import uuid

ROLES = ("buyer", "seller", "platform", "ops", "reviewer", "admin", "analyst")
BASE = "/api/v1"


def seed(app) -> dict:
    """Create the principals and the orders; return {"tokens": {role: token}, "ids": {...}}."""
    from app.services.principals import create_principal
    with app.app_context():
        people = {role: create_principal(f"fuzz-{role}", role, "base_manager" if role == "reviewer" else None)
                  for role in ROLES}
    client = _Client(app.test_client(), {role: p["token"] for role, p in people.items()})
    ids = _orders(client, people["buyer"]["name"], people["seller"]["name"])
    return {"tokens": client.tokens, "ids": ids}


class _Client:
    def __init__(self, client, tokens: dict):
        self.client, self.tokens = client, tokens

    def post(self, role: str, path: str, **kwargs) -> dict:
        response = self.client.post(f"{BASE}{path}", headers={"Authorization": f"Bearer {self.tokens[role]}"},
                                    **kwargs)
        assert response.status_code in (200, 201), (path, response.status_code, response.get_data(as_text=True))
        return response.get_json()

    def upload(self, role: str) -> str:
        data = {"file": (_bytes(b"evidence of the delivery"), "evidence.pdf", "application/pdf")}
        return self.post(role, "/attachments", data=data, content_type="multipart/form-data")["id"]

    def act(self, role: str, order: dict, action: str, data: dict, attach: bool = True) -> dict:
        attachments = [self.upload(role)] if attach else []
        return self.post(role, f"/orders/{order['id']}/actions/{action}",
                         json={"data": data, "attachments": attachments})


def _bytes(content: bytes):
    import io
    return io.BytesIO(content)


def _order_body(buyer: str, seller: str, **product) -> dict:
    return {"order_no": f"FZ{uuid.uuid4().hex[:14]}", "buyer": buyer, "seller": seller,
            "product": {"name": "Data migration", "spec": "Standard", "delivery_type": "manual_service",
                        "manual_kind": "standard", "goods_class": "general", "scenario": "none",
                        "supervised": True, **product},
            "billing": {"mode": "periodic", "period": "P1M"}, "amount_paid": "1000.00",
            "paid_at": "2026-01-05T08:00:00+00:00",
            "recipient": {"name": "Alice", "phone": "+8613800000000", "address": "Shenzhen"}}


def _orders(client: _Client, buyer: str, seller: str) -> dict:
    place = lambda **product: client.post("platform", "/orders", json=_order_body(buyer, seller, **product))  # noqa: E731
    requirement = {"description": "Migrate 2 TB"}
    fresh = place()
    delivering = client.act("buyer", place(), "submit_requirement", requirement)
    accepting = client.act("seller", client.act("buyer", place(), "submit_requirement", requirement),
                           "deliver", {"note": "done"})
    accepted = client.act("buyer", client.act("seller", client.act("buyer", place(), "submit_requirement",
                                                                     requirement), "deliver", {"note": "done"}),
                          "accept", {}, attach=False)
    joint = client.act("seller", client.act("buyer", place(goods_class="joint", scenario="base"),
                                            "submit_requirement", requirement), "deliver", {"note": "done"})
    hardware = client.act("seller", place(delivery_type="hardware", manual_kind=None), "ship",
                          {"carrier": "SF Express", "tracking_no": "SF1234567890"}, attach=False)
    client.post("platform", f"/orders/{hardware['id']}/logistics",
                json={"status": "in_transit", "at": "2026-01-06T08:00:00+00:00"})
    return {"fresh": fresh["id"], "delivering": delivering["id"], "accepting": accepting["id"],
            "accepted": accepted["id"], "under_review": joint["id"], "hardware": hardware["id"],
            **_appeals(client, place)}


def _appeals(client: _Client, place) -> dict:
    body = {"reason": "The seller stopped answering", "demand": "Finish the migration or refund"}
    frozen = place()
    opened = client.post("buyer", f"/orders/{frozen['id']}/appeals", json=body)
    claimed = client.post("seller", f"/orders/{place()['id']}/appeals", json=body)
    client.post("ops", f"/appeals/{claimed['id']}/claim")
    resolved = client.post("buyer", f"/orders/{place()['id']}/appeals", json=body)
    client.post("ops", f"/appeals/{resolved['id']}/claim")
    client.post("ops", f"/appeals/{resolved['id']}/resolve", json={"outcome": "resume", "note": "carry on"})
    return {"frozen": frozen["id"], "appeal_open": opened["id"], "appeal_claimed": claimed["id"],
            "appeal_resolved": resolved["id"]}
