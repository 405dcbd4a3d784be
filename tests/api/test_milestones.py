"""Staged acceptance (docs/api-contract.md "Milestones"; buyer guide §6.3 via docs/domain.md §5.2: a milestone
order's refund is capped at its unaccepted milestones). The stages run in BPMN: each `accept` accepts the next
milestone, the seller delivers the next one, the last acceptance completes supervision."""
import re
from pathlib import Path

import pytest

from tests.factories import order_body
from tests.helpers import get_order, history, ok

API = "/api/v1"
BPMN = Path(__file__).resolve().parents[2] / "bpmn"
PHASES = [{"name": "phase 1", "amount": "400.00"}, {"name": "phase 2", "amount": "600.00"}]


def _with(body: dict, milestones: list) -> dict:
    body["milestones"] = milestones
    return body


@pytest.fixture
def staged(place_order, walk, cast):
    """A two-milestone manual-service order at the buyer's first acceptance."""
    return walk(place_order(_with(order_body(cast.buyer.name, cast.seller.name), PHASES)), "confirm_acceptance")


@pytest.fixture
def deliver(act, upload, cast):
    def do(order: dict) -> dict:
        return ok(act(cast.seller, order, "deliver", {"note": "next phase"}, [upload(cast.seller)]))
    return do


def _accepted(order: dict) -> list[bool]:
    return [m["accepted_at"] is not None for m in order["milestones"]]


def test_a_new_milestone_order_shows_every_milestone_unaccepted(place_order, cast):
    order = place_order(_with(order_body(cast.buyer.name, cast.seller.name), PHASES))
    assert order["milestones"] == [{"name": "phase 1", "amount": "400.00", "accepted_at": None},
                                   {"name": "phase 2", "amount": "600.00", "accepted_at": None}]
    assert order["unaccepted_amount"] == "1000.00"


def test_an_order_without_milestones_has_no_unaccepted_amount(place_order):
    order = place_order()
    assert order["milestones"] is None and order["unaccepted_amount"] is None


def test_the_first_accept_accepts_the_first_milestone_and_goes_back_to_the_seller(staged, act, cast):
    order = ok(act(cast.buyer, staged, "accept"))
    assert order["status"] == "processing"
    assert [n["id"] for n in order["nodes"]] == ["deliver"]
    assert _accepted(order) == [True, False]
    assert order["unaccepted_amount"] == "600.00"
    assert order["accepted_at"] is None and order["validity"] == {"start": None, "end": None}


def test_the_first_acceptance_is_in_the_history(staged, act, api, cast):
    ok(act(cast.buyer, staged, "accept"))
    events = history(api, cast.buyer, staged)
    tail = [(e["type"], e["action"]) for e in events[-2:]]
    assert tail == [("task_completed", "accept"), ("milestone_accepted", None)]
    assert events[-1]["data"] == {"position": 1, "name": "phase 1", "amount": "400.00"}
    assert "order_completed" not in [e["type"] for e in events]


def test_accepting_the_last_milestone_completes_supervision(staged, act, deliver, api, cast):
    order = deliver(ok(act(cast.buyer, staged, "accept")))
    assert [n["id"] for n in order["nodes"]] == ["confirm_acceptance"]
    done = ok(act(cast.buyer, order, "accept"))
    assert done["status"] == "completed" and [n["id"] for n in done["nodes"]] == ["service_completed"]
    assert _accepted(done) == [True, True] and done["unaccepted_amount"] == "0.00"
    assert done["validity"]["start"] == done["accepted_at"] == done["completed_at"]
    tail = [(e["type"], e["action"]) for e in history(api, cast.buyer, staged)[-3:]]
    assert tail == [("task_completed", "accept"), ("milestone_accepted", None), ("order_completed", None)]


def test_a_rejection_sends_the_current_milestone_back_and_keeps_the_accepted_one(staged, act, deliver, cast):
    order = deliver(ok(act(cast.buyer, staged, "accept")))
    rejected = ok(act(cast.buyer, order, "reject", {"reason": "phase 2 incomplete"}))
    assert [n["id"] for n in rejected["nodes"]] == ["deliver"]
    assert rejected["rejection_count"] == 1
    assert _accepted(rejected) == [True, False] and rejected["unaccepted_amount"] == "600.00"
    done = ok(act(cast.buyer, deliver(rejected), "accept"))
    assert done["status"] == "completed" and _accepted(done) == [True, True]


def test_rejecting_the_first_milestone_accepts_nothing(staged, act, cast):
    rejected = ok(act(cast.buyer, staged, "reject", {"reason": "not yet"}))
    assert _accepted(rejected) == [False, False] and rejected["unaccepted_amount"] == "1000.00"


def test_the_seller_cannot_accept_a_milestone(staged, act, api, cast, problem):
    problem(act(cast.seller, staged, "accept"), 403, "forbidden")
    assert _accepted(get_order(api, cast.buyer, staged)) == [False, False]


