"""The authorization matrix: who may read an order, its history and the inbox, who may place orders and
who may act at each node. No or unknown token -> 401; another buyer's, seller's or platform principal's
order -> 404 (its existence must not leak; the platform sees only the orders it placed); a known token with the wrong role, a party acting on the other party's task or
a reviewer of another review role -> 403. Every refusal is a problem document and changes nothing."""
import uuid

import pytest

from tests.conftest import order_body

ORDERS = "/api/v1/orders"

CALLERS = ("buyer", "other_buyer", "seller", "other_seller", "ops", "reviewer", "wrong_reviewer", "analyst",
           "admin", "platform", "other_platform", "no_token", "unknown_token")
UNAUTHENTICATED = {"no_token", "unknown_token"}
OUTSIDERS = {"other_buyer", "other_seller", "other_platform"}
PLATFORMS = {"platform", "other_platform"}
READ_ALL = {"buyer", "seller", "ops", "reviewer", "wrong_reviewer", "admin", "platform"}
ALL_REVIEW_ROLES = ("base_manager", "rep_office", "product_dept", "cloud_review")


@pytest.fixture
def caller(cast, make_principal):
    """caller(name, review_role) -> the principal for a matrix row, or None for the rows without a token.
    `reviewer` has `review_role`; `wrong_reviewer` has another review role."""
    wrong = {role: make_principal("reviewer", role) for role in ALL_REVIEW_ROLES}

    def pick(name: str, review_role: str = "base_manager"):
        if name in UNAUTHENTICATED:
            return None
        if name == "reviewer":
            return wrong[review_role]
        if name == "wrong_reviewer":
            return wrong["cloud_review" if review_role != "cloud_review" else "base_manager"]
        if name == "other_platform":  # a second marketplace integration: not the one that placed the order
            return make_principal("platform")
        return getattr(cast, name)

    return pick


def _token(name: str, principal) -> str | None:
    if name == "no_token":
        return None
    if name == "unknown_token":
        return f"not-a-token-{uuid.uuid4().hex}"
    return principal.token


def _expected_read(name: str) -> tuple[int, str | None]:
    if name in UNAUTHENTICATED:
        return 401, "unauthenticated"
    if name in OUTSIDERS:
        return 404, "not_found"
    if name in READ_ALL:
        return 200, None
    return 403, "forbidden"


def _check(response, expected: tuple[int, str | None], problem) -> None:
    status, code = expected
    if code is None:
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"].startswith("application/json")
    else:
        problem(response, status, code)


# -- reading one order and its history ------------------------------------------------------------------

@pytest.mark.parametrize("who", CALLERS)
def test_reading_an_order_is_allowed_to_its_parties_and_staff_only(api, place_order, caller, problem, who):
    order = place_order()
    response = api.get(f"{ORDERS}/{order['id']}", _token(who, caller(who)))
    _check(response, _expected_read(who), problem)
    if response.status_code == 200:
        assert response.json()["id"] == order["id"]


@pytest.mark.parametrize("who", CALLERS)
def test_reading_an_order_history_is_allowed_to_its_parties_and_staff_only(api, place_order, caller, problem,
                                                                            who):
    order = place_order()
    response = api.get(f"{ORDERS}/{order['id']}/history", _token(who, caller(who)))
    _check(response, _expected_read(who), problem)
    if response.status_code == 200:
        assert response.json()[0]["type"] == "order_placed"


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_another_partys_order_looks_exactly_like_a_missing_one(api, place_order, caller, who):
    order = place_order()
    token = caller(who).token
    hidden = api.get(f"{ORDERS}/{order['id']}", token)
    missing = api.get(f"{ORDERS}/{uuid.uuid4()}", token)
    assert (hidden.status_code, hidden.json()["code"]) == (missing.status_code, missing.json()["code"]) == (
        404, "not_found")


@pytest.mark.parametrize("who", CALLERS)
def test_listing_orders_shows_the_order_only_to_its_parties_and_staff(api, place_order, caller, problem, who):
    order = place_order()
    principal = caller(who)
    response = api.get(ORDERS, _token(who, principal), params={"page_size": 100})
    if who in UNAUTHENTICATED:
        problem(response, 401, "unauthenticated")
    elif who == "analyst":
        problem(response, 403, "forbidden")
    elif who in OUTSIDERS:
        assert response.status_code == 200, response.text
        assert order["id"] not in [o["id"] for o in response.json()]
    else:
        assert response.status_code == 200, response.text


# -- placing orders ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", CALLERS)
def test_only_the_platform_places_orders(api, cast, caller, problem, who):
    body = order_body(cast.buyer.name, cast.seller.name)
    response = api.post(ORDERS, _token(who, caller(who)), json=body)
    if who in PLATFORMS:
        assert response.status_code == 201, response.text
        return
    problem(response, *((401, "unauthenticated") if who in UNAUTHENTICATED else (403, "forbidden")))
    # nothing was placed: the order_no is still free for the platform
    assert api.post(ORDERS, cast.platform.token, json=body).status_code == 201


