"""How much one diagram may ask of the engine: evaluation budgets, loop sizes, timer horizons.

The same checks run at deploy (literal values) and at run time (computed values), so a value taken from
task data cannot hang the engine either. SpiffWorkflow walks a duration month by month and fires a cycle
once per refresh, so a timer value is checked *before* SpiffWorkflow turns it into a due time.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

# A timer parked at a date from this year on is "not armed" (timers.NEVER): the hardware flow waits so.
PARKED_FROM_YEAR = 9000
_DAYS_PER = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
             "seconds": 1 / 86400}


@dataclass(frozen=True)
class Limits:
    """Bounds on evaluation and on what diagrams make the engine do (config/settings.py documents them)."""

    steps: int = 100_000  # interpreter steps per evaluation (a node, an iteration, an item touched)
    items: int = 100_000  # items in one list, tuple, dict or set an expression builds
    string: int = 1_000_000  # characters in one string an expression builds
    integer: int = 10**18  # largest absolute integer an expression builds
    loop_iterations: int = 100  # loopCardinality and loopMaximum
    timer_days: int = 3660  # longest timer duration or cycle interval, and how far ahead a timeDate may lie
    timer_cycles: int = 100  # most repetitions of a timeCycle
    cycle_seconds: int = 1  # shortest interval of a timeCycle
    engine_steps: int = 500  # tasks run in one advance: SpiffWorkflow silently ends a wait-free loop at ~1000

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        """The limits named MAX_EVALUATION_STEPS ... in the app settings (defaults where absent)."""
        names = {"steps": "MAX_EVALUATION_STEPS", "items": "MAX_EVALUATION_ITEMS",
                 "string": "MAX_EVALUATION_STRING", "loop_iterations": "MAX_LOOP_ITERATIONS",
                 "timer_days": "MAX_TIMER_DURATION_DAYS", "timer_cycles": "MAX_TIMER_CYCLES",
                 "cycle_seconds": "MIN_TIMER_CYCLE_SECONDS", "engine_steps": "MAX_ENGINE_STEPS"}
        return cls(**{field: int(settings[name]) for field, name in names.items() if name in settings})


def cardinality_problem(value, limits: Limits) -> str | None:
    """Why `value` may not be a loop cardinality (None when it may)."""
    if type(value) is not int or value < 0:
        return f"loop cardinality must be a whole number, not {type(value).__name__} {value!r:.40}"
    if value > limits.loop_iterations:
        return f"loop cardinality {value} exceeds the maximum of {limits.loop_iterations} iterations"
    return None


def timer_value_problem(kind: str, value, limits: Limits, now: datetime | None = None) -> str | None:
    """Why `value` may not be the evaluated value of a timer of `kind` (None when it may)."""
    if not isinstance(value, str):
        return f"timer {kind} must evaluate to a string, not {type(value).__name__}"
    if len(value) > 100:
        return f"timer {kind} value is too long"
    try:
        check = {"timeDuration": _duration_problem, "timeDate": _date_problem, "timeCycle": _cycle_problem}[kind]
        return check(value.strip(), limits, now or datetime.now(timezone.utc))
    except Exception as exc:  # SpiffWorkflow's parsers raise bare Exceptions
        return f"timer {kind} {value!r} is not valid ISO 8601: {exc}"


def _duration_days(value: str) -> float:
    parsed = TimerEventDefinition.parse_iso_duration(value)
    return sum(_DAYS_PER[unit] * amount for unit, amount in parsed.items())


def _duration_problem(value: str, limits: Limits, now: datetime) -> str | None:
    if not value.upper().startswith("P"):
        raise ValueError('a duration starts with "P", e.g. "P10D"')
    if _duration_days(value) > limits.timer_days:
        return f"timer duration {value!r} exceeds the maximum of {limits.timer_days} days"
    return None


def _date_problem(value: str, limits: Limits, now: datetime) -> str | None:
    due = TimerEventDefinition.parse_time_or_duration(value)
    if not isinstance(due, datetime):
        raise ValueError("a date such as 2030-01-01T00:00:00+00:00 is needed")
    if due.year < 1970 or (due - now > timedelta(days=limits.timer_days) and due.year < PARKED_FROM_YEAR):
        return (f"timer date {value!r} lies outside 1970 .. {limits.timer_days} days from now "
                f"(a date from the year {PARKED_FROM_YEAR} on parks the timer)")
    return None


def _cycle_problem(value: str, limits: Limits, now: datetime) -> str | None:
    parts = value.upper().replace("--", "/").strip("R").split("/")
    if len(parts) not in (2, 3) or not re.fullmatch(r"\d*", parts[0]):
        raise ValueError('a cycle looks like "R3/PT1H" or "R3/2030-01-01T00:00:00+00:00/P1D"')
    if not parts[0] or int(parts[0]) > limits.timer_cycles:
        return f"timer cycle {value!r} must repeat a stated number of times, at most {limits.timer_cycles}"
    durations = [p for p in parts[1:] if p.startswith("P")]
    if len(durations) != 1:
        raise ValueError("a cycle needs exactly one interval duration")
    days = _duration_days(durations[0])
    if days > limits.timer_days or days * 86400 < limits.cycle_seconds:
        return (f"timer cycle interval {durations[0]!r} must lie between {limits.cycle_seconds} second(s) "
                f"and {limits.timer_days} days")
    TimerEventDefinition.parse_iso_recurring_interval(value)  # bounded now: the interval is checked
    return None
