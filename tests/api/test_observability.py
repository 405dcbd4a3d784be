"""Operations: Prometheus metrics at /metrics (also summed over processes), a request id in every
response, in problem+json `instance` and in every log line of the request."""
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]


def scrape(api) -> dict:
    """{(name, sorted label items): value} of one /metrics scrape."""
    response = api.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_by_route_template_and_status(api):
    before = scrape(api)
    for _ in range(3):
        assert api.get("/healthz").status_code == 200
    after = scrape(api)
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(after, "fulfilment_http_request_duration_seconds_count", **labels) == \
        value(before, "fulfilment_http_request_duration_seconds_count", **labels) + 3


def test_an_unknown_path_is_one_label_value_not_one_per_path(api):
    api.get("/no/such/path/1"), api.get("/no/such/path/2")
    routes = {dict(labels).get("route") for name, labels in scrape(api) if name.startswith("fulfilment_http")}
    assert "unmatched" in routes and not any(route.startswith("/no/such") for route in routes)


def test_metrics_count_actions_by_kind_action_and_outcome(api, cast, place_order, act, upload):
    order = place_order()
    before = scrape(api)
    response = act(cast.buyer, order, "submit_requirement", {"description": "Migrate 2 TB"}, [upload(cast.buyer)])
    assert response.status_code == 200, response.text
    assert act(cast.buyer, order, "submit_requirement", {"description": "again"}).status_code == 409
    after = scrape(api)
    ok = {"kind": "orders", "action": "submit_requirement", "outcome": "ok"}
    assert value(after, "fulfilment_actions_total", **ok) == value(before, "fulfilment_actions_total", **ok) + 1
    refused = [labels for name, labels in after if name == "fulfilment_actions_total"
               and dict(labels)["action"] == "(refused)" and value(after, name, **dict(labels)) > value(
                   before, name, **dict(labels))]
    assert len(refused) == 1 and dict(refused[0])["outcome"] not in ("", "409"), refused


def test_metrics_show_the_backlogs_and_the_pool(api):
    samples = scrape(api)
    names = {name for name, _ in samples}
    assert {"fulfilment_due_timers", "fulfilment_outbox_pending", "fulfilment_db_pool_connections_in_use",
            "fulfilment_timer_lag_seconds_count"} <= names
    assert value(samples, "fulfilment_outbox_pending") >= 0


def test_a_problem_names_the_request_in_instance_and_echoes_a_callers_request_id(api, problem):
    response = api.get("/api/v1/orders/nope", headers={"X-Request-Id": "trace-42"})
    body = problem(response, 401)
    assert response.headers["X-Request-Id"] == "trace-42" and body["instance"] == "urn:request:trace-42"


def test_a_request_id_that_is_not_a_short_token_is_replaced(api):
    response = api.get("/healthz", headers={"X-Request-Id": "x" * 65})
    assert len(response.headers["X-Request-Id"]) == 32 and response.headers["X-Request-Id"] != "x" * 65


def test_a_json_log_line_carries_the_request_id(app):
    from app.boot import log_handler
    stream = io.StringIO()
    logger = logging.getLogger("tests.observability")
    logger.addHandler(log_handler("json", stream))
    try:
        with app.test_request_context("/healthz", headers={"X-Request-Id": "req-7"}):
            app.preprocess_request()  # the before-request hooks: the request id is taken here
            logger.warning("probe")
        logger.warning("outside")
    finally:
        logger.handlers.clear()
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines()[-2:])
    assert (inside["request_id"], inside["message"], inside["levelname"]) == ("req-7", "probe", "WARNING")
    assert outside["request_id"] == "-"


@pytest.mark.committed  # the processes read the database themselves
def test_in_multi_process_mode_metrics_are_summed_over_processes(database_url, tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DATABASE_URL": database_url,
           "FLASK_CONFIG": "testing", "SCHEDULER_ENABLED": "0"}
    requests_of_one = ("from app import create_app; c = create_app().test_client(); "
                       "[c.get('/healthz') for _ in range(2)]")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", requests_of_one], cwd=ROOT, env=env, check=True, timeout=120)
    scraped = subprocess.run([sys.executable, "-c", "from app import create_app; "
                              "print(create_app().test_client().get('/metrics').get_data(as_text=True))"],
                             cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True).stdout
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(scraped) for s in family.samples}
    assert value(samples, "fulfilment_http_request_duration_seconds_count",
                 method="GET", route="/healthz", status="200") == 4