def test_another_platform_principal_cannot_take_over_an_order_no_by_replaying_its_body(api, cast, caller,
                                                                                      problem):
    body = order_body(cast.buyer.name, cast.seller.name)
    assert api.post(ORDERS, cast.platform.token, json=body).status_code == 201
    problem(api.post(ORDERS, caller("other_platform").token, json=body), 409, "conflict")


@pytest.mark.parametrize("path", ["", "/history", "/diagram"])
def test_another_platform_principal_reads_nothing_of_the_order(api, place_order, caller, problem, path):
    order = place_order()
    problem(api.get(f"{ORDERS}/{order['id']}{path}", caller("other_platform").token), 404, "not_found")


def test_another_platform_principal_cannot_post_logistics_for_the_order(api, place_order, caller, problem):
    order = place_order(delivery_type="hardware", manual_kind=None, name="Edge server")
    response = api.post(f"{ORDERS}/{order['id']}/logistics", caller("other_platform").token,
                        json={"status": "in_transit", "at": "2026-01-06T08:00:00+00:00"})
    problem(response, 404, "not_found")


def test_the_platform_lists_exactly_the_orders_it_placed(api, place_order, cast, caller):
    mine, other = place_order(), caller("other_platform")
    theirs = api.post(ORDERS, other.token, json=order_body(cast.buyer.name, cast.seller.name)).json()
    listed = [o["id"] for o in api.get(ORDERS, cast.platform.token, params={"page_size": 100}).json()]
    assert mine["id"] in listed and theirs["id"] not in listed


# -- the inbox ----------------------------------------------------------------------------------------------

INBOX_OWNERS = {"buyer", "other_buyer", "seller", "other_seller", "reviewer", "wrong_reviewer",
                "ops"}  # ops: the Weaver store's licence uploads and seat adjustments (domain.md §7)


@pytest.mark.parametrize("who", CALLERS)
def test_the_inbox_is_for_buyers_sellers_reviewers_and_ops(api, place_order, caller, problem, who):
    order = place_order()
    response = api.get("/api/v1/tasks", _token(who, caller(who)))
    if who in UNAUTHENTICATED:
        problem(response, 401, "unauthenticated")
    elif who in INBOX_OWNERS:
        assert response.status_code == 200, response.text
        mine = [t["order_id"] for t in response.json()]
        assert (order["id"] in mine) == (who == "buyer")
    else:
        problem(response, 403, "forbidden")


# -- acting at each node -----------------------------------------------------------------------------------

STEPS = {
    # name: (order's product, node, action, data, with attachments, who owns the task, review role)
    "submit_requirement": ({}, "submit_requirement", "submit_requirement", {"description": "x"}, True,
                           "buyer", None),
    "deliver": ({}, "deliver", "deliver", {"note": "done"}, True, "seller", None),
    "return_requirement": ({}, "deliver", "return_requirement", {"reason": "unclear"}, False, "seller", None),
    "accept": ({}, "confirm_acceptance", "accept", {}, False, "buyer", None),
    "reject": ({}, "confirm_acceptance", "reject", {"reason": "bad"}, False, "buyer", None),
    "base_manager_review": ({"goods_class": "joint", "scenario": "base"}, "base_manager_review", "review_approve",
                            {"note": "ok"}, False, "reviewer", "base_manager"),
    "base_manager_return": ({"goods_class": "joint", "scenario": "base"}, "base_manager_review", "review_return",
                            {"reason": "unsigned"}, False, "reviewer", "base_manager"),
    "rep_office_review": ({"goods_class": "joint", "scenario": "empowerment"}, "rep_office_review",
                          "review_approve", {}, False, "reviewer", "rep_office"),
    "product_dept_review": ({"goods_class": "joint", "scenario": "empowerment"}, "product_dept_review",
                            "review_approve", {}, False, "reviewer", "product_dept"),
}


def _expected_action(who: str, owner: str) -> tuple[int, str | None]:
    if who in UNAUTHENTICATED:
        return 401, "unauthenticated"
    if who in OUTSIDERS:
        return 404, "not_found"
    if who == owner:
        return 200, None
    return 403, "forbidden"


@pytest.fixture
def at_step(place_order, walk, act, make_principal):
    """at_step(step) -> an order waiting at the step's node."""

    def reach(step: str) -> dict:
        product, node, *_ = STEPS[step]
        if node == "product_dept_review":
            order = walk(place_order(**product), "rep_office_review")
            response = act(make_principal("reviewer", "rep_office"), order, "review_approve")
            assert response.status_code == 200, response.text
            return response.json()
        return walk(place_order(**product), node)

    return reach


