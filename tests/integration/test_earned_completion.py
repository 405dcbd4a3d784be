"""Completion is earned: whatever a diagram does, an order completes only after an acceptance its
history shows; any other ending puts the order in `error` for operations.

The diagrams here are the shipped general manual-service flow with one flow re-wired. They are stored
as definition rows directly, the way a version deployed before today's lint (or one a future lint
gap lets through) would sit in the database, so the run-time guard is tested on its own.
"""
import uuid
from pathlib import Path

import pytest

from tests import factories
from tests.factories import order_body

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "manual_service_general.bpmn"
PROCESS_ID = "manual_service_general"
DELIVERED = '<bpmn:sequenceFlow id="flow_delivered" name="Delivered" sourceRef="gw_delivered" targetRef="confirm_acceptance" />'
REJECTED = '<bpmn:sequenceFlow id="flow_reject" name="Rejected" sourceRef="gw_accept" targetRef="deliver" />'
# after the acceptance (and the last milestone): the flow into the end
ACCEPT_FLOW = ('<bpmn:sequenceFlow id="flow_all_accepted" name="All accepted" sourceRef="gw_milestones" '
               'targetRef="service_completed" />')
ACCEPTED_END = '<bpmn:endEvent id="service_completed" name="Service completed">'


def rewired(key: str, *pairs: tuple[str, str]) -> str:
    xml = BPMN.read_text(encoding="utf-8")
    for old, new in pairs:
        assert xml.count(old) == 1, old
        xml = xml.replace(old, new)
    return xml.replace(PROCESS_ID, key)


VARIANTS = {
    # the analyst's attack: the flow to the buyer's acceptance deleted, deliver leads to the end
    "deliver_ends": [(DELIVERED, DELIVERED.replace('targetRef="confirm_acceptance"', 'targetRef="service_completed"'))],
    # a rejection wired to the end passes every graph rule: only the history can tell
    "reject_ends": [(REJECTED, REJECTED.replace('targetRef="deliver"', 'targetRef="service_completed"'))],
    # an acceptance that ends elsewhere than the declared service-completed end
    "other_end": [(ACCEPTED_END, ACCEPTED_END.replace('id="service_completed"', 'id="closed_elsewhere"')),
                  (ACCEPT_FLOW, ACCEPT_FLOW.replace('targetRef="service_completed"', 'targetRef="closed_elsewhere"')),
                  ('bpmnElement="service_completed"', 'bpmnElement="closed_elsewhere"'),
                  ('<bpmn:flowNodeRef>service_completed<', '<bpmn:flowNodeRef>closed_elsewhere<')],
}


@pytest.fixture
def order_on(app, api, cast):
    """order_on(variant) -> a paid order of the cast running that diagram, as the buyer sees it."""
    from app.extensions import runtime
    from app.models import ProcessDefinition
    from app.services.core.transaction import transaction

    def make(variant: str) -> dict:
        key = f"earned_{variant}_{uuid.uuid4().hex[:8]}"
        with transaction() as session:  # a raw row: the variants are meant to be ones deploy would refuse
            session.add(ProcessDefinition(key=key, version=1, sha256=uuid.uuid4().hex * 2, status="current",
                                          xml=rewired(key, *VARIANTS[variant]), deployed_at=runtime.clock.now()))
        body = {**order_body(cast.buyer.name, cast.seller.name), "billing": {"mode": "one_off"}}
        order_id = factories.place_order_on(cast.platform, key, body)
        return api.get(f"/api/v1/orders/{order_id}", cast.buyer.token).json()

    return make


@pytest.fixture
def delivered_to_the_end(order_on, walk, act, cast, upload):
    order = walk(order_on("deliver_ends"), "deliver")
    return act(cast.seller, order, "deliver", {"note": "done"}, [upload(cast.seller)]), order


def history_types(api, cast, order) -> list[str]:
    return [e["type"] for e in api.get(f"/api/v1/orders/{order['id']}/history", cast.ops.token).json()]


def status_of(api, cast, order) -> dict:
    return api.get(f"/api/v1/orders/{order['id']}", cast.ops.token).json()


def test_a_delivery_that_ends_the_process_does_not_complete_the_order(delivered_to_the_end, api, cast):
    _, order = delivered_to_the_end
    assert status_of(api, cast, order)["status"] == "error"


def test_a_delivery_that_ends_the_process_sets_no_acceptance_time(delivered_to_the_end, api, cast):
    _, order = delivered_to_the_end
    assert status_of(api, cast, order)["accepted_at"] is None


def test_a_delivery_that_ends_the_process_records_no_completion(delivered_to_the_end, api, cast):
    _, order = delivered_to_the_end
    assert "order_completed" not in history_types(api, cast, order)


def test_a_delivery_that_ends_the_process_records_the_reason_for_operations(delivered_to_the_end, api, cast):
    _, order = delivered_to_the_end
    error = status_of(api, cast, order)["error"]
    assert "without an acceptance" in error["message"] and error["element_id"] == "service_completed"


def test_the_seller_is_told_the_delivery_failed_without_details(delivered_to_the_end):
    response, _ = delivered_to_the_end
    assert (response.status_code, response.json()["code"]) == (500, "internal_error")


def test_a_rejection_that_ends_the_process_does_not_complete_the_order(order_on, walk, act, cast, api):
    order = walk(order_on("reject_ends"), "confirm_acceptance")
    act(cast.buyer, order, "reject", {"reason": "not what we agreed"})
    assert (status_of(api, cast, order)["status"], history_types(api, cast, order)[-1]) == ("error", "engine_error")


def test_an_acceptance_that_ends_at_another_end_event_does_not_complete_the_order(order_on, walk, act, cast, api):
    order = walk(order_on("other_end"), "confirm_acceptance")
    act(cast.buyer, order, "accept")
    error = status_of(api, cast, order)["error"]
    assert (status_of(api, cast, order)["status"], "closed_elsewhere" in error["message"]) == ("error", True)


def test_an_acceptance_on_the_shipped_flow_still_completes_the_order(place_order, walk, act, cast, api):
    order = walk(place_order(), "confirm_acceptance")
    act(cast.buyer, order, "accept")
    assert status_of(api, cast, order)["status"] == "completed"
