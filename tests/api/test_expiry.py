"""Expiry (buyer guide §4.3.1.1; docs/domain.md §4.4, glossary "grace period / retention period"): when
validity ends without renewal the order is `expired`; after the grace and the retention periods (config
GRACE_PERIOD, RETENTION_PERIOD: P15D each) it is `released`; a renewal in the grace or retention period
starts at the original expiry and brings the order back to `completed`. Each transition is a history
event and an outbox event. The testing clock moves time; POST /testing/tick runs the scheduler's jobs."""
from tests.api.test_renewals import outbox, renew, renewal_body, tick
from tests.helpers import get_order, history, ok

END = "2026-04-02T09:00:00+00:00"  # validity end of the `saas` fixture's order


def types(api, who, order) -> list[str]:
    return [e["type"] for e in history(api, who, order)]


def test_an_order_whose_validity_ended_is_expired(api, cast, saas, clock, query_db):
    order = saas()
    clock(set="2026-04-02T08:59:59+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "completed"
    clock(set=END)
    assert tick(api)["fired"] == 1
    seen = get_order(api, cast.buyer, order)
    assert seen["status"] == "expired" and seen["expired_at"] == END
    assert seen["nodes"][0]["id"] == "service_completed"
    assert "order_expired" in types(api, cast.buyer, order)
    [event] = outbox(query_db, order, "order.expired")
    assert event["expire_time"] == END
    assert tick(api)["fired"] == 0  # once
    assert len(outbox(query_db, order, "order.expired")) == 1


def test_after_grace_and_retention_the_order_is_released(api, cast, saas, clock, query_db):
    """Grace (P15D) then retention (P15D) after the end: released 30 days after the end."""
    order = saas()
    clock(set=END)
    tick(api)
    clock(set="2026-05-02T08:59:59+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "expired"
    clock(set="2026-05-02T09:00:00+00:00")
    assert tick(api)["fired"] == 1
    seen = get_order(api, cast.buyer, order)
    assert seen["status"] == "released" and seen["released_at"] == "2026-05-02T09:00:00+00:00"
    assert types(api, cast.buyer, order)[-2:] == ["order_expired", "order_released"]
    assert [e["type"] for e in outbox(query_db, order) if e["type"].startswith("order.")][-2:] == \
        ["order.expired", "order.released"]


def test_a_jump_past_retention_expires_then_releases_in_one_tick(api, cast, saas, clock):
    order = saas()
    clock(set="2026-06-01T00:00:00+00:00")
    assert tick(api)["fired"] == 2
    assert get_order(api, cast.buyer, order)["status"] == "released"


def test_a_renewal_in_the_grace_period_starts_at_the_original_expiry_and_reactivates(api, cast, saas, clock,
                                                                                     query_db):
    """§4.3.1.1: renewed in the grace or retention period, the new period starts at the original expiry
    (grace and retention not included); the expired order is completed again."""
    order = saas()
    clock(set="2026-04-10T09:00:00+00:00")
    tick(api)
    renewal = ok(renew(api, cast.platform, order, renewal_body(period="P1M", paid_at="2026-04-10T08:00:00+00:00")),
                 201)
    assert (renewal["start"], renewal["end"], renewal["effective"]) == (END, "2026-05-02T09:00:00+00:00", True)
    seen = get_order(api, cast.buyer, order)
    assert seen["status"] == "completed" and seen["expired_at"] is None
    assert seen["validity"]["end"] == "2026-05-02T09:00:00+00:00"
    assert types(api, cast.buyer, order)[-2:] == ["order_renewed", "order_reactivated"]
    [event] = outbox(query_db, order, "order.reactivated")
    assert event["renewal_id"] == renewal["id"] and event["expire_time"] == "2026-05-02T09:00:00+00:00"
    assert outbox(query_db, order, "order.renewed")[0]["expire_time"] == "2026-05-02T09:00:00+00:00"


def test_a_renewal_in_the_retention_period_that_still_ends_in_the_past_leaves_the_order_expired(api, cast, saas,
                                                                                                 clock):
    order = saas()
    clock(set="2026-04-28T09:00:00+00:00")  # 26 days after the end: retention
    tick(api)
    renewal = ok(renew(api, cast.platform, order, renewal_body(period="P7D", paid_at="2026-04-28T08:00:00+00:00")),
                 201)
    assert renewal["start"] == END and renewal["end"] == "2026-04-09T09:00:00+00:00"
    assert get_order(api, cast.buyer, order)["status"] == "expired"
    assert "order_reactivated" not in types(api, cast.buyer, order)


def test_a_released_order_is_not_renewed(api, cast, saas, clock, problem):
    order = saas()
    clock(set="2026-06-01T00:00:00+00:00")
    tick(api)
    problem(renew(api, cast.platform, order, renewal_body(paid_at="2026-05-31T08:00:00+00:00")), 409, "conflict")
    assert get_order(api, cast.buyer, order)["renewals"] == []


def test_a_renewed_order_expires_at_the_end_of_its_last_renewal(api, cast, saas, clock):
    order = saas()
    ok(renew(api, cast.platform, order), 201)
    clock(set="2026-04-20T00:00:00+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "completed"
    clock(set="2026-05-02T09:00:00+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "expired"


def test_an_unfinished_supervision_never_expires(api, cast, place_order, clock):
    clock(set="2026-03-02T09:00:00+00:00")
    order = place_order()
    clock(set="2027-03-02T09:00:00+00:00")
    tick(api)
    assert get_order(api, cast.buyer, order)["status"] == "processing"


def test_expired_and_released_orders_are_listed_by_status(api, cast, saas, clock):
    order = saas()
    clock(set=END)
    tick(api)
    listed = ok(api.get("/api/v1/orders", cast.buyer.token, params={"status": "expired", "page_size": 100}))
    assert order["id"] in [o["id"] for o in listed]
