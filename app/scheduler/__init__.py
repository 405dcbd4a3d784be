"""APScheduler wiring: a table of jobs, each run inside the app's context; the work is a service call."""
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app.services.callbacks.dispatch import deliver_due_callbacks
from app.services.lifecycle.expiry import run_expiry
from app.services.lifecycle.policy import run_auto_renewals
from app.services.lifecycle.reminders import send_reminders
from app.services.refunds.settlement import settle_due_refunds
from app.services.timers import drain_due_timers

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0
REFUND_SECONDS = 10.0
CALLBACK_SECONDS = 2.0
LIFECYCLE_SECONDS = 30.0  # expiry and auto-renewal are days-scale; reminders are due at 10:00 Beijing time


def _logged(what: str, function):
    """The job: run `function`, log how many things it did (nothing when it did nothing)."""
    def run() -> None:
        done = function()
        if done:
            log.info("%s: %d", what, done)
    return run


# (id, function, trigger arguments): polls the indexed `next_timer_at`, a due timer fires within a second;
# while a backlog lasts, the timers' job runs its ticks back to back (app/services/timers.py)
JOBS = (
    ("fire_due_timers", _logged("instances whose timers fired", drain_due_timers),
     {"trigger": "interval", "seconds": TICK_SECONDS}),
    # refunding -> refunded well within the guide's 3 hours
    ("settle_refunds", _logged("refunds settled", settle_due_refunds), {"trigger": "interval", "seconds": REFUND_SECONDS}),
    # outbox -> production-interface callbacks, retried with backoff (app/services/callbacks/dispatch.py)
    ("deliver_callbacks", _logged("callback attempts", deliver_due_callbacks),
     {"trigger": "interval", "seconds": CALLBACK_SECONDS}),
    # the lifecycle after supervision (docs/decisions.md, "Renewals, expiry and trials")
    ("lifecycle_expiry", _logged("orders expired, released or dated", run_expiry),
     {"trigger": "interval", "seconds": LIFECYCLE_SECONDS}),
    ("auto_renew", _logged("orders auto-renewed", run_auto_renewals), {"trigger": "interval", "seconds": LIFECYCLE_SECONDS}),
    ("expiry_reminders", _logged("orders reminded", send_reminders), {"trigger": "interval", "seconds": LIFECYCLE_SECONDS}),
)


def _in_context(app, job_id: str, function):
    def run() -> None:
        try:
            with app.app_context():
                function()
        except Exception:  # a failed run must not kill the scheduler; the next one retries
            log.exception("scheduled job %s failed", job_id)
    return run


def _add_jobs(target, app) -> None:
    for job_id, function, trigger in JOBS:
        target.add_job(_in_context(app, job_id, function), id=job_id, max_instances=1, coalesce=True, **trigger)


class Scheduler:
    """The in-process scheduler of the embedded default, and standalone workers."""

    def __init__(self) -> None:
        self._background: BackgroundScheduler | None = None

    def start_background(self, app) -> None:
        """In-process scheduler for the embedded default."""
        if self._background is None:
            self._background = BackgroundScheduler(daemon=True)
            _add_jobs(self._background, app)
            self._background.start()

    def shutdown(self) -> None:
        if self._background is not None:
            self._background.shutdown(wait=False)
            self._background = None

    @staticmethod
    def run_forever(app) -> None:
        """A standalone scheduler worker (`flask scheduler run`); any number may share one database."""
        blocking = BlockingScheduler()
        _add_jobs(blocking, app)
        blocking.start()


scheduler = Scheduler()
