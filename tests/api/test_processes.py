"""Every process key of config/routing.json, driven through the real HTTP API from one table.

Each flow is a list of steps (node, who, action, data factory, form rules). The same table drives:
the happy path from placement to completion, the reject loop, the review-return loop, an appeal at every
node, the wrong actor at every node and bad input to every action's form. Process-specific behaviour
(SaaS app info, identification codes, authorization codes, the hardware appeal policy) follows the table.

The manual-service keys get only the routing and happy-path checks: tests/api/test_actions.py covers them.
"""
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

import pytest

from tests.conftest import order_body
from tests.helpers import ok

ORDERS = "/api/v1/orders"
APPEALS = "/api/v1/appeals"
AUTHCODES = "/api/v1/authcodes"

PAID_AT = "2026-01-05T08:00:00+00:00"
V1_PAID_AT = "2024-09-13T15:59:00+00:00"  # 2024-09-13 23:59 in Beijing: the last minute of the v1 flow
V2_PAID_AT = "2024-09-13T16:00:00+00:00"  # 2024-09-14 00:00 in Beijing: the first minute of the v2 flow

BUYER, SELLER = "buyer", "seller"
REVIEW_ROLES = ("base_manager", "rep_office", "product_dept", "cloud_review")
SELLER_DELIVERY_NODES = ("deliver", "deliver_license", "ship")

# the contract's node table: node id -> the Chinese labels it may carry
NODE_ZH = {
    "submit_requirement": {"用户提交需求"},
    "deliver": {"服务商处理需求", "商家实施服务"},
    "deliver_license": {"服务商线下交付License"},
    "submit_id_code": {"用户提交识别码"},
    "ship": {"服务商实施服务"},
    "confirm_acceptance": {"用户确认验收"},
    "claim_authcode": {"用户领取授权码"},
    "authcode_activation": {"授权码激活"},
    "upload_proof": {"商家上传交付证明"},
    "base_manager_review": {"基地经理确认服务"},
    "rep_office_review": {"代表处确认服务"},
    "product_dept_review": {"产品部确认服务"},
    "cloud_review": {"华为云复核"},
    "confirm_deployment": {"用户部署软件"},
}

APP_INFO = {"front_url": "https://shop.example.com/", "admin_url": "https://shop.example.com/admin",
            "username": "admin"}


# -- the process table ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One action at one node: who completes it, with what data, under which form rules."""

    node: str
    who: str  # "buyer", "seller" or "reviewer:<review_role>"
    action: str  # "activate" is the seller's POST /authcodes/{code}/activate, not a task action
    data: Callable[[], dict] = dict
    attach: bool = False  # the form requires at least one attachment
    required: tuple[str, ...] = ()  # data fields the form requires
    no_data: bool = False  # the form takes no data and no attachments at all
    alternatives: tuple["Step", ...] = ()  # other actions the same node offers (reject, return...)
    appellant: str = BUYER  # who appeals at this node in the appeal test
    appeal_after: str | None = None  # clock advance the appeal policy needs first

    @property
    def is_activation(self) -> bool:
        return self.action == "activate"

    @property
    def review_role(self) -> str | None:
        return self.who.split(":", 1)[1] if self.who.startswith("reviewer:") else None

    @property
    def role(self) -> str:
        return self.who.split(":", 1)[0]


def _reason() -> dict:
    return {"reason": "not what was agreed"}


def _alternative(node: str, who: str, action: str) -> Step:
    return Step(node, who, action, _reason, required=("reason",))


SUBMIT_REQUIREMENT = Step("submit_requirement", BUYER, "submit_requirement", lambda: {"description": "Migrate 2 TB"},
                          attach=True, required=("description",))
DELIVER = Step("deliver", SELLER, "deliver", lambda: {"note": "done"}, attach=True,
               alternatives=(_alternative("deliver", SELLER, "return_requirement"),))
DELIVER_SAAS = replace(DELIVER, data=lambda: {"note": "instance set up", "app_info": dict(APP_INFO)})
IMPLEMENT = Step("deliver", SELLER, "deliver", lambda: {"note": "stack deployed"}, attach=True)
DELIVER_LICENSE = Step("deliver_license", SELLER, "deliver_license", lambda: {"note": "licence file sent"},
                       attach=True)
ACCEPT = Step("confirm_acceptance", BUYER, "accept", no_data=True,
              alternatives=(_alternative("confirm_acceptance", BUYER, "reject"),))
SUBMIT_SYSTEM_ID = Step("submit_id_code", BUYER, "submit_id_code", no_data=True)
SUBMIT_HARDWARE_ID = Step("submit_id_code", BUYER, "submit_id_code",
                          lambda: {"code": f"HW-{uuid.uuid4().hex[:12].upper()}"}, required=("code",))
