"""GET /orders/{id}/diagram: the order's process version as BPMN XML with its active and completed element ids."""
import uuid

import pytest

from tests.conftest import order_body
from tests.helpers import ok

ORDERS = "/api/v1/orders"


def diagram_of(api, who, order) -> dict:
    return ok(api.get(f"{ORDERS}/{order['id']}/diagram", who.token))


@pytest.fixture
def order(place_order):
    """A new general manual-service order: it waits at submit_requirement."""
    return place_order()


# -- what it answers ---------------------------------------------------------------------------------
def test_the_diagram_names_the_orders_process_key_and_version(api, cast, order):
    body = diagram_of(api, cast.buyer, order)
    assert {"key": body["key"], "version": body["version"]} == order["process"]


def test_the_diagram_has_exactly_the_contracts_members(api, cast, order):
    assert set(diagram_of(api, cast.buyer, order)) == {"key", "version", "xml", "active", "completed"}


def test_the_diagram_xml_is_the_orders_process_version(api, cast, order):
    process = order["process"]
    stored = api.get(f"/api/v1/process-definitions/{process['key']}/versions/{process['version']}",
                     cast.analyst.token)
    assert diagram_of(api, cast.buyer, order)["xml"] == stored.text


def test_a_new_order_is_active_at_submit_requirement_with_only_the_start_completed(api, cast, order):
    body = diagram_of(api, cast.buyer, order)
    assert (body["active"], body["completed"]) == (["submit_requirement"], ["start"])


def test_after_the_submission_deliver_is_active_and_submit_requirement_completed(api, cast, order, walk):
    body = diagram_of(api, cast.buyer, walk(order, "deliver"))
    assert (body["active"], body["completed"]) == (["deliver"], ["start", "submit_requirement"])


def test_at_acceptance_the_delivery_and_its_gateway_are_completed(api, cast, order, walk):
    body = diagram_of(api, cast.buyer, walk(order, "confirm_acceptance"))
    assert body["active"] == ["confirm_acceptance"]
    assert {"start", "submit_requirement", "deliver", "gw_delivered"} == set(body["completed"])


def test_a_node_active_again_after_a_return_is_listed_as_active_not_completed(api, cast, order, walk, act):
    returned = ok(act(cast.seller, walk(order, "deliver"), "return_requirement", {"reason": "Which database?"}))
    body = diagram_of(api, cast.buyer, returned)
    assert body["active"] == ["submit_requirement"] and "submit_requirement" not in body["completed"]


def test_a_completed_order_has_nothing_active_and_its_end_event_completed(api, cast, order, walk, act):
    done = ok(act(cast.buyer, walk(order, "confirm_acceptance"), "accept"))
    body = diagram_of(api, cast.buyer, done)
    assert body["active"] == [] and "service_completed" in body["completed"]


def test_a_completed_order_lists_every_element_it_passed(api, cast, order, walk, act):
    done = ok(act(cast.buyer, walk(order, "confirm_acceptance"), "accept"))
    assert set(diagram_of(api, cast.buyer, done)["completed"]) == {
        "start", "submit_requirement", "deliver", "gw_delivered", "confirm_acceptance", "gw_accept",
        "milestone_accepted", "gw_milestones", "service_completed"}


def test_the_active_ids_are_elements_of_the_xml(api, cast, order, walk):
    body = diagram_of(api, cast.buyer, walk(order, "deliver"))
    assert all(f'id="{element}"' in body["xml"] for element in body["active"] + body["completed"])


def test_a_hardware_order_at_acceptance_is_active_at_confirm_acceptance(api, cast, place_order, act):
    shipped = ok(act(cast.seller, place_order(delivery_type="hardware", manual_kind=None, name="Edge server"),
                     "ship", {"carrier": "SF Express", "tracking_no": "SF1234567890"}))
    body = diagram_of(api, cast.buyer, shipped)
    assert "confirm_acceptance" in body["active"] and {"start", "ship"} <= set(body["completed"])


# -- who may see it ----------------------------------------------------------------------------------
def test_the_orders_seller_may_view_the_diagram(api, cast, order):
    assert api.get(f"{ORDERS}/{order['id']}/diagram", cast.seller.token).status_code == 200


@pytest.mark.parametrize("role", ["analyst", "ops", "admin"])
def test_staff_may_view_the_diagram(api, make_principal, order, role):
    assert api.get(f"{ORDERS}/{order['id']}/diagram", make_principal(role).token).status_code == 200


def test_an_analyst_sees_the_same_diagram_as_the_buyer(api, cast, order, walk):
    at_deliver = walk(order, "deliver")
    assert diagram_of(api, cast.analyst, at_deliver) == diagram_of(api, cast.buyer, at_deliver)


def test_an_analysts_diagram_carries_no_party_order_or_task_data(api, cast, order, walk):
    at_deliver = walk(order, "deliver")
    text = api.get(f"{ORDERS}/{at_deliver['id']}/diagram", cast.analyst.token).text
    assert not [value for value in (cast.buyer.name, cast.seller.name, order["order_no"], "Migrate 2 TB", "1000.00")
                if value in text]


@pytest.mark.parametrize("path", ["", "/history"])
def test_an_analyst_who_sees_the_diagram_still_may_not_read_the_order_or_its_history(api, cast, problem, order,
                                                                                    path):
    problem(api.get(f"{ORDERS}/{order['id']}{path}", cast.analyst.token), 403, "forbidden")


def test_another_buyer_gets_404(api, cast, problem, order):
    problem(api.get(f"{ORDERS}/{order['id']}/diagram", cast.other_buyer.token), 404, "not_found")


def test_another_seller_gets_404(api, cast, problem, order):
    problem(api.get(f"{ORDERS}/{order['id']}/diagram", cast.other_seller.token), 404, "not_found")


def test_another_buyers_answer_does_not_leak_the_diagram(api, cast, order):
    assert "submit_requirement" not in api.get(f"{ORDERS}/{order['id']}/diagram", cast.other_buyer.token).text


def test_without_a_token_the_diagram_answers_401(api, problem, order):
    problem(api.get(f"{ORDERS}/{order['id']}/diagram"), 401, "unauthenticated")


def test_an_unknown_order_answers_404(api, cast, problem):
    problem(api.get(f"{ORDERS}/{uuid.uuid4()}/diagram", cast.analyst.token), 404, "not_found")


def test_an_unsupervised_order_has_no_diagram(api, cast, problem, place_order):
    unsupervised = place_order(order_body(cast.buyer.name, cast.seller.name, delivery_type="image",
                                          manual_kind=None, supervised=False))
    problem(api.get(f"{ORDERS}/{unsupervised['id']}/diagram", cast.buyer.token), 404, "not_found")


def test_an_order_with_supervised_false_has_no_diagram(api, cast, problem, place_order):
    unsupervised = place_order(supervised=False)
    problem(api.get(f"{ORDERS}/{unsupervised['id']}/diagram", cast.ops.token), 404, "not_found")
