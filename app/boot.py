"""What an entry point does once per process, never create_app(): logging, schema, BPMN, the collector, scheduler."""
import gc
import logging

import click


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Every record carries the request id (`-` outside a request), as problem+json `instance` does."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import g, has_request_context
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def log_handler(log_format: str = "text", stream=None) -> logging.Handler:
    """A handler writing one JSON object per line (`json`) or text, each with the request id."""
    from pythonjsonlogger.json import JsonFormatter
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(JSON_FIELDS) if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(log_format: str = "text") -> None:
    """The entry points' logging: INFO through log_handler(); the chatty libraries at WARNING."""
    logging.basicConfig(level=logging.INFO, handlers=[log_handler(log_format)])
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change at INFO
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # and this one every tick


def prepare_database(app, migrate: bool = True) -> list[tuple[str, int, bool]]:
    """Apply migrations (when asked), then deploy new or changed BPMN from BPMN_DIR."""
    from app.services.processes.deploy import deploy_directory
    if migrate:
        from app.adapters.alembic import upgrade  # here: Alembic's import costs a process 0.25 s
        upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        return deploy_directory(app.config["BPMN_DIR"])


def tune_collector(threshold: int) -> None:
    """Freeze what start-up built out of the collector's sight and collect the young generation every `threshold`
    surviving allocations (0: Python's defaults stay). A batch of timers keeps thousands of engine and ORM
    objects alive for a while: at Python's 700 the collector ran full collections over the whole heap every
    few batches, about a fifth of a timer's CPU (docs/decisions.md, "The collector")."""
    if threshold <= 0:
        return
    gc.collect()  # nothing unreachable is frozen with the rest
    gc.freeze()
    gc.set_threshold(threshold, *gc.get_threshold()[1:])


def start(app) -> None:
    """The embedded default's start-up (`flask run`, `flask serve`, a WSGI server): once per app."""
    from app.extensions import state
    booted = state(app)
    if booted.booted:
        return
    booted.booted = True
    configure_logging(app.config["LOG_FORMAT"])
    prepare_database(app, migrate=app.config["AUTO_MIGRATE"])
    tune_collector(app.config["GC_GEN0_THRESHOLD"])
    if app.config["SCHEDULER_ENABLED"]:
        from app.scheduler import scheduler
        scheduler.start_background(app)


def serving() -> bool:
    """True under `flask run` and WSGI servers; false while a CLI command loads the app."""
    context = click.get_current_context(silent=True)
    return context is None or context.info_name in ("run", "serve")
