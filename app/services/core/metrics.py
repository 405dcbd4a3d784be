"""The platform's Prometheus metrics (prometheus-client), defined once; services and views record into them.

Under a multi-process server set PROMETHEUS_MULTIPROC_DIR (docs/operations.md): every process then writes its
samples to files there and `/metrics` sums them. Backlogs are read from the database when scraped."""
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.extensions import runtime
from app.services.core.transaction import transaction

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUEST_SECONDS = Histogram("fulfilment_http_request_duration_seconds", "HTTP request latency",
                            ("method", "route", "status"), buckets=LATENCY_BUCKETS)
ACTIONS = Counter("fulfilment_actions_total", "Task actions by process kind, action and outcome (ok or the "
                  "problem code)", ("kind", "action", "outcome"))
TIMER_LAG_SECONDS = Histogram("fulfilment_timer_lag_seconds", "How late a due timer fired (now - due time)",
                              buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600))
POOL_IN_USE = Gauge("fulfilment_db_pool_connections_in_use", "Database connections checked out of the pool",
                    multiprocess_mode="livesum")


def watch_pool(engine) -> None:
    """Count the engine's checked-out connections in POOL_IN_USE (summed over live processes)."""
    from sqlalchemy import event
    event.listen(engine, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(engine, "checkin", lambda *_: POOL_IN_USE.dec())


def read_backlogs() -> dict[str, int]:
    """Due timers not yet fired and outbox events not yet delivered, counted now."""
    from app.models import OutboxEvent, ProcessInstance
    with transaction(readonly=True) as session:
        due = session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.next_timer_at <= runtime.clock.now(), ProcessInstance.frozen_at.is_(None),
            ProcessInstance.status == "running"))
        outbox = session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == "pending"))
    return {"fulfilment_due_timers": due, "fulfilment_outbox_pending": outbox}


BACKLOG_HELP = {"fulfilment_due_timers": "Instances with a due timer not yet fired",
                "fulfilment_outbox_pending": "Outbox events not yet delivered"}


class BacklogCollector:
    """The backlogs as gauges, read from the database when scraped (one scrape, one short read)."""

    def collect(self):
        for name, value in read_backlogs().items():
            yield GaugeMetricFamily(name, BACKLOG_HELP[name], value=value)
