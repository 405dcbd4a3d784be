"""APScheduler wiring: one job that fires due timers; the work itself is a service call."""
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app.services.timers import fire_due_timers

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


def _tick() -> None:
    try:
        fired = fire_due_timers()
        if fired:
            log.info("fired timers of %d instance(s)", fired)
    except Exception:  # a failed tick must not kill the scheduler; the next one retries
        log.exception("timer tick failed")


class Scheduler:
    """Polls the indexed `next_timer_at` every second: a due timer fires within about a second."""

    def __init__(self) -> None:
        self._background: BackgroundScheduler | None = None

    def start_background(self) -> None:
        """In-process scheduler for the embedded default."""
        if self._background is None:
            self._background = BackgroundScheduler(daemon=True)
            self._background.add_job(_tick, "interval", seconds=TICK_SECONDS, max_instances=1, coalesce=True)
            self._background.start()

    def shutdown(self) -> None:
        if self._background is not None:
            self._background.shutdown(wait=False)
            self._background = None

    @staticmethod
    def run_forever() -> None:
        """A standalone scheduler worker (`flask scheduler run`); any number may share one database."""
        blocking = BlockingScheduler()
        blocking.add_job(_tick, "interval", seconds=TICK_SECONDS, max_instances=1, coalesce=True)
        blocking.start()


scheduler = Scheduler()