def test_another_buyer_cannot_accept_a_milestone(staged, act, api, cast, problem):
    problem(act(cast.other_buyer, staged, "accept"), 404, "not_found")
    assert _accepted(get_order(api, cast.buyer, staged)) == [False, False]


def test_accept_while_the_seller_delivers_the_next_milestone_is_409(staged, act, api, cast, problem, snapshot):
    order = ok(act(cast.buyer, staged, "accept"))
    before = snapshot(order)
    problem(act(cast.buyer, order, "accept"), 409, "action_not_available")
    assert snapshot(order) == before
    assert _accepted(get_order(api, cast.buyer, order)) == [True, False]


def test_joint_goods_pass_the_huawei_review_again_for_each_milestone(place_order, walk, act, deliver, make_principal,
                                                                     cast):
    reviewer = make_principal("reviewer", "base_manager")
    body = _with(order_body(cast.buyer.name, cast.seller.name, goods_class="joint", scenario="base"), PHASES)
    order = walk(place_order(body), "base_manager_review")
    for position in range(2):
        at_buyer = ok(act(reviewer, order, "review_approve", {"note": "ok"}))
        assert [n["id"] for n in at_buyer["nodes"]] == ["confirm_acceptance"]
        order = ok(act(cast.buyer, at_buyer, "accept"))
        if position == 0:
            assert [n["id"] for n in order["nodes"]] == ["deliver"]
            order = deliver(order)
    assert order["status"] == "completed" and _accepted(order) == [True, True]


def test_saas_orders_accept_in_stages(place_order, act, upload, cast):
    body = _with(order_body(cast.buyer.name, cast.seller.name, delivery_type="saas", manual_kind=None), PHASES)
    order = ok(act(cast.buyer, place_order(body), "submit_requirement", {"description": "tenant"},
                   [upload(cast.buyer)]))
    for _ in PHASES:
        order = ok(act(cast.seller, order, "deliver", {"note": "live"}, [upload(cast.seller)]))
        order = ok(act(cast.buyer, order, "accept"))
    assert order["status"] == "completed" and _accepted(order) == [True, True]


def test_many_milestones_keep_the_process_state_flat(place_order, walk, act, deliver, query_db, cast):
    """Each stage loops back to `deliver`; the reject-loop folding keeps the task tree flat (the engine
    iterator stops at depth 1000)."""
    from app.models import ProcessInstance
    stages = [{"name": f"stage {n}", "amount": "50.00"} for n in range(20)]
    order = walk(place_order(_with(order_body(cast.buyer.name, cast.seller.name), stages)), "confirm_acceptance")

    def tasks_in_state() -> int:
        return query_db(lambda s: len(s.query(ProcessInstance).filter_by(order_id=order["id"]).one().state["tasks"]))

    sizes = []
    for n in range(len(stages)):
        order = ok(act(cast.buyer, order, "accept"))
        if n < len(stages) - 1:
            sizes.append(tasks_in_state())
            order = deliver(order)
    assert order["status"] == "completed" and all(_accepted(order))
    assert max(sizes) == min(sizes), sizes


def test_force_accept_by_operations_accepts_every_milestone(staged, act, api, cast):
    order = ok(act(cast.buyer, staged, "accept"))
    appeal = ok(api.post(f"{API}/orders/{order['id']}/appeals", cast.seller.token,
                         json={"reason": "buyer silent", "demand": "accept"}), 201)
    ok(api.post(f"{API}/appeals/{appeal['id']}/resolve", cast.ops.token,
                json={"outcome": "force_accept", "note": "delivered"}))
    done = get_order(api, cast.buyer, order)
    assert done["status"] == "completed" and _accepted(done) == [True, True]
    assert done["unaccepted_amount"] == "0.00"


def test_return_to_seller_sends_the_current_milestone_back_and_keeps_the_accepted_one(staged, act, deliver, api,
                                                                                    cast):
    order = deliver(ok(act(cast.buyer, staged, "accept")))
    appeal = ok(api.post(f"{API}/orders/{order['id']}/appeals", cast.buyer.token,
                         json={"reason": "phase 2 is wrong", "demand": "redo it"}), 201)
    ok(api.post(f"{API}/appeals/{appeal['id']}/resolve", cast.ops.token,
                json={"outcome": "return_to_seller", "note": "redo phase 2"}))
    back = get_order(api, cast.buyer, order)
    assert [n["id"] for n in back["nodes"]] == ["deliver"] and _accepted(back) == [True, False]
    done = ok(act(cast.buyer, deliver(back), "accept"))
    assert done["status"] == "completed" and _accepted(done) == [True, True]


# -- which flows accept in stages ------------------------------------------------------------------

