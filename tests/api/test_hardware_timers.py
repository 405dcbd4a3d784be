"""Hardware auto-acceptance over real HTTP: a parcel signed by the order's own recipient arms a 10-day timer.

Time only moves through the testing clock (POST /testing/clock) and timers only fire through
POST /testing/tick; nothing sleeps. Only hardware orders have timers, and every test starts by
draining whatever an earlier (failed) test may have left armed, so a tick's count is this test's own.
"""
from datetime import datetime, timedelta

import pytest

from tests.conftest import order_body
from tests.helpers import get_order, history

CLOCK, TICK = "/api/v1/testing/clock", "/api/v1/testing/tick"
T = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # the parcel is signed at T in most tests
PAID_AT = "2026-03-01T08:00:00+00:00"
PHONE = "+8613800000000"
SAME_DIGITS = "+86 138 0000 0000"
TEN_DAYS = timedelta(days=10)
SYSTEM = {"name": "system", "role": "system"}


# -- helpers -------------------------------------------------------------------------------------
def at(moment: datetime) -> str:
    return moment.isoformat()


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def set_clock(api, moment: datetime) -> None:
    response = api.post(CLOCK, json={"set": at(moment)})
    assert response.status_code == 200, response.text
    assert when(response.json()["now"]) == moment


def tick(api) -> int:
    response = api.post(TICK)
    assert response.status_code == 200, response.text
    return response.json()["fired"]


def tick_at(api, moment: datetime) -> int:
    set_clock(api, moment)
    return tick(api)


def events_of(api, who, order, type_: str) -> list:
    return [e for e in history(api, who, order) if e["type"] == type_]


def post_logistics(api, who, order, status="signed", moment: datetime = T, **phone):
    body = {"status": status, "at": at(moment), **phone}
    return api.post(f"/api/v1/orders/{order['id']}/logistics", who.token, json=body)


def signed(api, cast, order, moment: datetime = T, status="signed", **phone) -> dict:
    """The platform posts a logistics update (default: signed at `moment` by the recipient's own phone)."""
    phone = phone or {"recipient_phone": SAME_DIGITS}
    response = post_logistics(api, cast.platform, order, status, moment, **phone)
    assert response.status_code == 200, response.text
    return response.json()


def appeal(api, who, order):
    return api.post(f"/api/v1/orders/{order['id']}/appeals", who.token,
                    json={"reason": "The buyer neither accepts nor rejects", "demand": "Close the order"})


def resolve(api, ops, appeal_id: str, outcome: str = "resume"):
    response = api.post(f"/api/v1/appeals/{appeal_id}/resolve", ops.token, json={"outcome": outcome, "note": ""})
    assert response.status_code == 200, response.text
    return response.json()


def node_ids(order: dict) -> list[str]:
    return [n["id"] for n in order["nodes"]]


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _drained(api):
    """Fire anything an earlier test left armed (far in the future), then start at T.

    Housekeeping only: if ticking is broken the test's own ticks fail and say so."""
    set_clock(api, datetime.fromisoformat("2999-01-01T00:00:00+00:00"))
    api.post(TICK)
    set_clock(api, T)


@pytest.fixture
def hardware_order(api, cast):
    """place() -> a paid hardware order whose recipient phone is +8613800000000."""

    def place() -> dict:
        body = order_body(cast.buyer.name, cast.seller.name, name="Edge server", spec="2U",
                          delivery_type="hardware", manual_kind=None)
        body["billing"] = {"mode": "one_off"}
        body["paid_at"] = PAID_AT
        body["recipient"] = {"name": "Alice", "phone": PHONE, "address": "Shenzhen"}
        response = api.post("/api/v1/orders", cast.platform.token, json=body)
        assert response.status_code == 201, response.text
        order = response.json()
        assert node_ids(order) == ["ship"], order["nodes"]
        return order

    return place


@pytest.fixture
def shipped(hardware_order, act, cast):
    """A hardware order the seller has shipped: it waits at confirm_acceptance."""
    response = act(cast.seller, hardware_order(), "ship", {"carrier": "SF Express", "tracking_no": "SF1234567890"})
    assert response.status_code == 200, response.text
    order = response.json()
    assert node_ids(order) == ["confirm_acceptance"], order["nodes"]
    return order


@pytest.fixture
def armed(api, cast, shipped):
    """Shipped and signed at T by the recipient's own phone (written with spaces: same digits)."""
    signed(api, cast, shipped)
    return shipped


