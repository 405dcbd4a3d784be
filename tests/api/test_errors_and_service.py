"""Problem documents, health, OpenAPI, and the testing clock (absent from the production config)."""
from datetime import datetime, timedelta

import pytest

from tests.conftest import order_body

CLOCK, TICK = "/api/v1/testing/clock", "/api/v1/testing/tick"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert (body["status"], body["code"]) == (status, code)
    return body


# -- problem documents ---------------------------------------------------------------------------
def test_malformed_json_is_a_bad_request_problem(api, cast):
    response = api.post("/api/v1/orders", cast.platform.token, data='{"order_no": "CS1", ',
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "bad_request")


def test_malformed_json_on_an_action_is_a_bad_request_problem(api, cast, place_order):
    order = place_order()
    response = api.post(f"/api/v1/orders/{order['id']}/actions/submit_requirement", cast.buyer.token,
                        data="{data: }", headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "bad_request")


@pytest.mark.parametrize("content_type,body", [
    ("application/x-www-form-urlencoded", "order_no=CS1&buyer=alice"),
    ("text/plain", '{"order_no": "CS1"}'),
])
def test_a_body_that_is_not_declared_json_is_a_bad_request_problem(api, cast, content_type, body):
    response = api.post("/api/v1/orders", cast.platform.token, data=body, headers={"Content-Type": content_type})
    assert_problem(response, 400, "bad_request")


def test_an_unknown_path_is_a_not_found_problem(api, cast):
    assert_problem(api.get("/api/v1/no-such-thing", cast.ops.token), 404, "not_found")


def test_an_unknown_order_is_a_not_found_problem(api, cast):
    assert_problem(api.get("/api/v1/orders/no-such-order", cast.ops.token), 404, "not_found")


def test_an_unsupported_method_is_answered_with_a_problem(api, cast):
    response = api.request("DELETE", "/api/v1/orders", cast.ops.token)
    assert response.status_code == 405
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert set(response.json()) >= PROBLEM_FIELDS


def test_a_405_names_the_allowed_methods_in_allow(api, cast):
    response = api.request("DELETE", "/api/v1/orders", cast.ops.token)
    assert response.status_code == 405
    assert set(response.headers.get("Allow", "").replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_405_on_one_resource_allows_only_its_methods(api, cast):
    response = api.request("GET", "/api/v1/attachments", cast.buyer.token)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"] and "GET" not in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/no-such-thing", "/api/openapi.json"])
def test_every_response_forbids_content_type_sniffing(api, path):
    assert api.get(path).headers.get("X-Content-Type-Options") == "nosniff"


def test_an_unknown_token_is_an_unauthenticated_problem(api):
    assert_problem(api.get("/api/v1/orders", "not-a-real-token"), 401, "unauthenticated")


def test_a_token_without_the_bearer_scheme_is_unauthenticated(api, cast):
    response = api.get("/api/v1/orders", headers={"Authorization": cast.buyer.token})
    assert_problem(response, 401, "unauthenticated")


def test_a_known_token_with_the_wrong_role_is_a_forbidden_problem(api, cast):
    response = api.post("/api/v1/orders", cast.buyer.token, json=order_body(cast.buyer.name, cast.seller.name))
    assert_problem(response, 403, "forbidden")


def test_field_errors_are_a_validation_problem_listing_each_field(api, cast):
    body = order_body(cast.buyer.name, cast.seller.name)
    del body["buyer"]
    body["amount_paid"] = "lots"
    problem = assert_problem(api.post("/api/v1/orders", cast.platform.token, json=body), 422, "validation_failed")
    assert {"buyer", "amount_paid"} <= set(problem["errors"])


# -- service endpoints ---------------------------------------------------------------------------
def test_healthz_reports_the_service_and_the_database_ok(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_openapi_document_is_json_listing_the_contract_paths(api):
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/principals", "/api/v1/orders", "/api/v1/orders/{order_id}",
                 "/api/v1/orders/{order_id}/history", "/api/v1/orders/{order_id}/actions/{action}",
                 "/api/v1/orders/{order_id}/appeals", "/api/v1/tasks", "/api/v1/tasks/{task_id}/complete",
                 "/api/v1/appeals", "/api/v1/appeals/{appeal_id}/claim", "/api/v1/appeals/{appeal_id}/resolve",
                 "/api/v1/attachments", "/api/v1/attachments/{attachment_id}", "/healthz"):
        assert path in paths, path


