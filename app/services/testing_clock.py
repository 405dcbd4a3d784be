"""Moving the testing clock (services and SpiffWorkflow's timers read the same clock)."""
from datetime import datetime

import isodate

from app.errors import ValidationFailedError
from app.extensions import runtime
from app.services.timers import fire_due_timers


def now() -> dict:
    return {"now": runtime.clock.now().isoformat()}


def change(advance: str | None, moment: datetime | None) -> dict:
    """Advance by an ISO 8601 duration, or set an absolute time (exactly one of the two)."""
    if (advance is None) == (moment is None):
        raise ValidationFailedError({"_schema": ["give exactly one of 'advance' or 'set'"]})
    if advance is not None:
        try:
            delta = isodate.parse_duration(advance)
        except (isodate.ISO8601Error, ValueError):
            raise ValidationFailedError({"advance": ["an ISO 8601 duration such as P10D"]}) from None
        runtime.clock.set(runtime.clock.now() + delta)
    else:
        runtime.clock.set(moment)
    return now()


def tick() -> dict:
    return {"fired": fire_due_timers()}