def _attachments(upload, principal, needed: bool) -> list[str]:
    if not needed:
        return []
    if principal is None:
        return [str(uuid.uuid4())]
    return [upload(principal)]


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("step", STEPS)
def test_only_the_task_owner_may_act_at_a_node(api, at_step, caller, upload, snapshot, problem, step, who):
    _, node, action, data, needs_files, owner, review_role = STEPS[step]
    order = at_step(step)
    principal = caller(who, review_role or "base_manager")
    files = _attachments(upload, principal, needs_files)
    before = snapshot(order)
    response = api.post(f"{ORDERS}/{order['id']}/actions/{action}", _token(who, principal),
                        json={"data": data, "attachments": files})
    expected = _expected_action(who, owner)
    _check(response, expected, problem)
    if expected[0] == 200:
        assert response.json()["nodes"][0]["id"] != node
    else:
        assert snapshot(order) == before


@pytest.mark.parametrize("who", CALLERS)
def test_only_the_task_owner_may_complete_it_from_the_inbox(api, place_order, caller, upload, snapshot, problem,
                                                            who):
    order = place_order()
    principal = caller(who)
    files = _attachments(upload, principal, True)
    before = snapshot(order)
    response = api.post(f"/api/v1/tasks/{order['nodes'][0]['task_id']}/complete", _token(who, principal),
                        json={"action": "submit_requirement", "data": {"description": "x"}, "attachments": files})
    # the tasks endpoint refuses roles without an inbox before it looks the task's order up
    expected = (403, "forbidden") if who == "other_platform" else _expected_action(who, "buyer")
    _check(response, expected, problem)
    if expected[0] != 200:
        assert snapshot(order) == before


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_a_party_may_not_act_on_the_other_partys_node_even_with_the_right_action_name(api, place_order, walk,
                                                                                     caller, upload, problem, who):
    order = walk(place_order(), "deliver" if who == "buyer" else "confirm_acceptance")
    action = "deliver" if who == "buyer" else "accept"
    principal = caller(who)
    files = [upload(principal)] if action == "deliver" else []
    response = api.post(f"{ORDERS}/{order['id']}/actions/{action}", principal.token,
                        json={"data": {}, "attachments": files})
    problem(response, 403, "forbidden")


def test_a_reviewer_is_not_offered_actions_of_another_review_role(api, at_step, caller):
    order = at_step("base_manager_review")
    seen = api.get(f"{ORDERS}/{order['id']}", caller("wrong_reviewer", "base_manager").token).json()
    assert seen["available_actions"] == []


@pytest.mark.parametrize("who", ["ops", "admin", "platform"])
def test_staff_who_may_read_an_order_are_offered_no_actions(api, place_order, caller, who):
    order = place_order()
    assert api.get(f"{ORDERS}/{order['id']}", caller(who).token).json()["available_actions"] == []


# -- the Authorization header -------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_a_malformed_authorization_header_is_401(api, place_order, problem, header):
    order = place_order()
    response = api.get(f"{ORDERS}/{order['id']}", headers={"Authorization": header})
    problem(response, 401, "unauthenticated")


def test_the_bearer_scheme_is_case_insensitive(api, place_order, cast):
    order = place_order()
    response = api.get(f"{ORDERS}/{order['id']}", headers={"Authorization": f"bearer {cast.buyer.token}"})
    assert response.status_code == 200, response.text


def test_a_401_does_not_reveal_whether_the_order_exists(api, place_order, problem):
    order = place_order()
    known = problem(api.get(f"{ORDERS}/{order['id']}"), 401, "unauthenticated")
    unknown = problem(api.get(f"{ORDERS}/{uuid.uuid4()}"), 401, "unauthenticated")
    assert known["detail"] == unknown["detail"]


# -- merchant integration: a seller's own production interface and keys, callbacks for sellers and staff ---------
MERCHANT_SELF = {"seller": 0, "admin": 0, "other_seller": 403}


def _expected_merchant(name: str, success: int, allowed: dict) -> tuple[int, str | None]:
    if name in UNAUTHENTICATED:
        return 401, "unauthenticated"
    if name in allowed:
        status = allowed[name] or success
        return status, None if status < 400 else "forbidden"
    return 403, "forbidden"


@pytest.mark.parametrize("who", CALLERS)
def test_a_production_interface_is_set_by_its_seller_or_an_admin(api, cast, caller, problem, who):
    response = api.request("PUT", f"/api/v1/sellers/{cast.seller.name}/production-interface",
                           _token(who, caller(who)), json={"url": "https://isv.example.com/saasproduce"})
    _check(response, _expected_merchant(who, 200, MERCHANT_SELF), problem)


@pytest.mark.parametrize("who", CALLERS)
def test_access_keys_are_made_by_their_seller_or_an_admin(api, cast, caller, problem, who):
    response = api.post(f"/api/v1/principals/{cast.seller.name}/access-keys", _token(who, caller(who)))
    _check(response, _expected_merchant(who, 201, MERCHANT_SELF), problem)


@pytest.mark.parametrize("who", CALLERS)
def test_callbacks_are_listed_to_sellers_and_staff(api, cast, caller, problem, who):
    response = api.get("/api/v1/callbacks", _token(who, caller(who)))
    allowed = {"seller": 0, "other_seller": 0, "ops": 0, "admin": 0}
    _check(response, _expected_merchant(who, 200, allowed), problem)