DELIVER_AUTHCODE = Step("deliver", SELLER, "deliver", lambda: {"note": "code issued"})
CLAIM_AUTHCODE = Step("claim_authcode", BUYER, "claim_authcode", no_data=True)
ACTIVATE = Step("authcode_activation", SELLER, "activate")
UPLOAD_PROOF = Step("upload_proof", SELLER, "upload_proof", lambda: {"note": "installed at the customer"},
                    attach=True)
CONFIRM_DEPLOYMENT = Step("confirm_deployment", BUYER, "confirm_deployment", no_data=True)
SHIP = Step("ship", SELLER, "ship", lambda: {"carrier": "SF Express", "tracking_no": "SF1234567890"},
            required=("carrier", "tracking_no"), appeal_after="P6D")  # hardware buyer: > 5 days at the seller
ACCEPT_HARDWARE = replace(ACCEPT, appellant=SELLER)  # hardware: the seller may appeal at acceptance


def _review(node: str, review_role: str) -> Step:
    who = f"reviewer:{review_role}"
    return Step(node, who, "review_approve", lambda: {"note": "report checked"},
                alternatives=(_alternative(node, who, "review_return"),))


BASE_REVIEW = _review("base_manager_review", "base_manager")
REP_REVIEW = _review("rep_office_review", "rep_office")
PRODUCT_REVIEW = _review("product_dept_review", "product_dept")
CLOUD_REVIEW = _review("cloud_review", "cloud_review")


@dataclass(frozen=True)
class Flow:
    key: str
    product: dict
    steps: tuple[Step, ...]
    variant: str = ""
    paid_at: str = PAID_AT
    light: bool = False  # covered elsewhere: routing and happy path only

    @property
    def id(self) -> str:
        return f"{self.key}:{self.variant}" if self.variant else self.key

    def step_at(self, node: str) -> Step:
        return next(s for s in self.steps if s.node == node)

    @property
    def seller_delivery_node(self) -> str:
        return next(s.node for s in self.steps if s.node in SELLER_DELIVERY_NODES)

    def node_after(self, step: Step) -> str:
        index = self.steps.index(step)
        return self.steps[index + 1].node if index + 1 < len(self.steps) else "service_completed"

    def seller_node_before(self, node: str) -> str:
        """Where a review return goes: the latest seller step before `node`."""
        index = [s.node for s in self.steps].index(node)
        return next(s.node for s in reversed(self.steps[:index]) if s.role == SELLER and not s.is_activation)


def _license(mode: str, **more) -> dict:
    return {"delivery_type": "license", "manual_kind": None, "license_mode": mode, **more}


SAAS = {"delivery_type": "saas", "manual_kind": None}

FLOWS = [
    Flow("manual_service_general", {}, (SUBMIT_REQUIREMENT, DELIVER, ACCEPT), light=True),
    Flow("manual_service_joint", {"goods_class": "joint", "scenario": "base"},
         (SUBMIT_REQUIREMENT, DELIVER, BASE_REVIEW, ACCEPT), variant="base", light=True),
    Flow("manual_service_site_building_general", {"manual_kind": "site_building"},
         (SUBMIT_REQUIREMENT, DELIVER, ACCEPT), light=True),
    Flow("manual_service_site_building_joint", {"manual_kind": "site_building", "goods_class": "huawei"},
         (SUBMIT_REQUIREMENT, DELIVER, ACCEPT), variant="none", light=True),
    Flow("saas_general", SAAS, (SUBMIT_REQUIREMENT, DELIVER_SAAS, ACCEPT)),
    Flow("saas_joint", {**SAAS, "goods_class": "joint", "scenario": "none"},
         (SUBMIT_REQUIREMENT, DELIVER_SAAS, ACCEPT), variant="none"),
    Flow("saas_joint", {**SAAS, "goods_class": "joint", "scenario": "base"},
         (SUBMIT_REQUIREMENT, DELIVER_SAAS, BASE_REVIEW, ACCEPT), variant="base"),
    Flow("saas_joint", {**SAAS, "goods_class": "joint", "scenario": "empowerment"},
         (SUBMIT_REQUIREMENT, DELIVER_SAAS, REP_REVIEW, PRODUCT_REVIEW, ACCEPT), variant="empowerment"),
    Flow("data_file", {"delivery_type": "data_file", "manual_kind": None}, (SUBMIT_REQUIREMENT, DELIVER, ACCEPT)),
    Flow("orchestration", {"delivery_type": "orchestration", "manual_kind": None}, (IMPLEMENT, ACCEPT)),
    Flow("license_offline_general", _license("offline"), (DELIVER_LICENSE, ACCEPT)),
    Flow("license_offline_joint", _license("offline", goods_class="joint", scenario="none"),
         (DELIVER_LICENSE, ACCEPT), variant="none"),
    Flow("license_offline_joint", _license("offline", goods_class="joint", scenario="base"),
         (DELIVER_LICENSE, BASE_REVIEW, ACCEPT), variant="base"),
    Flow("license_offline_joint", _license("offline", goods_class="huawei", scenario="empowerment"),
         (DELIVER_LICENSE, REP_REVIEW, PRODUCT_REVIEW, ACCEPT), variant="empowerment"),
    Flow("license_system_id", _license("system_id"), (SUBMIT_SYSTEM_ID, DELIVER_LICENSE, ACCEPT)),
    Flow("license_hardware_id", _license("hardware_id"), (SUBMIT_HARDWARE_ID, DELIVER_LICENSE, ACCEPT)),
    Flow("license_authcode_v1", _license("authcode"), (DELIVER_AUTHCODE, CLAIM_AUTHCODE, ACTIVATE),
         paid_at=V1_PAID_AT),
    Flow("license_authcode_v2", _license("authcode"), (DELIVER_AUTHCODE, CLAIM_AUTHCODE, ACTIVATE, UPLOAD_PROOF),
         variant="none", paid_at=V2_PAID_AT),
    Flow("license_authcode_v2", _license("authcode", scenario="empowerment"),
         (DELIVER_AUTHCODE, CLAIM_AUTHCODE, ACTIVATE, UPLOAD_PROOF, CLOUD_REVIEW), variant="empowerment",
         paid_at=V2_PAID_AT),
    Flow("license_package", _license("package"), (CONFIRM_DEPLOYMENT,)),
    Flow("hardware", {"delivery_type": "hardware", "manual_kind": None}, (SHIP, ACCEPT_HARDWARE)),
]
FLOW = {flow.id: flow for flow in FLOWS}


