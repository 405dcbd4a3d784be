"""The one injectable clock. Services and SpiffWorkflow's timers read time from it."""
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall-clock time in UTC, optionally frozen or shifted (the testing clock)."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        if self._fixed is not None:
            return self._fixed
        return datetime.now(timezone.utc) + self._offset

    def set(self, moment: datetime) -> None:
        """Freeze the clock at `moment` (aware)."""
        self._fixed = moment.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`, frozen or not."""
        if self._fixed is not None:
            self._fixed = self._fixed + delta
        else:
            self._offset += delta

    def reset(self) -> None:
        self._fixed, self._offset = None, timedelta(0)


clock = Clock()
"""Process-wide instance: SpiffWorkflow's timer module is patched once to read it (app/engine/timers.py)."""
