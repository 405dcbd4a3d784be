"""Moving the testing clock (services and SpiffWorkflow's timers read the same clock)."""
from datetime import datetime

import isodate

from app.errors import ValidationFailedError
from app.extensions import runtime
from app.schemas.common import EARLIEST, TEST_CLOCK_LATEST
from app.services.callbacks.dispatch import deliver_due_callbacks
from app.services.refunds.settlement import settle_due_refunds
from app.services.timers import fire_due_timers


def now() -> dict:
    return {"now": runtime.clock.now().isoformat()}


def change(advance: str | None, moment: datetime | None) -> dict:
    """Advance by an ISO 8601 duration, or set an absolute time (exactly one of the two)."""
    if (advance is None) == (moment is None):
        raise ValidationFailedError({"_schema": ["give exactly one of 'advance' or 'set'"]})
    if advance is not None:
        try:
            moment = runtime.clock.now() + isodate.parse_duration(advance)
        except (isodate.ISO8601Error, ValueError, OverflowError):
            moment = None
        if moment is None or not EARLIEST <= moment <= TEST_CLOCK_LATEST:
            raise ValidationFailedError({"advance": ["an ISO 8601 duration such as P10D, ending between "
                                                     "2000-01-01 and 3000-01-01"]})
        runtime.clock.set(moment)
    else:
        runtime.clock.set(moment)
    return now()


def tick() -> dict:
    """Run the scheduler's jobs now: fire every due timer, settle refunds (refunding -> refunded), attempt
    due callbacks; `fired` counts the instances advanced, the refunds settled and the callback attempts."""
    fired = fire_due_timers()
    fired += settle_due_refunds()
    return {"fired": fired + deliver_due_callbacks()}
