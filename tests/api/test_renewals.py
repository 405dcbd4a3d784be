"""Renewals (续费) over the HTTP API (buyer guide §4.3.1.1, §4.3.2.1; docs/domain.md §4.4): a renewal never
starts a supervision flow or a task, starts where validity ends (also in the grace or retention period:
at the original expiry), is queued while validity is unknown, and is `effective` once started. Time moves
only through the testing clock; the scheduler's jobs run through POST /testing/tick."""
import pytest
from sqlalchemy import select

from tests.conftest import LIFECYCLE_NOW as NOW
from tests.helpers import get_order, history, ok

ORDERS, TICK = "/api/v1/orders", "/api/v1/testing/tick"


def renewal_body(number=None, period="P1M", amount="1000.00", paid_at="2026-03-02T08:00:00+00:00"):
    import uuid
    return {"renewal_no": number or f"RN{uuid.uuid4().hex[:16]}", "period": period, "amount_paid": amount,
            "paid_at": paid_at}


def renew(api, who, order, body=None):
    return api.post(f"{ORDERS}/{order['id']}/renewals", who.token, json=body or renewal_body())


def tick(api) -> dict:
    return ok(api.post(TICK))


def outbox(query_db, order, type_=None) -> list[dict]:
    """The order's outbox events (type, payload), oldest first."""
    from app.models import OutboxEvent

    def read(session):
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.order_id == order["id"])
                               .order_by(OutboxEvent.id)).all()
        return [{"type": r.type, **r.payload} for r in rows if type_ is None or r.type == type_]
    return query_db(read)


# -- a renewal of a running order ---------------------------------------------------------------------
def test_a_renewal_starts_where_validity_ends_and_extends_it(api, cast, saas):
    """§4.3.1.1: a renewal adds a period after the current one; the order shows it and the longer validity."""
    order = saas()
    assert order["validity"] == {"start": NOW, "end": "2026-04-02T09:00:00+00:00"}
    renewal = ok(renew(api, cast.platform, order, renewal_body(period="P1M")), 201)
    assert (renewal["start"], renewal["end"]) == ("2026-04-02T09:00:00+00:00", "2026-05-02T09:00:00+00:00")
    assert renewal["effective"] is False and renewal["kind"] == "renewal" and renewal["amount_paid"] == "1000.00"
    second = ok(renew(api, cast.platform, order, renewal_body(period="P1Y")), 201)
    assert second["start"] == "2026-05-02T09:00:00+00:00" and second["end"] == "2027-05-02T09:00:00+00:00"
    seen = get_order(api, cast.buyer, order)
    assert seen["validity"]["end"] == "2027-05-02T09:00:00+00:00" and seen["status"] == "completed"
    assert [r["id"] for r in seen["renewals"]] == [renewal["id"], second["id"]]


def test_a_renewal_is_effective_once_its_start_has_passed(api, cast, saas, clock):
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    clock(set="2026-04-02T08:59:59+00:00")
    assert get_order(api, cast.buyer, order)["renewals"][0]["effective"] is False
    clock(set="2026-04-02T09:00:00+00:00")
    assert get_order(api, cast.buyer, order)["renewals"][0] == {**renewal, "effective": True}


def test_a_renewal_is_logged_in_the_hash_chained_history_and_announced(api, cast, saas, query_db):
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    [event] = [e for e in history(api, cast.buyer, order) if e["type"] == "order_renewed"]
    assert event["data"]["renewal_id"] == renewal["id"] and event["actor"]["role"] == "platform" and event["hash"]
    [announced] = outbox(query_db, order, "order.renewed")
    assert announced["renewal_id"] == renewal["id"] and announced["expire_time"] == "2026-05-02T09:00:00+00:00"


def test_a_supervised_renewal_starts_no_process_and_no_task(api, cast, place_order, walk, act, clock, snapshot,
                                                           query_db):
    """§4.3.2.1: manual-service and License renewals do not create a new supervision flow."""
    from app.models import ProcessInstance
    clock(set=NOW)
    order = walk(place_order(), "confirm_acceptance")
    ok(act(cast.buyer, order, "accept"))
    before = snapshot(order)
    ok(renew(api, cast.platform, order), 201)
    after = snapshot(order)
    assert {k: v for k, v in after.items() if k not in ("validity", "events", "last_hash")} == \
        {k: v for k, v in before.items() if k not in ("validity", "events", "last_hash")}
    instances = query_db(lambda s: s.scalars(select(ProcessInstance.kind)
                                             .where(ProcessInstance.order_id == order["id"])).all())
    assert instances == ["supervision"]