def _per_key_nodes(*, with_activation: bool) -> list:
    """(flow, step) once per (process key, node), from the first flow of the key that reaches the node."""
    seen, cases = set(), []
    for flow in FLOWS:
        if flow.light:
            continue
        for step in flow.steps:
            if (flow.key, step.node) in seen or (step.is_activation and not with_activation):
                continue
            seen.add((flow.key, step.node))
            cases.append(pytest.param(flow, step, id=f"{flow.key}-{step.node}"))
    return cases


NODE_CASES = _per_key_nodes(with_activation=True)
FORM_CASES = _per_key_nodes(with_activation=False)
FIRST_OF_KEY = {flow.key: flow for flow in reversed(FLOWS)}
REJECT_CASES = [flow for flow in FIRST_OF_KEY.values()
                if not flow.light and any(s.node == "confirm_acceptance" for s in flow.steps)]
REVIEW_CASES = [case for case in NODE_CASES if case.values[1].review_role]
AUTHCODE_FLOWS = [FLOW["license_authcode_v1"], FLOW["license_authcode_v2:none"]]


# -- driving orders through the API ------------------------------------------------------------------------

def _nodes(order: dict) -> list[str]:
    return [n["id"] for n in order["nodes"]]


def _offered(order: dict) -> list[str]:
    return sorted(a["action"] for a in order["available_actions"])


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _names(body: dict, name: str) -> bool:
    """The problem's `errors` names the field, nested ({"app_info": {...}}) or dotted ("app_info.front_url")."""
    return any(key == name or key.startswith(f"{name}.") for key in body.get("errors", {}))


