"""Request ids, request latency and the `/metrics` endpoint (Prometheus text format, no token: it holds
route templates and counts, never ids or names; keep it on the internal network, docs/operations.md)."""
import os
import re
import time
import uuid

from flask import Blueprint, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client import multiprocess

from app.extensions import state
from app.services.core import metrics

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
blp = Blueprint("metrics", __name__)


def request_id() -> str | None:
    """The current request's id (a caller's valid X-Request-Id, or a new one), None outside a request."""
    return g.get("request_id")


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is None or request.endpoint == "metrics.scrape":
        return response
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"  # bounded label values
    metrics.REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(
        time.perf_counter() - started)
    if route.endswith(ACTION_ROUTE_ENDINGS):
        _count_action(route, response.status_code)
    return response


ACTION_ROUTE_ENDINGS = ("/actions/<action>", "/complete")
REFUSED = "(refused)"  # a refused request's action name is the caller's text: never a label value


def _count_action(route: str, status: int) -> None:
    """fulfilment_actions_total{kind: the resource (orders, refunds, tasks...), action, outcome: ok or code}."""
    kind = route.removeprefix("/api/v1/").split("/", 1)[0]
    if status < 400:
        action = (request.view_args or {}).get("action") or (request.get_json(silent=True) or {}).get("action")
        metrics.ACTIONS.labels(kind, str(action), "ok").inc()
    else:
        metrics.ACTIONS.labels(kind, REFUSED, g.get("problem_code", str(status))).inc()


@blp.route("/metrics")
def scrape():
    """Every metric of this process, or of all processes in multi-process mode, plus the DB backlogs."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    backlog = CollectorRegistry()
    backlog.register(metrics.BacklogCollector())
    return Response(generate_latest(registry) + generate_latest(backlog), mimetype=CONTENT_TYPE_LATEST)


def register(app) -> None:
    """Request ids and latency on every request, `/metrics`, the pool gauge on the app's engine."""
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(blp)
    metrics.watch_pool(state(app).database.engine)
