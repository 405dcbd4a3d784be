"""Appeals over real HTTP: a party freezes the order, operations claim and resolve it."""
import json

import pytest

from tests.conftest import order_body
from tests.helpers import get_order, history

APPEALS = "/api/v1/appeals"
CLOCK = "/api/v1/testing/clock"
REQUIREMENT = {"description": "Migrate 2 TB"}


# -- helpers -------------------------------------------------------------------------------------
def open_appeal(api, who, order, **body):
    payload = {"reason": "The seller stopped answering", "demand": "Finish the migration or refund"}
    payload.update(body)
    return api.post(f"/api/v1/orders/{order['id']}/appeals", who.token, json=payload)


def opened(api, who, order, **body) -> dict:
    response = open_appeal(api, who, order, **body)
    assert response.status_code == 201, response.text
    return response.json()


def resolve(api, ops, appeal, outcome, **body):
    return api.post(f"{APPEALS}/{appeal['id']}/resolve", ops.token, json={"outcome": outcome, "note": "", **body})


def claim(api, ops, appeal):
    return api.post(f"{APPEALS}/{appeal['id']}/claim", ops.token)


def inbox(api, ops, **params) -> list:
    """Every appeal the ops inbox lists for these filters, following the pages."""
    items, page = [], 1
    while True:
        response = api.get(APPEALS, ops.token, params={**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.text
        items += response.json()
        meta = json.loads(response.headers["X-Pagination"])
        if page >= meta.get("total_pages", meta.get("pages", 1)):
            return items
        page += 1


def inbox_ids(api, ops, **params) -> set:
    return {a["id"] for a in inbox(api, ops, **params)}


def ref(value) -> str:
    """An id or name, whether the API shows a reference as a string or as an object."""
    return value if isinstance(value, str) else (value.get("id") or value.get("name"))


def set_clock(api, moment: str) -> None:
    response = api.post(CLOCK, json={"set": moment})
    assert response.status_code == 200, response.text


def advance_clock(api, duration: str) -> None:
    response = api.post(CLOCK, json={"advance": duration})
    assert response.status_code == 200, response.text


def task_rows(query_db, order) -> list:
    from sqlalchemy import select

    from app.models import Task
    return query_db(lambda s: sorted((t.id, t.node_id, t.status, t.closed_by)
                                     for t in s.scalars(select(Task).where(Task.order_id == order["id"]))))


def notifications(query_db, order) -> list:
    from sqlalchemy import select

    from app.models import Notification
    return query_db(lambda s: [(n.recipient, n.kind) for n in
                               s.scalars(select(Notification).where(Notification.order_id == order["id"]))])


@pytest.fixture
def ops2(make_principal):
    return make_principal("ops")


@pytest.fixture
def reviewer(make_principal):
    return make_principal("reviewer", "base_manager")


@pytest.fixture
def at_confirm(place_order, walk):
    return walk(place_order(), "confirm_acceptance")


# -- opening an appeal ---------------------------------------------------------------------------
def test_the_buyer_of_an_order_opens_an_appeal_with_every_contract_field(api, cast, place_order):
    order = place_order()
    set_clock(api, "2026-11-18T02:00:00+00:00")
    response = open_appeal(api, cast.buyer, order, reason="No answer for a week", demand="Refund")
    assert response.status_code == 201, response.text
    body = response.json()
    for field in ("id", "order", "appellant", "reason", "demand", "opened_at", "due_at", "claimed_by", "status",
                  "resolution"):
        assert field in body, field
    assert ref(body["order"]) == order["id"]
    assert ref(body["appellant"]) == cast.buyer.name
    assert (body["reason"], body["demand"]) == ("No answer for a week", "Refund")
    assert body["opened_at"] == "2026-11-18T02:00:00+00:00"
    assert (body["status"], body["claimed_by"], body["resolution"]) == ("open", None, None)


def test_the_seller_of_an_order_opens_an_appeal(api, cast, place_order):
    body = opened(api, cast.seller, place_order())
    assert ref(body["appellant"]) == cast.seller.name
    assert body["status"] == "open"


def test_an_open_appeal_shows_the_order_frozen_with_no_actions_for_either_party(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    for who in (cast.buyer, cast.seller):
        seen = get_order(api, who, order)
        assert seen["frozen"] is True
        assert seen["open_appeal"] == appeal["id"]
        assert seen["available_actions"] == []


FROZEN_ACTIONS = [
    ("submit_requirement", "buyer", "submit_requirement", REQUIREMENT),
    ("submit_requirement", "seller", "deliver", {"note": "done"}),
    ("submit_requirement", "seller", "return_requirement", {"reason": "unclear"}),
    ("confirm_acceptance", "buyer", "accept", {}),
    ("confirm_acceptance", "buyer", "reject", {"reason": "incomplete"}),
    ("confirm_acceptance", "seller", "deliver", {"note": "again"}),
    ("confirm_acceptance", "reviewer", "review_approve", {"note": "ok"}),
]


@pytest.mark.parametrize("node,role,action,data", FROZEN_ACTIONS,
                         ids=[f"{node}-{role}-{action}" for node, role, action, _ in FROZEN_ACTIONS])
def test_every_action_on_a_frozen_order_is_refused_and_changes_nothing(
        api, cast, place_order, walk, act, upload, query_db, reviewer, node, role, action, data):
    order = walk(place_order(), node)
    opened(api, cast.buyer, order)
    who = {"buyer": cast.buyer, "seller": cast.seller, "reviewer": reviewer}[role]
    evidence = upload(who) if role != "reviewer" else None
    before = (get_order(api, cast.buyer, order), task_rows(query_db, order), len(history(api, cast.buyer, order)))
    response = act(who, order, action, data, [evidence] if evidence else [])
    assert response.status_code == 409, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "order_frozen"
    after = (get_order(api, cast.buyer, order), task_rows(query_db, order), len(history(api, cast.buyer, order)))
    assert after == before


def test_completing_a_task_of_a_frozen_order_through_the_task_api_is_refused(api, cast, at_confirm):
    opened(api, cast.seller, at_confirm)
    task_id = at_confirm["nodes"][0]["task_id"]
    response = api.post(f"/api/v1/tasks/{task_id}/complete", cast.buyer.token,
                        json={"action": "accept", "data": {}, "attachments": []})
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "order_frozen"
    assert get_order(api, cast.buyer, at_confirm)["status"] == "processing"


def test_the_task_inbox_hides_the_tasks_of_a_frozen_order(api, cast, place_order):
    order = place_order()
    listed = api.get("/api/v1/tasks", cast.buyer.token).json()
    assert order["id"] in {t["order_id"] for t in listed}
    opened(api, cast.buyer, order)
    listed = api.get("/api/v1/tasks", cast.buyer.token).json()
    assert order["id"] not in {t["order_id"] for t in listed}


def test_the_frozen_filter_of_the_order_list_finds_an_appealed_order(api, cast, place_order):
    appealed, untouched = place_order(), place_order()
    opened(api, cast.buyer, appealed)
    frozen = {o["id"] for o in api.get("/api/v1/orders", cast.buyer.token, params={"frozen": "true"}).json()}
    thawed = {o["id"] for o in api.get("/api/v1/orders", cast.buyer.token, params={"frozen": "false"}).json()}
    assert appealed["id"] in frozen and untouched["id"] not in frozen
    assert untouched["id"] in thawed and appealed["id"] not in thawed


@pytest.mark.parametrize("second", ["buyer", "seller"])
def test_a_second_appeal_while_one_is_open_is_a_conflict(api, cast, place_order, second):
    order = place_order()
    first = opened(api, cast.buyer, order)
    response = open_appeal(api, getattr(cast, second), order)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"
    assert get_order(api, cast.buyer, order)["open_appeal"] == first["id"]


@pytest.mark.parametrize("outsider", ["other_buyer", "other_seller"])
def test_a_buyer_or_seller_of_another_order_gets_404_when_appealing(api, cast, place_order, outsider):
    order = place_order()
    response = open_appeal(api, getattr(cast, outsider), order)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert get_order(api, cast.buyer, order)["frozen"] is False


@pytest.mark.parametrize("role", ["ops", "analyst", "admin", "platform"])
def test_roles_other_than_buyer_and_seller_may_not_appeal(api, cast, place_order, role):
    order = place_order()
    response = open_appeal(api, getattr(cast, role), order)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"
    assert get_order(api, cast.buyer, order)["frozen"] is False


def test_a_reviewer_may_not_appeal(api, place_order, reviewer):
    response = open_appeal(api, reviewer, place_order())
    assert response.status_code == 403, response.text


def test_appealing_without_a_token_is_unauthenticated(api, place_order):
    order = place_order()
    response = api.post(f"/api/v1/orders/{order['id']}/appeals", json={"reason": "r", "demand": "d"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_appeal_on_a_completed_order_is_a_conflict(api, cast, act, at_confirm):
    done = act(cast.buyer, at_confirm, "accept")
    assert done.json()["status"] == "completed"
    response = open_appeal(api, cast.buyer, at_confirm)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"


def test_an_appeal_on_an_unsupervised_order_is_a_conflict(api, cast, place_order):
    order = place_order(delivery_type="image", manual_kind=None)
    assert order["status"] == "completed"
    response = open_appeal(api, cast.buyer, order)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"


@pytest.mark.parametrize("field", ["reason", "demand"])
def test_an_appeal_missing_a_required_field_is_a_validation_error(api, cast, place_order, field):
    order = place_order()
    payload = {"reason": "r", "demand": "d"}
    del payload[field]
    response = api.post(f"/api/v1/orders/{order['id']}/appeals", cast.buyer.token, json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed"
    assert field in response.json()["errors"]
    assert get_order(api, cast.buyer, order)["frozen"] is False


@pytest.mark.parametrize("field", ["reason", "demand"])
def test_an_appeal_with_an_empty_required_field_is_a_validation_error(api, cast, place_order, field):
    response = open_appeal(api, cast.buyer, place_order(), **{field: ""})
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


# -- the 3-working-day deadline ------------------------------------------------------------------
def test_the_deadline_skips_the_national_day_holiday_and_counts_the_adjusted_working_saturday(api, cast,
                                                                                             place_order):
    order = place_order(order_body(cast.buyer.name, cast.seller.name) | {"paid_at": "2025-09-29T08:00:00+00:00"})
    set_clock(api, "2025-09-30T02:00:00+00:00")  # Tuesday 10:00 in Beijing, the eve of National Day
    appeal = opened(api, cast.buyer, order)
    assert appeal["opened_at"] == "2025-09-30T02:00:00+00:00"
    assert appeal["due_at"] == "2025-10-11T02:00:00+00:00"  # Oct 9, 10, then Saturday Oct 11 (a working day)


def test_the_deadline_in_an_ordinary_week_is_three_days_later(api, cast, place_order):
    order = place_order()
    set_clock(api, "2026-11-17T02:00:00+00:00")  # Tuesday
    assert opened(api, cast.buyer, order)["due_at"] == "2026-11-20T02:00:00+00:00"  # Friday


def test_the_deadline_skips_an_ordinary_weekend(api, cast, place_order):
    order = place_order()
    set_clock(api, "2026-11-13T02:00:00+00:00")  # Friday
    assert opened(api, cast.buyer, order)["due_at"] == "2026-11-18T02:00:00+00:00"  # Wednesday


# -- the operations inbox ------------------------------------------------------------------------
def test_the_ops_inbox_lists_an_open_appeal_with_the_contract_fields(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    listed = {a["id"]: a for a in inbox(api, cast.ops, status="open")}
    item = listed[appeal["id"]]
    assert ref(item["order"]) == order["id"]
    assert ref(item["appellant"]) == cast.buyer.name
    for field in ("reason", "demand", "opened_at", "due_at", "claimed_by", "status", "resolution"):
        assert item[field] == appeal[field], field


def test_the_ops_inbox_status_filter_separates_open_from_resolved_appeals(api, cast, place_order):
    still_open = opened(api, cast.buyer, place_order())
    closed = opened(api, cast.buyer, place_order())
    assert resolve(api, cast.ops, closed, "resume").status_code == 200
    open_ids, resolved_ids = inbox_ids(api, cast.ops, status="open"), inbox_ids(api, cast.ops, status="resolved")
    assert still_open["id"] in open_ids and still_open["id"] not in resolved_ids
    assert closed["id"] in resolved_ids and closed["id"] not in open_ids


def test_the_ops_inbox_overdue_filter_finds_appeals_past_their_deadline(api, cast, place_order):
    set_clock(api, "2026-11-16T02:00:00+00:00")
    late = opened(api, cast.buyer, place_order())
    advance_clock(api, "P10D")
    fresh = opened(api, cast.seller, place_order())
    overdue, in_time = inbox_ids(api, cast.ops, overdue="true"), inbox_ids(api, cast.ops, overdue="false")
    assert late["id"] in overdue and late["id"] not in in_time
    assert fresh["id"] in in_time and fresh["id"] not in overdue


def test_the_ops_inbox_claimed_by_filter_lists_only_that_managers_appeals(api, cast, place_order):
    mine = opened(api, cast.buyer, place_order())
    opened(api, cast.buyer, place_order())
    assert claim(api, cast.ops, mine).status_code == 200
    listed = inbox(api, cast.ops, claimed_by=cast.ops.name)
    assert [a["id"] for a in listed] == [mine["id"]]
    assert listed[0]["claimed_by"] == cast.ops.name


def test_the_ops_inbox_is_paginated_with_an_x_pagination_header(api, cast, place_order):
    opened(api, cast.buyer, place_order())
    opened(api, cast.buyer, place_order())
    response = api.get(APPEALS, cast.ops.token, params={"page": 1, "page_size": 1})
    assert response.status_code == 200, response.text
    assert len(response.json()) == 1
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] >= 2
    assert meta["page"] == 1


@pytest.mark.parametrize("role", ["buyer", "seller", "analyst", "platform"])
def test_the_ops_inbox_is_closed_to_other_roles(api, cast, role):
    response = api.get(APPEALS, getattr(cast, role).token)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"


# -- claiming ------------------------------------------------------------------------------------
def test_an_ops_manager_claims_an_open_appeal(api, cast, place_order):
    appeal = opened(api, cast.buyer, place_order())
    response = claim(api, cast.ops, appeal)
    assert response.status_code == 200, response.text
    assert response.json()["claimed_by"] == cast.ops.name
    assert response.json()["status"] == "open"


def test_claiming_an_appeal_claimed_by_someone_else_is_a_conflict(api, cast, place_order, ops2):
    appeal = opened(api, cast.buyer, place_order())
    claim(api, cast.ops, appeal)
    response = claim(api, ops2, appeal)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"
    assert inbox(api, cast.ops, claimed_by=cast.ops.name)[0]["id"] == appeal["id"]


def test_claiming_the_same_appeal_twice_by_the_same_manager_is_fine(api, cast, place_order):
    appeal = opened(api, cast.buyer, place_order())
    assert claim(api, cast.ops, appeal).status_code == 200
    again = claim(api, cast.ops, appeal)
    assert again.status_code == 200, again.text
    assert again.json()["claimed_by"] == cast.ops.name


@pytest.mark.parametrize("role", ["buyer", "seller", "analyst"])
def test_only_ops_may_claim_an_appeal(api, cast, place_order, role):
    appeal = opened(api, cast.buyer, place_order())
    response = claim(api, getattr(cast, role), appeal)
    assert response.status_code == 403, response.text
    assert inbox(api, cast.ops, claimed_by=getattr(cast, role).name) == []


def test_claiming_an_unknown_appeal_is_not_found(api, cast):
    response = api.post(f"{APPEALS}/does-not-exist/claim", cast.ops.token)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


# -- resolving -----------------------------------------------------------------------------------
def test_the_claimer_resolves_with_resume_and_the_order_continues_where_it_froze(api, cast, at_confirm):
    appeal = opened(api, cast.buyer, at_confirm)
    claim(api, cast.ops, appeal)
    response = resolve(api, cast.ops, appeal, "resume", note="Talked to both")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    assert response.json()["resolution"]["outcome"] == "resume"
    order = get_order(api, cast.buyer, at_confirm)
    assert (order["frozen"], order["open_appeal"]) == (False, None)
    assert [n["id"] for n in order["nodes"]] == ["confirm_acceptance"]
    assert {a["action"] for a in order["available_actions"]} == {"accept", "reject"}


def test_actions_work_again_after_a_resume(api, cast, act, at_confirm):
    appeal = opened(api, cast.buyer, at_confirm)
    resolve(api, cast.ops, appeal, "resume")
    done = act(cast.buyer, at_confirm, "accept")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"


def test_the_task_inbox_shows_the_order_again_after_a_resume(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    resolve(api, cast.ops, appeal, "resume")
    listed = api.get("/api/v1/tasks", cast.buyer.token).json()
    assert order["id"] in {t["order_id"] for t in listed}


@pytest.mark.parametrize("outcome", ["resume", "force_accept", "return_to_seller"])
def test_a_resolved_appeal_moves_the_order_back_out_of_the_frozen_listing(api, cast, at_confirm, outcome):
    appeal = opened(api, cast.buyer, at_confirm)

    def listed(frozen: str) -> set:
        return {o["id"] for o in api.get("/api/v1/orders", cast.ops.token, params={"frozen": frozen}).json()}

    assert at_confirm["id"] in listed("true") and at_confirm["id"] not in listed("false")
    assert resolve(api, cast.ops, appeal, outcome).status_code == 200
    assert at_confirm["id"] in listed("false") and at_confirm["id"] not in listed("true")


def test_an_unclaimed_appeal_can_be_resolved_by_any_ops_manager(api, cast, place_order, ops2):
    appeal = opened(api, cast.buyer, place_order())
    response = resolve(api, ops2, appeal, "resume")
    assert response.status_code == 200, response.text
    assert response.json()["resolution"]["outcome"] == "resume"


def test_another_ops_manager_cannot_resolve_a_claimed_appeal(api, cast, place_order, ops2):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    claim(api, cast.ops, appeal)
    response = resolve(api, ops2, appeal, "resume")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"
    assert get_order(api, cast.buyer, order)["frozen"] is True
    assert appeal["id"] in inbox_ids(api, cast.ops, status="open")


@pytest.mark.parametrize("role", ["buyer", "seller", "analyst"])
def test_only_ops_may_resolve_an_appeal(api, cast, place_order, role):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    response = resolve(api, getattr(cast, role), appeal, "resume")
    assert response.status_code == 403, response.text
    assert get_order(api, cast.buyer, order)["frozen"] is True


def test_return_to_seller_from_acceptance_sends_the_order_back_to_delivery(api, cast, act, upload, at_confirm):
    appeal = opened(api, cast.buyer, at_confirm)
    response = resolve(api, cast.ops, appeal, "return_to_seller")
    assert response.status_code == 200, response.text
    order = get_order(api, cast.seller, at_confirm)
    assert [n["id"] for n in order["nodes"]] == ["deliver"]
    assert "deliver" in {a["action"] for a in order["available_actions"]}
    again = act(cast.seller, order, "deliver", {"note": "redone"}, [upload(cast.seller)])
    assert again.status_code == 200, again.text
    assert [n["id"] for n in again.json()["nodes"]] == ["confirm_acceptance"]


def test_return_to_seller_before_the_seller_had_the_order_is_a_conflict(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    response = resolve(api, cast.ops, appeal, "return_to_seller")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"
    seen = get_order(api, cast.buyer, order)
    assert (seen["frozen"], seen["open_appeal"]) == (True, appeal["id"])
    assert [n["id"] for n in seen["nodes"]] == ["submit_requirement"]


def test_return_to_seller_while_the_seller_holds_the_order_leaves_it_at_delivery(api, cast, place_order, walk):
    order = walk(place_order(), "deliver")
    appeal = opened(api, cast.buyer, order)
    assert resolve(api, cast.ops, appeal, "return_to_seller").status_code == 200
    assert [n["id"] for n in get_order(api, cast.seller, order)["nodes"]] == ["deliver"]


def test_force_accept_completes_the_order_as_accepted(api, cast, place_order, walk):
    order = walk(place_order(), "deliver")
    set_clock(api, "2026-11-20T09:30:00+00:00")
    appeal = opened(api, cast.buyer, order)
    advance_clock(api, "PT1H")
    response = resolve(api, cast.ops, appeal, "force_accept")
    assert response.status_code == 200, response.text
    done = get_order(api, cast.buyer, order)
    assert done["status"] == "completed"
    assert done["accepted_at"] == "2026-11-20T10:30:00+00:00"
    assert done["completed_at"] == "2026-11-20T10:30:00+00:00"
    assert [n["id"] for n in done["nodes"]] == ["service_completed"]
    assert (done["frozen"], done["available_actions"]) == (False, [])


def test_close_with_refund_marks_the_order_refunded_with_the_amount(api, cast, at_confirm):
    appeal = opened(api, cast.buyer, at_confirm)
    response = resolve(api, cast.ops, appeal, "close_with_refund", refund_amount="250.00")
    assert response.status_code == 200, response.text
    assert response.json()["resolution"]["refund_amount"] == "250.00"
    order = get_order(api, cast.buyer, at_confirm)
    assert (order["status"], order["refund_amount"]) == ("refunded", "250.00")
    assert (order["frozen"], order["available_actions"]) == (False, [])


def test_close_with_refund_accepts_the_whole_amount_paid(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    response = resolve(api, cast.ops, appeal, "close_with_refund", refund_amount="1000.00")
    assert response.status_code == 200, response.text
    assert get_order(api, cast.buyer, order)["refund_amount"] == "1000.00"


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "1000.01", None, "missing"])
def test_a_refund_outside_zero_to_the_amount_paid_is_rejected_and_changes_nothing(api, cast, at_confirm,
                                                                                  query_db, amount):
    appeal = opened(api, cast.buyer, at_confirm)
    before = (get_order(api, cast.buyer, at_confirm), task_rows(query_db, at_confirm))
    body = {} if amount == "missing" else {"refund_amount": amount}
    response = resolve(api, cast.ops, appeal, "close_with_refund", **body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_failed"
    assert "refund_amount" in response.json()["errors"]
    assert (get_order(api, cast.buyer, at_confirm), task_rows(query_db, at_confirm)) == before
    assert appeal["id"] in inbox_ids(api, cast.ops, status="open")


@pytest.mark.parametrize("outcome", ["resume", "return_to_seller", "force_accept"])
def test_a_refund_amount_with_another_outcome_is_rejected_and_changes_nothing(api, cast, at_confirm, outcome):
    appeal = opened(api, cast.buyer, at_confirm)
    before = get_order(api, cast.buyer, at_confirm)
    response = resolve(api, cast.ops, appeal, outcome, refund_amount="100.00")
    assert response.status_code == 422, response.text
    assert "refund_amount" in response.json()["errors"]
    assert get_order(api, cast.buyer, at_confirm) == before
    assert appeal["id"] in inbox_ids(api, cast.ops, status="open")


def test_an_unknown_outcome_is_a_validation_error(api, cast, place_order):
    appeal = opened(api, cast.buyer, place_order())
    response = resolve(api, cast.ops, appeal, "shrug")
    assert response.status_code == 422, response.text
    assert "outcome" in response.json()["errors"]


def test_resolving_an_appeal_twice_is_a_conflict(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    assert resolve(api, cast.ops, appeal, "resume").status_code == 200
    response = resolve(api, cast.ops, appeal, "force_accept")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "conflict"
    assert get_order(api, cast.buyer, order)["status"] == "processing"


def test_claiming_a_resolved_appeal_is_a_conflict(api, cast, place_order):
    appeal = opened(api, cast.buyer, place_order())
    resolve(api, cast.ops, appeal, "resume")
    response = claim(api, cast.ops, appeal)
    assert response.status_code == 409, response.text


def test_a_new_appeal_may_be_opened_after_the_previous_one_was_resolved(api, cast, place_order):
    order = place_order()
    resolve(api, cast.ops, opened(api, cast.buyer, order), "resume")
    second = open_appeal(api, cast.seller, order)
    assert second.status_code == 201, second.text
    assert get_order(api, cast.buyer, order)["open_appeal"] == second.json()["id"]


def test_resolving_notifies_both_the_buyer_and_the_seller(api, cast, place_order, query_db):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    assert notifications(query_db, order) == []
    resolve(api, cast.ops, appeal, "resume", note="Carry on")
    recipients = sorted(recipient for recipient, _ in notifications(query_db, order))
    assert recipients == sorted([cast.buyer.name, cast.seller.name])


def test_a_rejected_resolution_notifies_nobody(api, cast, place_order, query_db):
    order = place_order()
    appeal = opened(api, cast.buyer, order)
    resolve(api, cast.ops, appeal, "close_with_refund", refund_amount="0")
    assert notifications(query_db, order) == []


def test_the_history_records_the_appeal_being_opened_and_resolved(api, cast, place_order):
    order = place_order()
    appeal = opened(api, cast.seller, order, reason="Buyer silent", demand="Accept the work")
    resolve(api, cast.ops, appeal, "resume", note="Buyer reminded")
    events = history(api, cast.buyer, order)
    opened_event = next(e for e in events if e["type"] == "appeal_opened")
    resolved_event = next(e for e in events if e["type"] == "appeal_resolved")
    assert opened_event["actor"] == {"name": cast.seller.name, "role": "seller"}
    assert resolved_event["actor"] == {"name": cast.ops.name, "role": "ops"}
    assert opened_event["seq"] < resolved_event["seq"]
    assert resolved_event["data"]["outcome"] == "resume"


# -- races ---------------------------------------------------------------------------------------
ROUNDS = 8


def race(base: str, calls: list) -> list:
    """Run each (token, path, json) at the same moment from its own connection; the responses in order."""
    import threading

    import requests

    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def run(i, token, path, body):
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            try:
                http.get(f"{base}/healthz", timeout=30)  # connect before the start line
                barrier.wait(timeout=30)
                results[i] = http.post(f"{base}{path}", json=body, timeout=60)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                barrier.abort()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.live
def test_two_managers_racing_to_claim_one_appeal_leave_exactly_one_claimer(api, cast, place_order, ops2):
    for _ in range(ROUNDS):
        appeal = opened(api, cast.buyer, place_order())
        path = f"{APPEALS}/{appeal['id']}/claim"
        responses = race(api.base, [(cast.ops.token, path, None), (ops2.token, path, None)])
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        winner = next(r.json()["claimed_by"] for r in responses if r.status_code == 200)
        listed = {a["id"]: a for a in inbox(api, cast.ops, claimed_by=winner)}
        assert appeal["id"] in listed


@pytest.mark.live
def test_two_resolutions_racing_on_one_appeal_leave_exactly_one_resolution(api, cast, place_order, walk, ops2):
    for _ in range(ROUNDS):
        order = walk(place_order(), "confirm_acceptance")
        appeal = opened(api, cast.buyer, order)
        path = f"{APPEALS}/{appeal['id']}/resolve"
        responses = race(api.base, [(cast.ops.token, path, {"outcome": "force_accept", "note": ""}),
                                    (ops2.token, path, {"outcome": "close_with_refund", "note": "",
                                                        "refund_amount": "100.00"})])
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        resolved = [e for e in history(api, cast.buyer, order) if e["type"] == "appeal_resolved"]
        assert len(resolved) == 1


@pytest.mark.live
def test_an_appeal_racing_with_the_acceptance_never_freezes_a_completed_order(api, cast, place_order, walk):
    for _ in range(ROUNDS):
        order = walk(place_order(), "confirm_acceptance")
        responses = race(api.base, [
            (cast.buyer.token, f"/api/v1/orders/{order['id']}/actions/accept", {"data": {}, "attachments": []}),
            (cast.seller.token, f"/api/v1/orders/{order['id']}/appeals", {"reason": "r", "demand": "d"}),
        ])
        accepted, appealed = (r.status_code for r in responses)
        assert (accepted, appealed) in {(200, 409), (409, 201)}, [r.text for r in responses]
        seen = get_order(api, cast.buyer, order)
        assert seen["frozen"] is (appealed == 201)
        assert seen["status"] == ("completed" if accepted == 200 else "processing")