class Driver:
    """Places orders of a flow and performs its steps as the right (or a given) principal."""

    def __init__(self, api, cast, upload, make_principal):
        self.api, self.cast, self.upload, self._make = api, cast, upload, make_principal
        self._reviewers: dict[str, object] = {}

    def reviewer(self, review_role: str):
        if review_role not in self._reviewers:
            self._reviewers[review_role] = self._make("reviewer", review_role)
        return self._reviewers[review_role]

    def actor(self, step: Step):
        return self.reviewer(step.review_role) if step.review_role else getattr(self.cast, step.role)

    def place(self, flow: Flow, **body) -> dict:
        payload = order_body(self.cast.buyer.name, self.cast.seller.name, **flow.product)
        payload.update({"paid_at": flow.paid_at, **body})
        return ok(self.api.post(ORDERS, self.cast.platform.token, json=payload), 201)

    def get(self, order: dict, who=None) -> dict:
        return ok(self.api.get(f"{ORDERS}/{order['id']}", (who or self.cast.ops).token))

    def history(self, order: dict) -> list[dict]:
        return ok(self.api.get(f"{ORDERS}/{order['id']}/history", self.cast.ops.token))

    def authcode(self, order: dict) -> str:
        code = self.get(order, self.cast.buyer)["authcode"]
        assert code, "the buyer sees no authcode"
        return code

    def activate(self, code: str, who=None, **body):
        return self.api.post(f"{AUTHCODES}/{code}/activate", (who or self.cast.seller).token, json=body)

    def perform(self, order: dict, step: Step, who=None, data: dict | None = None,
                attachments: list | None = None):
        """The step's request as `who` (default: its actor), with its data unless data/attachments are given."""
        who = who or self.actor(step)
        if step.is_activation:
            return self.activate(self.authcode(order), who, **(data or {}))
        data = step.data() if data is None else data
        if attachments is None:
            attachments = [self.upload(who)] if step.attach else []
        return self.api.post(f"{ORDERS}/{order['id']}/actions/{step.action}", who.token,
                             json={"data": data, "attachments": attachments})

    def run(self, order: dict, step: Step, **kw) -> dict:
        return ok(self.perform(order, step, **kw))

    def at(self, flow: Flow, node: str, order: dict | None = None) -> dict:
        """A new order of the flow (or `order`) driven to `node` by the table's steps."""
        order = order or self.place(flow)
        for step in flow.steps:
            if step.node == node:
                assert _nodes(order) == [node], order["nodes"]
                return order
            order = self.run(order, step)
        raise AssertionError(f"{flow.id} never reaches {node}")

    def finish(self, flow: Flow, order: dict, from_node: str) -> dict:
        """Run the flow's steps from `from_node` to the end."""
        nodes = [s.node for s in flow.steps]
        for step in flow.steps[nodes.index(from_node):]:
            assert _nodes(order) == [step.node], order["nodes"]
            order = self.run(order, step)
        return order

    def appeal(self, order: dict, who, **body):
        payload = {"reason": "the other side is not cooperating", "demand": "decide", **body}
        return self.api.post(f"{ORDERS}/{order['id']}/appeals", who.token, json=payload)

    def resolve(self, appeal: dict, outcome: str = "resume"):
        return self.api.post(f"{APPEALS}/{appeal['id']}/resolve", self.cast.ops.token,
                             json={"outcome": outcome, "note": "carry on"})


@pytest.fixture
def driver(api, cast, upload, make_principal):
    return Driver(api, cast, upload, make_principal)


@pytest.fixture
def unchanged(api, cast):
    """with unchanged(order, *principals): ... -> the block must leave the whole order resource (as ops see it),
    its history and the inboxes of `principals` exactly as they were."""

    def state(order: dict, principals) -> tuple:
        inboxes = [sorted(t["id"] for t in ok(api.get("/api/v1/tasks", who.token, params={"page_size": 100})))
                   for who in principals]
        return (ok(api.get(f"{ORDERS}/{order['id']}", cast.ops.token)),
                ok(api.get(f"{ORDERS}/{order['id']}/history", cast.ops.token)), inboxes)

    @contextmanager
    def check(order: dict, *principals):
        before = state(order, principals)
        yield
        assert state(order, principals) == before

    return check


# -- routing ------------------------------------------------------------------------------------------------

ROUTES = [
    pytest.param({"goods_class": "huawei", "scenario": "empowerment"}, PAID_AT, "manual_service_joint",
                 id="manual-huawei-joint"),
    pytest.param({**SAAS, "goods_class": "huawei"}, PAID_AT, "saas_joint", id="saas-huawei-joint"),
    pytest.param(_license("offline", goods_class="huawei"), PAID_AT, "license_offline_joint",
                 id="offline-huawei-joint"),
    pytest.param(_license("authcode"), "2024-09-13T15:59:59+00:00", "license_authcode_v1",
                 id="authcode-last-second-of-13-sep-beijing-v1"),
    pytest.param(_license("authcode"), "2024-09-13T23:59:59+08:00", "license_authcode_v1",
                 id="authcode-13-sep-23h59-beijing-offset-v1"),
    pytest.param(_license("authcode"), "2024-09-14T00:00:00+08:00", "license_authcode_v2",
                 id="authcode-14-sep-midnight-beijing-v2"),
    pytest.param(_license("authcode"), "2024-09-14T01:00:00+09:00", "license_authcode_v2",
                 id="authcode-14-sep-midnight-beijing-in-tokyo-time-v2"),
    pytest.param(_license("authcode"), "2024-09-13T20:00:00-04:00", "license_authcode_v2",
                 id="authcode-13-sep-in-new-york-is-14-sep-in-beijing-v2"),
    pytest.param(_license("authcode", scenario="empowerment"), "2024-09-13T10:00:00+00:00", "license_authcode_v1",
                 id="authcode-empowerment-before-the-split-v1"),
]