# -- arming ---------------------------------------------------------------------------------------
def test_a_signed_update_with_the_recipients_phone_arms_auto_acceptance_ten_days_after_signing(api, cast, armed):
    [update] = events_of(api, cast.ops, armed, "logistics_updated")
    assert update["data"]["status"] == "signed"
    assert update["data"]["recipient_phone_matches"] is True
    assert when(update["data"]["auto_accept_at"]) == T + TEN_DAYS


def test_the_order_detail_shows_the_matching_signed_event(api, cast, armed):
    order = get_order(api, cast.buyer, armed)
    assert [(e["status"], when(e["at"]), e["recipient_phone_matches"]) for e in order["logistics"]["events"]] \
        == [("signed", T, True)]
    assert (order["status"], node_ids(order)) == ("processing", ["confirm_acceptance"])


def test_the_ten_days_count_from_the_signing_time_not_from_when_it_is_reported(api, cast, shipped):
    set_clock(api, T + timedelta(days=2))
    signed(api, cast, shipped, moment=T)
    [update] = events_of(api, cast.ops, shipped, "logistics_updated")
    assert when(update["data"]["auto_accept_at"]) == T + TEN_DAYS
    assert tick_at(api, T + TEN_DAYS + timedelta(seconds=1)) == 1


def test_a_tick_before_the_due_time_fires_nothing(api, cast, armed):
    assert tick_at(api, T + TEN_DAYS - timedelta(minutes=1)) == 0
    order = get_order(api, cast.buyer, armed)
    assert (order["status"], node_ids(order)) == ("processing", ["confirm_acceptance"])
    assert events_of(api, cast.ops, armed, "timer_fired") == []


def test_after_the_due_time_a_tick_fires_the_auto_acceptance_once(api, cast, armed):
    assert tick_at(api, T + TEN_DAYS + timedelta(seconds=1)) == 1


def test_the_auto_accepted_order_is_completed_and_accepted_at_the_tick_time(api, cast, armed):
    fired_at = T + TEN_DAYS + timedelta(hours=3)
    assert tick_at(api, fired_at) == 1
    order = get_order(api, cast.buyer, armed)
    assert order["status"] == "completed"
    assert node_ids(order) == ["service_completed"]
    assert when(order["accepted_at"]) == fired_at
    assert when(order["completed_at"]) == fired_at
    assert order["available_actions"] == []


def test_the_auto_acceptance_is_logged_as_timer_fired_then_order_completed_by_the_system(api, cast, armed):
    fired_at = T + TEN_DAYS + timedelta(seconds=1)
    tick_at(api, fired_at)
    events = history(api, cast.buyer, armed)
    types = [e["type"] for e in events]
    assert types.count("timer_fired") == 1 and types.count("order_completed") == 1
    fired, completed = events[types.index("timer_fired")], events[types.index("order_completed")]
    assert fired["seq"] < completed["seq"]
    assert fired["actor"] == SYSTEM and completed["actor"] == SYSTEM
    assert when(fired["at"]) == fired_at and when(completed["at"]) == fired_at
    assert when(fired["data"]["due_at"]) == T + TEN_DAYS


def test_two_ticks_at_the_same_time_fire_the_timer_only_once(api, cast, armed):
    set_clock(api, T + TEN_DAYS + timedelta(hours=1))
    assert tick(api) == 1
    assert tick(api) == 0
    assert len(events_of(api, cast.ops, armed, "timer_fired")) == 1
    assert len(events_of(api, cast.ops, armed, "order_completed")) == 1


@pytest.mark.live
def test_concurrent_ticks_at_the_same_time_fire_the_timer_only_once(api, cast, armed):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import ApiClient
    set_clock(api, T + TEN_DAYS + timedelta(hours=1))
    clients = [ApiClient(api.base) for _ in range(4)]  # one HTTP connection each: really concurrent
    with ThreadPoolExecutor(len(clients)) as pool:
        fired = list(pool.map(tick, clients))
    assert sorted(fired) == [0, 0, 0, 1]
    assert len(events_of(api, cast.ops, armed, "timer_fired")) == 1
    assert len(events_of(api, cast.ops, armed, "order_completed")) == 1


def test_a_tick_exactly_at_the_due_time_fires_the_timer_once(api, cast, armed):
    set_clock(api, T + TEN_DAYS)
    assert tick(api) == 1
    assert tick(api) == 0
    assert get_order(api, cast.buyer, armed)["status"] == "completed"
    assert len(events_of(api, cast.ops, armed, "timer_fired")) == 1


