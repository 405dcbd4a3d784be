"""The bounded interpreter: Python's results on what diagrams compute, a budget on what runs away."""
import time
from collections import ChainMap

import pytest

from app.engine.bounded import BudgetExceeded, ExpressionRefused, evaluate, execute
from app.engine.expressions import ALLOWED_METHODS, SAFE_BUILTINS, RestrictedEnvironment
from app.engine.limits import Limits

DATA = {"decision": "accept", "amount": 1200, "price": "19.90", "items": ["a", "b", "c"], "n": 3,
        "order": {"status": "paid", "lines": [{"qty": 2}, {"qty": 5}]}, "flag": None, "ratio": 2.5,
        "auto_accept_at": None, "signing": {"auto_accept_at": "2026-02-01T00:00:00+00:00"}}

EXPRESSIONS = [
    'decision == "accept"', 'decision != "accept" or amount > 1000', "1 < amount <= 2000", "3 < n < 2",
    "not flag", "flag is None and decision is not None", "-amount + +n", "amount // 7, amount % 7, amount / 8",
    "ratio * 2 - 1", '"x" * 3 + "y"', "[0] * 4", "items + ['d']", "items[1:]", "items[::-1]", "items[-1]",
    "order['lines'][1]['qty']", "order.get('status')", "order.get('missing', 'none')", "sorted(order.keys())",
    "list(order.values())[0]", "len(items) > 0", "sum(line['qty'] for line in order['lines'])",
    "[x.upper() for x in items if x != 'b']",
    "{k: v for k, v in order.items() if k == 'status'}", "{x for x in items}", "{'a': 1, **order}",
    "[(a, b) for a in items for b in items if a < b]", "any(x == 'c' for x in items)", "all([])",
    "max(items), min(3, 4), abs(-2), round(2.567, 2), round(1234, -2)", "int('42') + float(price)",
    "str(amount) + 'CNY'", "bool(''), bool('x'), tuple(items), set('aab') == {'a', 'b'}",
    "f'{decision}-{amount:>8}-{ratio:.2f}-{items!r}'", "'x' in items, 'a' in items, 'z' not in 'abc'",
    "auto_accept_at if auto_accept_at else '9999-12-31T00:00:00+00:00'", "signing['auto_accept_at']",
    "'PT' + str(n) + 'H'", "price.strip().startswith('19')", "items.index('b'), items.count('a')",
    "decision and amount", "flag or 0 or ''", "(1, 2) < (1, 3)", "'%s-%d' % ('a', 3)", "amount % 10",
]


def names(data: dict) -> ChainMap:
    return ChainMap(data, {}, dict(SAFE_BUILTINS))


def run(source: str, data: dict | None = None, limits: Limits = Limits()):
    return evaluate(source, names(dict(data or DATA)), limits, ALLOWED_METHODS)


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_an_expression_gives_what_python_gives(source):
    assert run(source) == eval(source, {"__builtins__": SAFE_BUILTINS, **DATA})


@pytest.mark.parametrize("source", ["undefined + 1", "items[7]", "order['nope']", "1 / 0", "int('x')",
                                    "'a' + 1", "a, b = 1"])
def test_an_error_is_the_error_python_raises(source):
    mode = "exec" if "=" in source else "eval"
    with pytest.raises(Exception) as python:
        (exec if mode == "exec" else eval)(source, {"__builtins__": SAFE_BUILTINS, **DATA})
    with pytest.raises(type(python.value)):
        (execute if mode == "exec" else evaluate)(source, names(dict(DATA)), Limits(), ALLOWED_METHODS)


def test_script_assignments_land_in_the_task_data_as_spiffworkflow_leaves_them():
    script = ("count = count + 1\nx, y = 1, 2\nlines = order['lines']\nlines[0]['qty'] += 1\n"
              "f = len\nif count > 1:\n    big = True\nelse:\n    big = False\ntags = []\ntags += ['t']")
    ours, python = {"count": 1, "order": {"lines": [{"qty": 1}]}}, {"count": 1, "order": {"lines": [{"qty": 1}]}}
    RestrictedEnvironment({}).execute(script, ours)
    from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
    TaskDataEnvironment({"__builtins__": dict(SAFE_BUILTINS)}).execute(script, python)
    assert ours == python and "f" not in ours


def test_a_script_may_not_overwrite_a_helper():
    with pytest.raises(ValueError, match="overwrites"):
        RestrictedEnvironment({"fee_for": len}).execute("x = 1", {"fee_for": 1})


# -- runaway evaluations ------------------------------------------------------------------------
RUNAWAY = [
    "sum(1 for a in 'x' * 1000 for b in 'x' * 1000 for c in 'x' * 1000 for d in 'x' * 1000)",
    "len(['x' * 1000 * 1000 for a in 'x' * 1000])",
    "[0] * 1000 * 1000 * 1000",
    "len(str([s] * 1000))", "sorted([s] * 1000)", "f'{[s] * 1000}'",
    "f'{1:>1000000000}'", "'%1000000000d' % 1", "round(5, -1000000000)",
    "amount * 1000 * 1000 * 1000 * 1000 * 1000 * 1000 * 1000",
]


@pytest.mark.parametrize("source", RUNAWAY)
def test_a_runaway_expression_exceeds_the_budget_quickly(source):
    started = time.perf_counter()
    with pytest.raises(BudgetExceeded, match="evaluation budget"):
        run(source, {**DATA, "s": "x" * 900_000})
    assert time.perf_counter() - started < 0.5


def test_a_script_doubling_a_string_exceeds_the_budget():
    script = "s = 'ab'\n" + "s = s + s\n" * 40
    with pytest.raises(BudgetExceeded, match="string over"):
        execute(script, ChainMap({}, dict(SAFE_BUILTINS)), Limits(), ALLOWED_METHODS)


def test_the_step_budget_is_configurable():
    with pytest.raises(BudgetExceeded, match="10 steps"):
        run("[x for x in items] + [x for x in items]", limits=Limits(steps=10))


def test_the_collection_bound_is_configurable():
    with pytest.raises(BudgetExceeded, match="over 5 items"):
        run("[0] * 6", limits=Limits(items=5))


def test_the_string_bound_is_configurable():
    with pytest.raises(BudgetExceeded, match="over 5 characters"):
        run("'abc' + 'abc'", limits=Limits(string=5))


def test_a_node_outside_the_allow_list_is_refused_by_the_interpreter_too():
    with pytest.raises(ExpressionRefused):
        run("(lambda: 1)()")


def test_an_attribute_outside_the_allow_list_is_refused_by_the_interpreter_too():
    with pytest.raises(ExpressionRefused):
        run("items.__class__")