@pytest.mark.parametrize("product, paid_at, key", ROUTES)
def test_an_order_is_routed_by_its_facts_and_beijing_payment_day(driver, product, paid_at, key):
    order = driver.place(Flow("routing", product, (), paid_at=paid_at))
    assert order["process"]["key"] == key


# -- the happy path of every flow ------------------------------------------------------------------------------

@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
def test_every_process_runs_from_placement_to_completion_through_its_nodes(driver, flow):
    order = driver.place(flow)
    assert (order["process"]["key"], order["status"]) == (flow.key, "processing")
    assert order["process"]["version"] >= 1

    for step in flow.steps:
        seen = driver.get(order, driver.actor(step))
        assert [(n["id"], n["name_zh"] in NODE_ZH[n["id"]]) for n in seen["nodes"]] == [(step.node, True)]
        if not step.is_activation:
            assert _offered(seen) == sorted(a.action for a in (step, *step.alternatives))
        order = driver.run(order, step)

    done = driver.get(order)
    assert done["status"] == "completed"
    assert done["completed_at"]
    assert [(n["id"], n["name_zh"]) for n in done["nodes"]] == [("service_completed", "服务完成")]
    events = driver.history(order)
    assert [(e["node"], e["action"]) for e in events if e["type"] == "task_completed"] == [
        (s.node, s.action) for s in flow.steps if not s.is_activation]
    assert [e["type"] for e in events].count("authcode_activated") == sum(s.is_activation for s in flow.steps)
    assert [e["type"] for e in events].count("order_completed") == 1
    assert (events[0]["type"], events[-1]["type"]) == ("order_placed", "order_completed")


# -- loops ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flow", REJECT_CASES, ids=lambda f: f.key)
def test_a_rejection_with_a_reason_goes_back_to_the_sellers_delivery_node_and_counts(driver, flow):
    order = driver.at(flow, "confirm_acceptance")
    reject = flow.step_at("confirm_acceptance").alternatives[0]
    back = driver.run(order, reject)
    target = flow.seller_delivery_node
    assert [(n["id"], n["role"]) for n in back["nodes"]] == [(target, "seller")]
    assert (back["status"], back["rejection_count"]) == ("processing", 1)

    done = driver.finish(flow, back, target)
    assert (done["status"], done["rejection_count"]) == ("completed", 1)


@pytest.mark.parametrize("flow, step", REVIEW_CASES)
def test_a_review_return_goes_back_to_the_sellers_node_without_counting_a_rejection(driver, flow, step):
    order = driver.at(flow, step.node)
    back = driver.run(order, step.alternatives[0])
    target = flow.seller_node_before(step.node)
    assert [(n["id"], n["role"]) for n in back["nodes"]] == [(target, "seller")]
    assert back["rejection_count"] == 0
    # the seller's redelivery goes through the review again
    again = driver.run(back, flow.step_at(target))
    assert _nodes(again) == [flow.node_after(flow.step_at(target))]


# -- appeals at every node ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("flow, step", NODE_CASES)
def test_an_appeal_freezes_the_order_at_each_node_until_ops_resume_it(driver, cast, clock, problem, unchanged,
                                                                      flow, step):
    order = driver.at(flow, step.node)
    task_id = order["nodes"][0]["task_id"]
    actor = driver.actor(step)
    if step.appeal_after:
        clock(advance=step.appeal_after)
    appeal = ok(driver.appeal(order, getattr(cast, step.appellant)), 201)

    frozen = driver.get(order, actor)
    assert (frozen["frozen"], frozen["open_appeal"]) == (True, appeal["id"])
    assert frozen["available_actions"] == []
    assert _nodes(frozen) == [step.node]
    with unchanged(order, actor):
        for action in (step, *step.alternatives):
            problem(driver.perform(order, action), 409, "order_frozen")

    ok(driver.resolve(appeal))
    resumed = driver.get(order, actor)
    assert (resumed["frozen"], resumed["open_appeal"]) == (False, None)
    assert [(n["id"], n["task_id"]) for n in resumed["nodes"]] == [(step.node, task_id)]
    if not step.is_activation:
        assert step.action in _offered(resumed)
    assert _nodes(driver.run(order, step)) == [flow.node_after(step)]


# -- the wrong actor at every node ---------------------------------------------------------------------------