def test_ticks_long_after_the_auto_acceptance_fire_nothing_more(api, cast, armed):
    assert tick_at(api, T + TEN_DAYS + timedelta(seconds=1)) == 1
    assert tick_at(api, T + timedelta(days=60)) == 0
    assert len(events_of(api, cast.ops, armed, "timer_fired")) == 1


# -- updates that do not arm ------------------------------------------------------------------------
NOT_ARMING_PHONES = {
    "another number": {"recipient_phone": "+8613900000000"},
    "phone null": {"recipient_phone": None},
    "phone missing": {},
    "phone empty": {"recipient_phone": ""},
}


@pytest.mark.parametrize("phone", list(NOT_ARMING_PHONES.values()), ids=list(NOT_ARMING_PHONES))
def test_a_signed_update_without_the_recipients_phone_is_recorded_but_never_fires(api, cast, shipped, phone):
    response = post_logistics(api, cast.platform, shipped, "signed", T, **phone)
    assert response.status_code == 200, response.text
    events = get_order(api, cast.ops, shipped)["logistics"]["events"]
    assert [(e["status"], e["recipient_phone_matches"]) for e in events] == [("signed", False)]
    [update] = events_of(api, cast.ops, shipped, "logistics_updated")
    assert update["data"]["auto_accept_at"] is None
    assert tick_at(api, T + timedelta(days=30)) == 0
    order = get_order(api, cast.buyer, shipped)
    assert (order["status"], node_ids(order)) == ("processing", ["confirm_acceptance"])


def test_an_in_transit_update_never_arms_even_with_the_recipients_phone(api, cast, shipped):
    signed(api, cast, shipped, status="in_transit", recipient_phone=PHONE)
    events = get_order(api, cast.ops, shipped)["logistics"]["events"]
    assert [(e["status"], e["recipient_phone_matches"]) for e in events] == [("in_transit", True)]
    assert tick_at(api, T + timedelta(days=30)) == 0
    order = get_order(api, cast.buyer, shipped)
    assert (order["status"], node_ids(order)) == ("processing", ["confirm_acceptance"])


# -- the buyer acts first -----------------------------------------------------------------------------
def test_the_buyer_accepting_before_the_due_time_completes_the_order_and_nothing_fires_later(
        api, cast, act, armed):
    accepted_at = T + timedelta(days=4)
    set_clock(api, accepted_at)
    response = act(cast.buyer, armed, "accept")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"
    assert tick_at(api, T + TEN_DAYS + timedelta(days=1)) == 0
    order = get_order(api, cast.buyer, armed)
    assert (order["status"], when(order["accepted_at"])) == ("completed", accepted_at)
    assert events_of(api, cast.ops, armed, "timer_fired") == []


def test_a_rejection_after_signing_disarms_the_auto_acceptance(api, cast, act, armed):
    set_clock(api, T + timedelta(days=2))
    response = act(cast.buyer, armed, "reject", {"reason": "The power supply is missing"})
    assert response.status_code == 200, response.text
    assert node_ids(response.json()) == ["ship"]
    assert tick_at(api, T + TEN_DAYS + timedelta(days=20)) == 0
    order = get_order(api, cast.buyer, armed)
    assert (order["status"], node_ids(order), order["rejection_count"]) == ("processing", ["ship"], 1)
    assert events_of(api, cast.ops, armed, "timer_fired") == []


# -- appeals pause the timer ----------------------------------------------------------------------------
@pytest.fixture
def frozen_three_days_after_signing(api, cast, armed):
    """Signed at T; at T+3d the seller appeals at confirm_acceptance (hardware policy allows it)."""
    set_clock(api, T + timedelta(days=3))
    response = appeal(api, cast.seller, armed)
    assert response.status_code == 201, response.text
    return {"order": armed, "appeal": response.json()}


def test_the_hardware_buyer_may_not_appeal_while_the_order_waits_for_acceptance(api, cast, problem, armed):
    set_clock(api, T + timedelta(days=3))
    problem(appeal(api, cast.buyer, armed), 409, "appeal_not_allowed")


def test_a_frozen_order_is_skipped_by_the_scheduler_after_its_due_time(api, cast, frozen_three_days_after_signing):
    order = frozen_three_days_after_signing["order"]
    set_clock(api, T + timedelta(days=23))
    assert tick(api) == 0
    seen = get_order(api, cast.buyer, order)
    assert (seen["status"], seen["frozen"]) == ("processing", True)
    assert events_of(api, cast.ops, order, "timer_fired") == []