@pytest.mark.parametrize("product", [
    {"delivery_type": "license", "license_mode": "offline", "manual_kind": None},
    {"delivery_type": "hardware", "manual_kind": None},
    {"delivery_type": "data_file", "manual_kind": None},
    {"delivery_type": "manual_service", "supervised": False},
], ids=["license", "hardware", "data_file", "unsupervised"])
def test_milestones_on_a_flow_without_stages_are_422_and_place_nothing(api, cast, problem, product):
    body = _with(order_body(cast.buyer.name, cast.seller.name, **product), PHASES)
    if product["delivery_type"] != "manual_service":
        body["billing"] = {"mode": "one_off"}
    refused = problem(api.post(f"{API}/orders", cast.platform.token, json=body), 422, "validation_failed")
    assert "milestones" in refused["errors"], refused
    body.pop("milestones")
    assert api.post(f"{API}/orders", cast.platform.token, json=body).status_code == 201  # order_no still free


# -- completion stays earned ------------------------------------------------------------------------

def _variant(key: str, source: str, change=lambda xml: xml) -> bytes:
    xml = (BPMN / source).read_text(encoding="utf-8").replace('"manual_service_general"', f'"{key}"')
    return change(xml).encode("utf-8")


def _place_on(api, cast, key: str, counted: bool = True) -> dict:
    """A two-milestone order on process `key` (no routing rule leads there), as the buyer sees it; not
    `counted`: started without the stage counters (as orders started before stages existed)."""
    from tests import factories
    body = _with(order_body(cast.buyer.name, cast.seller.name), PHASES)
    without = () if counted else ("milestone_count", "milestones_accepted")
    return get_order(api, cast.buyer, {"id": factories.place_order_on(cast.platform, key, body, without)})


def _deploy(api, cast, xml: bytes) -> None:
    ok(api.post(f"{API}/process-definitions", cast.analyst.token, data=xml,
                headers={"Content-Type": "application/xml"}), 201)


def test_a_staged_process_that_ends_with_milestones_left_puts_the_order_in_error(api, cast, walk, act, problem):
    _deploy(api, cast, _variant("ms_ends_early", "manual_service_general.bpmn",
                                lambda x: x.replace("&lt; milestone_count", "&lt; 0")))
    order = walk(_place_on(api, cast, "ms_ends_early"), "confirm_acceptance")
    problem(act(cast.buyer, order, "accept"), 500, "internal_error")
    failed = get_order(api, cast.ops, order)
    assert failed["status"] == "error" and "phase 2" in failed["error"]["message"]
    assert _accepted(failed) == [False, False]  # the refused step was rolled back


def test_a_process_without_stages_accepts_every_milestone_when_it_completes(api, cast, walk, act):
    """An order whose process does not count milestones (one started before stages existed)."""
    _deploy(api, cast, _variant("ms_single_stage", "manual_service_general.bpmn", _without_stages))
    order = walk(_place_on(api, cast, "ms_single_stage", counted=False), "confirm_acceptance")
    done = ok(act(cast.buyer, order, "accept"))
    assert done["status"] == "completed" and _accepted(done) == [True, True]
    assert done["unaccepted_amount"] == "0.00"


def _without_stages(xml: str) -> str:
    """The flow before stages: accept goes straight to service_completed."""
    for element in ("scriptTask", "exclusiveGateway"):
        xml = re.sub(rf'<bpmn:{element} id="(milestone_accepted|gw_milestones)".*?</bpmn:{element}>', "", xml,
                     flags=re.S)
    xml = re.sub(r'<bpmn:sequenceFlow id="flow_next_milestone".*?</bpmn:sequenceFlow>', "", xml, flags=re.S)
    xml = re.sub(r'<bpmn:sequenceFlow id="(flow_milestone_recorded|flow_all_accepted)"[^>]*/>', "", xml)
    xml = re.sub(r"<bpmn:(flowNodeRef|incoming)>(milestone_accepted|gw_milestones|flow_next_milestone)</bpmn:\1>",
                 "", xml)
    xml = xml.replace("<bpmn:incoming>flow_all_accepted</bpmn:incoming>", "<bpmn:incoming>flow_accept</bpmn:incoming>")
    return xml.replace('targetRef="milestone_accepted"', 'targetRef="service_completed"')


def test_an_order_migrated_onto_a_staged_version_accepts_in_stages(api, cast, walk, act):
    """Running orders keep their version; one an analyst migrates gets the stage counters it lacked."""
    _deploy(api, cast, _variant("ms_migrated", "manual_service_general.bpmn", _without_stages))
    order = walk(_place_on(api, cast, "ms_migrated", counted=False), "confirm_acceptance")
    _deploy(api, cast, _variant("ms_migrated", "manual_service_general.bpmn"))
    report = ok(api.post(f"{API}/process-definitions/ms_migrated/migrations", cast.analyst.token,
                         json={"from_version": 1, "to_version": 2, "dry_run": False}))
    assert report["migrated"] == 1, report
    order = ok(act(cast.buyer, order, "accept"))
    assert [n["id"] for n in order["nodes"]] == ["deliver"] and _accepted(order) == [True, False]
