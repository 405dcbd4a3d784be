"""The meter of one bounded evaluation: steps charged, sizes checked (app/engine/bounded.py uses it)."""
import re

from app.engine.limits import Limits

SIZED = (str, list, tuple, dict, set, frozenset)
_WIDTHS = re.compile(r"\d+")
MAX_FORMAT_WIDTH = 1000


class BudgetExceeded(Exception):
    """An evaluation asked for more steps or memory than the limits allow."""


def weight(value, limit: int) -> int:
    """Roughly how many items a C-level operation on `value` touches; stops counting past `limit`."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += 1 + len(item) // 16
        elif isinstance(item, dict):
            total += 1 + len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1 + len(item)
            stack.extend(item)
        else:
            total += 1
    return total


class Meter:
    """Steps spent so far against the limits; every check raises BudgetExceeded."""

    def __init__(self, limits: Limits):
        self.limits, self.steps = limits, 0

    def charge(self, steps: int) -> None:
        self.steps += steps
        if self.steps > self.limits.steps:
            raise BudgetExceeded(f"exceeds the evaluation budget of {self.limits.steps} steps")

    def touch(self, *values) -> None:
        """Charge for a C-level operation that may walk every item of `values`."""
        left = self.limits.steps - self.steps
        self.charge(sum(weight(v, left) for v in values))

    def sized(self, value):
        """`value`, after checking (and charging for) the size of what was built."""
        if isinstance(value, str):
            self.room(len(value), 0)
            self.charge(len(value) // 16)
        elif isinstance(value, SIZED):
            self.room(0, len(value))
            self.charge(len(value))
        elif isinstance(value, int) and abs(value) > self.limits.integer:
            raise BudgetExceeded(f"exceeds the evaluation budget: an integer above {self.limits.integer}")
        return value

    def room(self, chars: int, items: int) -> None:
        if chars > self.limits.string:
            raise BudgetExceeded(f"exceeds the evaluation budget: a string over {self.limits.string} characters")
        if items > self.limits.items:
            raise BudgetExceeded(f"exceeds the evaluation budget: a collection over {self.limits.items} items")

    def format_spec(self, spec: str) -> None:
        if "*" in spec or any(int(w) > MAX_FORMAT_WIDTH for w in _WIDTHS.findall(spec)):
            raise BudgetExceeded(f"exceeds the evaluation budget: a format width above {MAX_FORMAT_WIDTH}")