@pytest.mark.parametrize("flow, step", NODE_CASES)
def test_only_the_nodes_own_actor_may_act_there(driver, cast, problem, flow, step):
    order = driver.at(flow, step.node)
    actor = driver.actor(step)
    forbidden, not_found = (403, "forbidden"), (404, "not_found")
    if step.is_activation:  # a seller-only call: any buyer is refused for the role, other sellers never see it
        wrong = [(cast.buyer, *forbidden), (cast.other_buyer, *forbidden), (cast.other_seller, *not_found)]
    else:
        wrong = [(cast.other_buyer, *not_found), (cast.other_seller, *not_found)]
        if step.review_role:
            wrong += [(cast.buyer, *forbidden), (cast.seller, *forbidden)]
            wrong += [(driver.reviewer(role), *forbidden) for role in REVIEW_ROLES if role != step.review_role]
        else:
            wrong += [(cast.seller if step.role == BUYER else cast.buyer, *forbidden)]
    files = [driver.upload(actor)] if step.attach else []
    for who, status, code in wrong:
        problem(driver.perform(order, step, who=who, attachments=files), status, code)

    # nothing happened meanwhile: the right actor completes the very same node, and only that is logged
    assert _nodes(driver.run(order, step, attachments=files)) == [flow.node_after(step)]
    done = [e for e in driver.history(order) if e["type"] in ("task_completed", "authcode_activated")]
    assert [(e["node"], e["actor"]["name"]) for e in done][flow.steps.index(step):] == [(step.node, actor.name)]
    assert len(done) == flow.steps.index(step) + 1


# -- bad input to every action's form ------------------------------------------------------------------------

def _bad_inputs(driver, action: Step, who) -> list[tuple[str, str, dict, list]]:
    """(label, field the errors must name, data, attachments) for every way to get the action's form wrong."""
    good = action.data()
    files = [driver.upload(who)] if action.attach else []
    cases = [(f"without {name}", name, {k: v for k, v in good.items() if k != name}, files)
             for name in action.required]
    if action.attach:
        cases.append(("without attachments", "attachments", good, []))
    cases.append(("with an unknown field", "unexpected", {**good, "unexpected": "x"}, files))
    if action.no_data:
        cases.append(("with an attachment", "attachments", good, [driver.upload(who)]))
    return cases


@pytest.mark.parametrize("flow, step", FORM_CASES)
def test_bad_input_to_each_action_of_a_node_is_422_and_changes_nothing(driver, problem, unchanged, flow, step):
    order = driver.at(flow, step.node)
    who = driver.actor(step)
    with unchanged(order, who):
        for action in (step, *step.alternatives):
            for label, name, data, attachments in _bad_inputs(driver, action, who):
                response = driver.perform(order, action, data=data, attachments=attachments)
                assert response.status_code == 422, (action.action, label, response.text)
                body = problem(response, 422, "validation_failed")
                assert _names(body, name), (action.action, label, body)

    assert _nodes(driver.run(order, step)) == [flow.node_after(step)]


# -- SaaS: app info ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flow_id", ["saas_general", "saas_joint:none"])
def test_a_saas_delivery_with_app_info_shows_it_in_the_order(driver, cast, flow_id):
    flow = FLOW[flow_id]
    order = driver.run(driver.at(flow, "deliver"), DELIVER_SAAS)
    for who in (cast.buyer, cast.seller):
        assert driver.get(order, who)["app_info"] == APP_INFO


def test_a_saas_delivery_without_app_info_is_accepted(driver):
    order = driver.at(FLOW["saas_general"], "deliver")
    assert _nodes(driver.run(order, DELIVER, data={"note": "done"})) == ["confirm_acceptance"]


@pytest.mark.parametrize("app_info", [
    pytest.param({**APP_INFO, "front_url": "not a url"}, id="front-url-not-a-url"),
    pytest.param({**APP_INFO, "front_url": ""}, id="front-url-empty"),
    pytest.param({"admin_url": APP_INFO["admin_url"], "username": "admin"}, id="front-url-missing"),
    pytest.param({**APP_INFO, "admin_url": "admin page"}, id="admin-url-not-a-url"),
    pytest.param({**APP_INFO, "password": "secret"}, id="unknown-member"),
])
def test_a_saas_delivery_with_invalid_app_info_is_422(driver, problem, unchanged, app_info):
    order = driver.at(FLOW["saas_general"], "deliver")
    with unchanged(order):
        body = problem(driver.perform(order, DELIVER_SAAS, data={"note": "x", "app_info": app_info}), 422,
                       "validation_failed")
    assert _names(body, "app_info"), body
    assert driver.get(order)["app_info"] is None


# -- licence identification codes ------------------------------------------------------------------------

def test_a_system_id_submission_generates_a_unique_sys_code_for_each_order(driver, cast):
    flow = FLOW["license_system_id"]
    codes = []
    for _ in range(2):
        order = driver.run(driver.place(flow), SUBMIT_SYSTEM_ID)
        assert _nodes(order) == ["deliver_license"]
        code = driver.get(order, cast.seller)["id_code"]
        assert re.fullmatch(r"SYS-[0-9A-Fa-f]{16}", code or ""), code
        codes.append(code)
    assert codes[0] != codes[1]


