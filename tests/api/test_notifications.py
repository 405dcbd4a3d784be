"""Notifications people can read (docs/api-contract.md "Notifications"): the recipient's list, newest first,
the `unread` filter, marking read; once-only notifications; the senders after the commit."""
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.api.test_appeals import opened, resolve

NOTIFICATIONS = "/api/v1/notifications"


def listed(api, who, **params) -> list[dict]:
    response = api.get(NOTIFICATIONS, who.token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def resolved(api, cast, place_order) -> dict:
    """An order whose appeal operations resolved: both parties were notified (appeal results)."""
    order = place_order()
    resolve(api, cast.ops, opened(api, cast.buyer, order), "resume", note="Carry on")
    return order


def test_an_appeal_result_is_readable_by_the_buyer(api, cast, resolved):
    [notification] = listed(api, cast.buyer)
    assert (notification["kind"], notification["order_id"], notification["read"]) == \
        ("appeal_resolved", resolved["id"], False)
    assert "Carry on" in notification["message"]


def test_an_appeal_result_is_readable_by_the_seller(api, cast, resolved):
    assert [n["kind"] for n in listed(api, cast.seller)] == ["appeal_resolved"]


def test_nobody_else_sees_them(api, cast, resolved):
    assert listed(api, cast.other_buyer) == [] and listed(api, cast.ops) == []


def test_marking_read_shows_read_and_leaves_the_unread_list(api, cast, resolved):
    [notification] = listed(api, cast.buyer)
    response = api.post(f"{NOTIFICATIONS}/{notification['id']}/read", cast.buyer.token)
    assert response.status_code == 200, response.text
    assert response.json()["read"] is True and response.json()["read_at"]
    assert listed(api, cast.buyer, unread="true") == []
    assert [n["read"] for n in listed(api, cast.buyer)] == [True]


def test_marking_read_twice_keeps_the_first_time(api, cast, resolved, clock):
    [notification] = listed(api, cast.buyer)
    first = api.post(f"{NOTIFICATIONS}/{notification['id']}/read", cast.buyer.token).json()["read_at"]
    clock(advance="PT1H")
    assert api.post(f"{NOTIFICATIONS}/{notification['id']}/read", cast.buyer.token).json()["read_at"] == first


def test_anothers_notification_is_not_found_and_stays_unread(api, cast, resolved, problem):
    [notification] = listed(api, cast.buyer)
    problem(api.post(f"{NOTIFICATIONS}/{notification['id']}/read", cast.other_buyer.token), 404, "not_found")
    assert listed(api, cast.buyer, unread="true") == [notification]


def test_an_unknown_notification_is_not_found(api, cast, problem):
    problem(api.post(f"{NOTIFICATIONS}/999999999/read", cast.buyer.token), 404)


def test_an_id_beyond_any_column_is_not_found_not_a_server_error(api, cast, problem):
    """Found by the fuzzer: 123558480870441073246208 overflowed SQLite's integer parameter (a 500)."""
    problem(api.post(f"{NOTIFICATIONS}/123558480870441073246208/read", cast.buyer.token), 404)
    problem(api.post(f"{NOTIFICATIONS}/2147483648/read", cast.buyer.token), 404)


def test_without_a_token_is_401(api, problem):
    problem(api.get(NOTIFICATIONS, None), 401)


def test_a_bad_unread_filter_is_422(api, cast, problem):
    problem(api.get(NOTIFICATIONS, cast.buyer.token, params={"unread": "perhaps"}), 422)


def test_newest_first_and_paginated(api, cast, place_order):
    for note in ("first", "second", "third"):
        resolve(api, cast.ops, opened(api, cast.buyer, place_order()), "resume", note=note)
    response = api.get(NOTIFICATIONS, cast.buyer.token, params={"page_size": 2})
    assert [n["message"].split()[-1] for n in response.json()] == ["third", "second"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3


# -- notify() itself: once-only keys, the transaction decides, senders after the commit ----------------
def _notify_in_transaction(app, **kwargs) -> bool:
    from app.services.core.notifications import notify
    from app.services.core.transaction import transaction
    with app.app_context(), transaction() as session:
        return notify(session, "someone", "reminder", "Your trial ends in 3 days", **kwargs)


def _count(query_db, recipient="someone") -> int:
    from sqlalchemy import func, select

    from app.models import Notification
    return query_db(lambda s: s.scalar(select(func.count()).where(Notification.recipient == recipient)))


def test_a_dedupe_key_makes_a_notification_once_only(app, query_db):
    assert _notify_in_transaction(app, dedupe_key="trial:1:3d") is True
    assert _notify_in_transaction(app, dedupe_key="trial:1:3d") is False
    assert _count(query_db) == 1


def test_without_a_key_each_call_notifies(app, query_db):
    _notify_in_transaction(app)
    _notify_in_transaction(app)
    assert _count(query_db) == 2


def test_a_rolled_back_use_case_notifies_nobody(app, query_db, caplog):
    from app.services.core.notifications import notify
    from app.services.core.transaction import transaction
    app.config["NOTIFICATION_SENDERS"] = ("log",)
    try:
        with caplog.at_level(logging.INFO, "app.notifications"), pytest.raises(RuntimeError):
            with app.app_context(), transaction() as session:
                notify(session, "someone", "reminder", "never sent")
                raise RuntimeError("the use case fails")
    finally:
        app.config["NOTIFICATION_SENDERS"] = ()
    assert _count(query_db) == 0 and "never sent" not in caplog.text


def test_the_logging_sender_logs_after_the_commit(app, caplog):
    app.config["NOTIFICATION_SENDERS"] = ("log",)
    try:
        with caplog.at_level(logging.INFO, "app.notifications"):
            _notify_in_transaction(app)
    finally:
        app.config["NOTIFICATION_SENDERS"] = ()
    assert "notification for someone (reminder): Your trial ends in 3 days" in caplog.text


class _Gateway(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(app):
    """A real HTTP receiver on loopback standing in for the SMS gateway."""
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    _Gateway.received = []
    app.config.update(NOTIFICATION_SENDERS=("sms",), SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/sms")
    yield _Gateway.received
    app.config["NOTIFICATION_SENDERS"] = ()
    server.shutdown()


def test_the_sms_sender_posts_to_the_gateway(app, sms_gateway):
    _notify_in_transaction(app)
    assert sms_gateway == [{"recipient": "someone", "kind": "reminder", "text": "Your trial ends in 3 days"}]


def test_a_failing_sender_does_not_fail_the_use_case(app, query_db, caplog):
    app.config.update(NOTIFICATION_SENDERS=("sms",), SMS_GATEWAY_URL="http://127.0.0.1:9/nothing-listens")
    try:
        assert _notify_in_transaction(app) is True
    finally:
        app.config["NOTIFICATION_SENDERS"] = ()
    assert _count(query_db) == 1 and "notification sender sms failed" in caplog.text
