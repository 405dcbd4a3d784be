"""Expiry reminders (buyer guide §3.3: "在商品到期前的15、7、3、1天上午10:00系统会发送站内信、邮件、短信提醒";
§4.3.3: "到期不续费" sends no reminders; docs/domain.md §4.5): a notification to the buyer 15, 7, 3 and 1
days before validity ends, at 10:00 Asia/Shanghai; always for trials, for paid periodic orders unless
their policy is `do_not_renew`; exactly once each, also with several scheduler processes."""
import threading

import pytest

from tests.api.test_renewals import NOW, renew, renewal_body, tick
from tests.conftest import order_body
from tests.helpers import ok

# the order of `saas` ends 2026-04-02T09:00Z = 17:00 in Beijing; 10:00 Beijing is 02:00Z
DUE = {15: "2026-03-18T02:00:00+00:00", 7: "2026-03-26T02:00:00+00:00", 3: "2026-03-30T02:00:00+00:00",
       1: "2026-04-01T02:00:00+00:00"}


def reminders(api, who, order=None) -> list[dict]:
    found = ok(api.get("/api/v1/notifications", who.token, params={"page_size": 100}))
    return [n for n in found if n["kind"] == "expiry_reminder" and (order is None or n["order_id"] == order["id"])]


def at(api, clock, moment):
    clock(set=moment)
    tick(api)


def test_reminders_at_15_7_3_and_1_days_before_the_end_at_10_in_beijing(api, cast, saas, clock):
    order = saas()
    at(api, clock, "2026-03-18T01:59:59+00:00")
    assert reminders(api, cast.buyer, order) == []
    for days, moment in DUE.items():
        at(api, clock, moment)
        found = reminders(api, cast.buyer, order)
        assert f"expires in {days} day(s)" in found[0]["message"], found
        tick(api)  # once each
    found = reminders(api, cast.buyer, order)
    assert len(found) == 4 and [n["created_at"] for n in reversed(found)] == list(DUE.values())
    assert all(n["ref"] == f"order:{order['id']}" for n in found)
    at(api, clock, "2026-04-02T09:00:00+00:00")
    assert len(reminders(api, cast.buyer, order)) == 4  # none after the end


def test_missed_reminders_are_not_sent_late_only_the_latest_due(api, cast, saas, clock):
    order = saas()
    at(api, clock, "2026-03-31T00:00:00+00:00")
    [only] = reminders(api, cast.buyer, order)
    assert "expires in 3 day(s)" in only["message"]


def test_do_not_renew_sends_no_reminders(api, cast, saas, clock):
    """§4.3.3: with "do not renew at expiry" the system no longer sends renewal reminders."""
    order = saas()
    ok(api.request("PUT", f"/api/v1/orders/{order['id']}/expiry-policy", cast.buyer.token,
                   json={"policy": "do_not_renew"}))
    for moment in DUE.values():
        at(api, clock, moment)
    assert reminders(api, cast.buyer, order) == []


def test_auto_renew_orders_are_reminded_too(api, cast, saas, clock):
    order = saas()
    ok(api.request("PUT", f"/api/v1/orders/{order['id']}/expiry-policy", cast.buyer.token,
                   json={"policy": "auto_renew", "period": "P1M", "count": 1}))
    at(api, clock, DUE[15])
    assert len(reminders(api, cast.buyer, order)) == 1


def test_trials_are_always_reminded_within_their_period(api, cast, place_order, clock):
    """§3.3: a trial ending 2026-03-09T09:00Z (17:00 Beijing): the 7-day reminder would fall before the trial
    began, so the 3- and 1-day reminders go out."""
    clock(set=NOW)
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="saas", manual_kind=None, supervised=False)
    body.update(trial=True, amount_paid="0.00", billing={"mode": "periodic", "period": "P7D"},
                paid_at="2026-03-02T08:00:00+00:00")
    order = place_order(body)
    ok(api.request("PUT", f"/api/v1/orders/{order['id']}/expiry-policy", cast.buyer.token,
                   json={"policy": "do_not_renew"}))
    tick(api)
    assert reminders(api, cast.buyer, order) == []
    at(api, clock, "2026-03-06T02:00:00+00:00")
    at(api, clock, "2026-03-08T02:00:00+00:00")
    found = reminders(api, cast.buyer, order)
    assert ["expires in 1 day(s)" in found[0]["message"], "expires in 3 day(s)" in found[1]["message"]] == [True] * 2
    assert "trial" in found[0]["message"]


def test_a_renewal_moves_the_reminders_to_the_new_end(api, cast, saas, clock):
    order = saas()
    at(api, clock, DUE[15])
    ok(renew(api, cast.platform, order, renewal_body(paid_at=DUE[15])), 201)  # ends 2026-05-02T09:00Z
    at(api, clock, DUE[7])
    assert len(reminders(api, cast.buyer, order)) == 1  # the old end's 7-day reminder is gone
    at(api, clock, "2026-04-17T02:00:00+00:00")
    assert len(reminders(api, cast.buyer, order)) == 2


def test_no_reminders_for_processing_or_other_peoples_orders(api, cast, place_order, saas, clock):
    order = saas()
    at(api, clock, DUE[15])
    assert reminders(api, cast.other_buyer) == [] and reminders(api, cast.seller) == []
    assert len(reminders(api, cast.buyer, order)) == 1


@pytest.mark.committed
def test_several_scheduler_processes_send_each_reminder_once(app, cast, place_order, clock):
    """Four workers run the reminder job at once: every due reminder is written exactly once (the dedupe
    key's unique index decides, in every database)."""
    from app.models import Notification
    from app.extensions import db
    from app.services.lifecycle.expiry import run_expiry
    from app.services.lifecycle.reminders import send_reminders
    from sqlalchemy import func, select
    clock(set=NOW)
    body = order_body(cast.buyer.name, cast.seller.name, delivery_type="saas", manual_kind=None, supervised=False)
    body["paid_at"] = "2026-03-02T08:00:00+00:00"
    orders = [place_order({**body, "order_no": f"{body['order_no']}{i}"}) for i in range(5)]
    run_expiry()  # the expiry job dates the new orders (their expires_at)
    clock(set=DUE[7])
    errors = []

    def work():
        try:
            with app.app_context():
                send_reminders()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counted = db.session.scalar(select(func.count(Notification.id)).where(
        Notification.order_id.in_([o["id"] for o in orders]), Notification.kind == "expiry_reminder"))
    db.session.remove()
    assert counted == 5
    clock(set="2030-01-01T00:00:00+00:00")
    run_expiry()  # committed rows: leave them released (final), so later tests' ticks find nothing of theirs
