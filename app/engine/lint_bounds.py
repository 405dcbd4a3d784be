"""Deploy-time bounds on loops: a literal loopCardinality and every loopMaximum within the limit, and
no standard loop without loopMaximum (its loopCondition alone could run forever). Computed
cardinalities are checked at run time (runtime_bounds.py); timers by lint._timer_problems."""
import ast

from app.engine.limits import Limits, cardinality_problem
from app.engine.specs import _NS


def _owner_id(node) -> str | None:
    return next((a.get("id") for a in node.iterancestors() if a.get("id")), None)


def loop_problems(process, limits: Limits) -> list[dict]:
    """Every standard or multi-instance loop of `process` that could iterate beyond the limit."""
    found = []
    for loop in process.iterfind(".//bpmn:standardLoopCharacteristics", _NS):
        problem = _maximum_problem(loop.get("loopMaximum"), limits)
        if problem:
            found.append({"element_id": _owner_id(loop), "message": problem})
    for cardinality in process.iterfind(".//bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality", _NS):
        try:
            value = ast.literal_eval((cardinality.text or "").strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue  # computed: checked when the engine evaluates it
        problem = cardinality_problem(value, limits)
        if problem:
            found.append({"element_id": _owner_id(cardinality), "message": problem})
    return found


def _maximum_problem(maximum: str | None, limits: Limits) -> str | None:
    if maximum is None:
        return f"a standard loop needs loopMaximum (at most {limits.loop_iterations})"
    if not maximum.strip().isdigit() or int(maximum) > limits.loop_iterations:
        return f"loopMaximum {maximum!r} must be a whole number of at most {limits.loop_iterations}"
    return None