def test_the_interactive_docs_answer_200(api):
    response = api.get("/api/docs")
    assert response.status_code == 200
    assert "html" in response.headers["Content-Type"]


# -- the testing clock ---------------------------------------------------------------------------
def test_the_testing_clock_tells_the_time_without_a_token(api):
    response = api.get(CLOCK)
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["now"]).utcoffset() is not None


def test_the_testing_clock_can_be_set(api):
    response = api.post(CLOCK, json={"set": "2026-03-01T08:00:00+08:00"})
    assert response.status_code == 200, response.text
    assert datetime.fromisoformat(response.json()["now"]) == datetime.fromisoformat("2026-03-01T00:00:00+00:00")
    assert datetime.fromisoformat(api.get(CLOCK).json()["now"]) == datetime.fromisoformat("2026-03-01T00:00:00+00:00")


def test_the_testing_clock_advances_by_an_iso_duration(api):
    api.post(CLOCK, json={"set": "2026-03-01T00:00:00+00:00"})
    response = api.post(CLOCK, json={"advance": "P10DT2H"})
    assert response.status_code == 200, response.text
    assert datetime.fromisoformat(response.json()["now"]) == \
        datetime.fromisoformat("2026-03-01T00:00:00+00:00") + timedelta(days=10, hours=2)


def test_services_stamp_records_with_the_testing_clock(api, place_order):
    api.post(CLOCK, json={"set": "2026-11-20T12:00:00+00:00"})
    order = place_order()
    assert datetime.fromisoformat(order["created_at"]) == datetime.fromisoformat("2026-11-20T12:00:00+00:00")


def test_tick_returns_how_many_timers_fired(api):
    response = api.post(TICK)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["fired"], int) and response.json()["fired"] >= 0


def test_tick_fires_nothing_when_nothing_is_due(api):
    api.post(CLOCK, json={"set": "2000-01-01T00:00:00+00:00"})
    assert api.post(TICK).json() == {"fired": 0}


@pytest.mark.parametrize("body", [{"advance": "ten days"}, {"advance": "10"}, {"advance": ""}])
def test_an_advance_that_is_not_an_iso_duration_is_a_validation_error(api, body):
    before = api.get(CLOCK).json()["now"]
    response = api.post(CLOCK, json=body)
    assert_problem(response, 422, "validation_failed")
    assert "advance" in response.json()["errors"]
    assert datetime.fromisoformat(api.get(CLOCK).json()["now"]) - datetime.fromisoformat(before) < timedelta(hours=1)


@pytest.mark.parametrize("body", [{"set": "yesterday"}, {"set": "2026-01-01T00:00:00"}, {},
                                  {"set": "2026-01-01T00:00:00+00:00", "advance": "P1D"}])
def test_a_clock_change_that_is_not_exactly_one_valid_set_or_advance_is_a_validation_error(api, body):
    assert_problem(api.post(CLOCK, json=body), 422, "validation_failed")


# -- the production configuration ----------------------------------------------------------------
@pytest.fixture
def production_app(app, database_url, monkeypatch):
    """A second app built with the Production settings against the same database (its own state)."""
    from app import create_app
    from app.extensions import state
    from config.settings import Production

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SCHEDULER_ENABLED", "0")
    monkeypatch.setenv("TEST_CLOCK", "1")  # the production config must ignore it
    built = create_app(Production())
    yield built
    state(built).database.engine.dispose()


@pytest.mark.committed
def test_the_production_config_has_no_testing_clock(production_app):
    client = production_app.test_client()
    assert client.get("/healthz").status_code == 200
    for method, path in (("GET", CLOCK), ("POST", CLOCK), ("POST", TICK)):
        response = client.open(path, method=method, json={"advance": "P1D"} if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json["code"] == "not_found"