def test_resuming_an_appeal_gives_the_timer_the_seven_days_it_had_left(api, cast, frozen_three_days_after_signing):
    order, opened = frozen_three_days_after_signing["order"], frozen_three_days_after_signing["appeal"]
    resumed_at = T + timedelta(days=23)
    set_clock(api, resumed_at)
    assert tick(api) == 0
    resolve(api, cast.ops, opened["id"], "resume")
    assert tick(api) == 0
    assert tick_at(api, resumed_at + timedelta(days=7) - timedelta(hours=1)) == 0
    seen = get_order(api, cast.buyer, order)
    assert (seen["status"], seen["frozen"], node_ids(seen)) == ("processing", False, ["confirm_acceptance"])
    fired_at = resumed_at + timedelta(days=7, seconds=1)
    assert tick_at(api, fired_at) == 1
    seen = get_order(api, cast.buyer, order)
    assert (seen["status"], when(seen["accepted_at"])) == ("completed", fired_at)
    [fired] = events_of(api, cast.ops, order, "timer_fired")
    assert when(fired["data"]["due_at"]) == resumed_at + timedelta(days=7)


def test_a_parcel_signed_during_a_freeze_gets_its_full_ten_days_after_the_resolution(api, cast, shipped):
    frozen_at = T + timedelta(days=1)
    set_clock(api, frozen_at)
    opened = appeal(api, cast.seller, shipped)
    assert opened.status_code == 201, opened.text
    signed_at = T + timedelta(days=2)
    set_clock(api, signed_at)
    update = signed(api, cast, shipped, moment=signed_at)
    assert update["frozen"] is True
    assert [(e["status"], e["recipient_phone_matches"]) for e in update["logistics"]["events"]] == [("signed", True)]
    assert tick_at(api, signed_at + timedelta(days=15)) == 0  # frozen: nothing fires, however late
    resolved_at = signed_at + timedelta(days=20)
    set_clock(api, resolved_at)
    resolve(api, cast.ops, opened.json()["id"], "resume")
    assert tick_at(api, resolved_at + TEN_DAYS - timedelta(hours=1)) == 0
    assert get_order(api, cast.buyer, shipped)["status"] == "processing"
    fired_at = resolved_at + TEN_DAYS + timedelta(seconds=1)
    assert tick_at(api, fired_at) == 1
    seen = get_order(api, cast.buyer, shipped)
    assert (seen["status"], when(seen["accepted_at"])) == ("completed", fired_at)


# -- refused updates ------------------------------------------------------------------------------------
def test_a_logistics_update_for_a_non_hardware_order_is_a_conflict(api, cast, problem, place_order):
    order = place_order()
    problem(post_logistics(api, cast.platform, order, recipient_phone=PHONE), 409, "conflict")
    assert events_of(api, cast.ops, order, "logistics_updated") == []


@pytest.mark.parametrize("role", ["buyer", "seller", "ops"])
def test_a_logistics_update_by_anyone_but_the_platform_is_forbidden(api, cast, problem, shipped, role):
    who = getattr(cast, role)
    problem(post_logistics(api, who, shipped, recipient_phone=PHONE), 403, "forbidden")
    assert get_order(api, cast.ops, shipped)["logistics"]["events"] == []
    assert events_of(api, cast.ops, shipped, "logistics_updated") == []


@pytest.mark.parametrize("status", ["delivered", "SIGNED", "", None])
def test_a_logistics_update_with_an_unknown_status_is_a_validation_error(api, cast, problem, shipped, status):
    body = problem(post_logistics(api, cast.platform, shipped, status, recipient_phone=PHONE),
                   422, "validation_failed")
    assert "status" in body["errors"], body
    assert get_order(api, cast.ops, shipped)["logistics"]["events"] == []


def test_a_fired_timer_is_observed_in_the_lag_histogram_with_its_lateness(api, cast, armed):
    from tests.api.test_observability import scrape, value
    before = scrape(api)
    assert tick_at(api, T + TEN_DAYS + timedelta(seconds=3)) == 1
    after = scrape(api)
    count, total = "fulfilment_timer_lag_seconds_count", "fulfilment_timer_lag_seconds_sum"
    assert value(after, count) == value(before, count) + 1
    assert value(after, total) - value(before, total) == pytest.approx(3.0, abs=0.01)