def test_a_system_id_submission_that_sends_a_code_is_422(driver, problem, unchanged):
    order = driver.place(FLOW["license_system_id"])
    with unchanged(order):
        body = problem(driver.perform(order, SUBMIT_SYSTEM_ID, data={"code": "SYS-0123456789ABCDEF"}), 422,
                       "validation_failed")
    assert _names(body, "code"), body
    assert driver.get(order)["id_code"] is None


def test_a_hardware_id_code_is_stored_as_the_orders_id_code(driver, cast):
    order = driver.run(driver.place(FLOW["license_hardware_id"]), SUBMIT_HARDWARE_ID,
                       data={"code": "MAC-00:1A:2B:3C:4D:5E"})
    assert _nodes(order) == ["deliver_license"]
    assert driver.get(order, cast.seller)["id_code"] == "MAC-00:1A:2B:3C:4D:5E"


def test_a_hardware_id_submission_without_a_code_is_422(driver, problem, unchanged):
    order = driver.place(FLOW["license_hardware_id"])
    with unchanged(order):
        body = problem(driver.perform(order, SUBMIT_HARDWARE_ID, data={}), 422, "validation_failed")
    assert _names(body, "code"), body
    assert driver.get(order)["id_code"] is None


# -- authorization codes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("flow", AUTHCODE_FLOWS, ids=lambda f: f.key)
def test_after_delivery_the_buyer_sees_the_authcode_and_the_seller_does_not(driver, cast, flow):
    order = driver.place(flow)
    assert driver.get(order, cast.buyer)["authcode"] is None
    order = driver.run(order, DELIVER_AUTHCODE)
    assert _nodes(order) == ["claim_authcode"]
    code = driver.get(order, cast.buyer)["authcode"]
    assert isinstance(code, str) and len(code) >= 16, code
    assert driver.get(order, cast.seller)["authcode"] is None


@pytest.mark.parametrize("flow", AUTHCODE_FLOWS, ids=lambda f: f.key)
def test_activating_before_the_buyer_claimed_the_authcode_is_409(driver, problem, unchanged, flow):
    order = driver.at(flow, "claim_authcode")
    with unchanged(order):
        problem(driver.activate(driver.authcode(order)), 409, "conflict")
    assert driver.get(order)["authcode_activated_at"] is None


@pytest.mark.parametrize("flow", AUTHCODE_FLOWS, ids=lambda f: f.key)
def test_claiming_the_authcode_ends_negotiated_refund_and_waits_for_activation(driver, cast, flow):
    order = driver.at(flow, "claim_authcode")
    assert driver.get(order)["negotiated_refund_allowed"] is True
    driver.run(order, CLAIM_AUTHCODE)
    for who in (cast.buyer, cast.seller):
        seen = driver.get(order, who)
        assert seen["negotiated_refund_allowed"] is False
        assert seen["authcode_claimed_at"]
        assert [(n["id"], n["name_zh"]) for n in seen["nodes"]] == [("authcode_activation", "授权码激活")]
        assert seen["available_actions"] == []


def test_a_v1_activation_completes_the_order_with_validity_from_the_activation_time(driver, clock):
    moment = "2024-09-20T02:00:00+00:00"
    clock(set=moment)
    order = driver.at(FLOW["license_authcode_v1"], "authcode_activation")
    done = ok(driver.activate(driver.authcode(order)))
    assert (done["status"], _nodes(done)) == ("completed", ["service_completed"])
    assert _time(done["authcode_activated_at"]) == _time(moment)
    assert _time(done["validity"]["start"]) == _time(moment)
    assert _time(done["validity"]["end"]) == _time("2024-10-20T02:00:00+00:00")


@pytest.mark.parametrize("flow", AUTHCODE_FLOWS, ids=lambda f: f.key)
def test_an_activation_with_a_real_effect_time_starts_the_validity_then(driver, flow):
    order = driver.at(flow, "authcode_activation")
    order = ok(driver.activate(driver.authcode(order), real_effect_time="2024-09-15T00:00:00+00:00"))
    for step in flow.steps[flow.steps.index(ACTIVATE) + 1:]:  # v2: the proof upload
        order = driver.run(order, step)
    done = driver.get(order)
    assert done["status"] == "completed"
    assert _time(done["validity"]["start"]) == _time("2024-09-15T00:00:00+00:00")
    assert _time(done["validity"]["end"]) == _time("2024-10-15T00:00:00+00:00")