# -- queued while validity is unknown -------------------------------------------------------------------
def test_a_renewal_before_supervision_completes_is_queued_and_dated_when_validity_starts(
        api, cast, place_order, walk, act, clock, query_db):
    """§4.2/§4.4: validity starts at acceptance; a renewal paid before then waits and follows the first period."""
    clock(set=NOW)
    order = walk(place_order(), "confirm_acceptance")
    renewal = ok(renew(api, cast.platform, order), 201)
    assert (renewal["start"], renewal["end"], renewal["effective"]) == (None, None, False)
    assert get_order(api, cast.buyer, order)["validity"] == {"start": None, "end": None}
    assert outbox(query_db, order, "order.renewed") == []  # no expiry time to announce yet
    clock(set="2026-03-10T09:00:00+00:00")
    ok(act(cast.buyer, order, "accept"))
    seen = get_order(api, cast.buyer, order)
    assert seen["validity"] == {"start": "2026-03-10T09:00:00+00:00", "end": "2026-05-10T09:00:00+00:00"}
    assert (seen["renewals"][0]["start"], seen["renewals"][0]["end"]) == ("2026-04-10T09:00:00+00:00",
                                                                          "2026-05-10T09:00:00+00:00")
    tick(api)  # the scheduler dates the queued renewal: history and the merchant's announcement
    assert "renewal_dated" in [e["type"] for e in history(api, cast.buyer, order)]
    [announced] = outbox(query_db, order, "order.renewed")
    assert announced["renewal_id"] == renewal["id"] and announced["expire_time"] == "2026-05-10T09:00:00+00:00"


# -- idempotency, roles, bad input ----------------------------------------------------------------------
def test_the_same_renewal_again_is_the_same_renewal(api, cast, saas, problem):
    order = saas()
    body = renewal_body()
    first = ok(renew(api, cast.platform, order, body), 201)
    assert ok(renew(api, cast.platform, order, body), 200) == first
    problem(renew(api, cast.platform, order, {**body, "amount_paid": "999.00"}), 409, "conflict")
    problem(renew(api, cast.platform, saas(), body), 409, "conflict")  # the number belongs to another order
    assert len(get_order(api, cast.buyer, order)["renewals"]) == 1


@pytest.mark.parametrize("who", ["buyer", "seller", "ops", "admin"])
def test_only_the_platform_renews(api, cast, saas, problem, snapshot, who):
    order = saas()
    before = snapshot(order)
    problem(renew(api, getattr(cast, who), order), 403, "forbidden")
    assert snapshot(order) == before


def test_another_platform_principal_cannot_renew_the_order(api, cast, saas, make_principal, problem):
    order = saas()
    problem(renew(api, make_principal("platform"), order), 404, "not_found")
    problem(api.post(f"{ORDERS}/{order['id']}/renewals", None, json=renewal_body()), 401, "unauthenticated")


@pytest.mark.parametrize("mode", ["one_off", "on_demand"])
def test_only_periodic_orders_are_renewed(api, cast, saas, problem, mode):
    order = saas(billing={"mode": mode})
    problem(renew(api, cast.platform, order), 422, "validation_failed")
    assert get_order(api, cast.buyer, order)["renewals"] == []


@pytest.mark.parametrize(("field", "value"), [("period", "P0D"), ("period", "1 month"), ("period", "P11Y"),
                                              ("amount_paid", "-1.00"), ("amount_paid", 10),
                                              ("paid_at", "2026-03-02T08:00:00"), ("renewal_no", "a b"),
                                              ("paid_at", "2026-03-03T08:00:00+00:00")])
def test_bad_renewals_are_422_and_change_nothing(api, cast, saas, problem, snapshot, field, value):
    order = saas()
    before = snapshot(order)
    body = problem(renew(api, cast.platform, order, {**renewal_body(), field: value}), 422, "validation_failed")
    assert field in body["errors"]
    assert snapshot(order) == before and get_order(api, cast.buyer, order)["renewals"] == []


def test_a_renewal_body_missing_a_field_or_with_an_unknown_one_is_422(api, cast, saas, problem):
    order = saas()
    body = renewal_body()
    del body["period"]
    problem(renew(api, cast.platform, order, body), 422, "validation_failed")
    problem(renew(api, cast.platform, order, {**renewal_body(), "seller": "x"}), 422, "validation_failed")
    problem(api.post(f"{ORDERS}/nope/renewals", cast.platform.token, json=renewal_body()), 404, "not_found")


def test_a_refunded_order_is_not_renewed(api, cast, saas, problem):
    order = saas()
    ok(api.post(f"{ORDERS}/{order['id']}/refunds", cast.buyer.token,
                json={"amount": "1000.00", "reason": "no longer needed"}), 201)  # five-day refund
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "refunded"
    problem(renew(api, cast.platform, order), 409, "conflict")


def test_the_evidence_summary_lists_the_renewals(api, cast, saas):
    import io
    import zipfile
    order = saas()
    renewal = ok(renew(api, cast.platform, order), 201)
    response = api.get(f"{ORDERS}/{order['id']}/evidence", cast.buyer.token)
    assert response.status_code == 200, response.text
    page = zipfile.ZipFile(io.BytesIO(response.content)).read("summary.html").decode()
    assert "续费" in page and renewal["renewal_no"] in page