def test_a_v2_activation_leads_to_the_proof_upload_and_the_validity_starts_at_the_activation(driver, clock):
    moment = "2024-09-20T02:00:00+00:00"
    clock(set=moment)
    order = driver.at(FLOW["license_authcode_v2:none"], "authcode_activation")
    after = ok(driver.activate(driver.authcode(order)))
    assert (after["status"], _nodes(after)) == ("processing", ["upload_proof"])
    clock(advance="P2D")
    done = driver.run(after, UPLOAD_PROOF)
    assert done["status"] == "completed"
    assert _time(done["completed_at"]) == _time("2024-09-22T02:00:00+00:00")
    assert _time(done["validity"]["start"]) == _time(moment)


def test_a_v2_empowerment_proof_goes_to_the_huawei_cloud_review(driver, cast):
    flow = FLOW["license_authcode_v2:empowerment"]
    order = driver.run(driver.at(flow, "upload_proof"), UPLOAD_PROOF)
    assert [(n["id"], n["role"]) for n in order["nodes"]] == [("cloud_review", "reviewer")]
    assert _offered(driver.get(order, driver.reviewer("cloud_review"))) == ["review_approve", "review_return"]
    assert driver.get(order, driver.reviewer("rep_office"))["available_actions"] == []


@pytest.mark.parametrize("flow", AUTHCODE_FLOWS, ids=lambda f: f.key)
def test_a_second_activation_is_409(driver, problem, unchanged, flow):
    order = driver.at(flow, "authcode_activation")
    code = driver.authcode(order)
    ok(driver.activate(code))
    with unchanged(order):
        problem(driver.activate(code), 409, "conflict")


@pytest.mark.parametrize("flow", AUTHCODE_FLOWS, ids=lambda f: f.key)
def test_a_real_effect_time_before_payment_is_422(driver, problem, unchanged, flow):
    order = driver.at(flow, "authcode_activation")
    with unchanged(order):
        body = problem(driver.activate(driver.authcode(order), real_effect_time="2024-09-13T15:58:59+00:00"),
                       422, "validation_failed")
    assert _names(body, "real_effect_time"), body
    assert driver.get(order)["authcode_activated_at"] is None


def test_activating_an_unknown_authcode_is_404(driver, problem):
    problem(driver.activate(f"no-such-code-{uuid.uuid4().hex}"), 404, "not_found")


# -- hardware: the appeal policy ---------------------------------------------------------------------------

SHIP_SINCE = "2026-02-02T02:00:00+00:00"


def test_a_hardware_buyer_may_appeal_only_after_more_than_five_days_at_ship(driver, cast, clock, problem,
                                                                            unchanged):
    clock(set=SHIP_SINCE)
    order = driver.place(FLOW["hardware"])
    assert _nodes(order) == ["ship"]
    with unchanged(order):
        body = problem(driver.appeal(order, cast.buyer), 409, "appeal_not_allowed")
        assert "5 days" in body["detail"], body
        clock(advance="P5D")  # exactly five days: not more than five
        body = problem(driver.appeal(order, cast.buyer), 409, "appeal_not_allowed")
        assert "5 days" in body["detail"], body
    clock(advance="P1D")
    ok(driver.appeal(order, cast.buyer), 201)
    assert driver.get(order)["frozen"] is True


def test_a_hardware_buyer_may_appeal_after_six_days_at_ship(driver, cast, clock):
    order = driver.place(FLOW["hardware"])
    clock(advance="P6D")
    ok(driver.appeal(order, cast.buyer), 201)


def test_a_hardware_seller_may_not_appeal_at_ship_even_after_six_days(driver, cast, clock, problem, unchanged):
    order = driver.place(FLOW["hardware"])
    clock(advance="P6D")
    with unchanged(order):
        problem(driver.appeal(order, cast.seller), 409, "appeal_not_allowed")


def test_a_hardware_seller_may_appeal_at_confirm_acceptance(driver, cast):
    order = driver.at(FLOW["hardware"], "confirm_acceptance")
    ok(driver.appeal(order, cast.seller), 201)


def test_a_hardware_buyer_may_appeal_after_the_fourth_rejection(driver, cast, problem, unchanged):
    flow = FLOW["hardware"]
    order = driver.at(flow, "confirm_acceptance")
    reject = ACCEPT_HARDWARE.alternatives[0]
    for _ in range(3):
        order = driver.run(driver.run(order, reject), SHIP)
    assert (_nodes(order), order["rejection_count"]) == (["confirm_acceptance"], 3)
    with unchanged(order):
        problem(driver.appeal(order, cast.buyer), 409, "appeal_not_allowed")
    order = driver.run(order, reject)
    assert (_nodes(order), order["rejection_count"]) == (["ship"], 4)
    ok(driver.appeal(order, cast.buyer), 201)
