"""The restricted evaluator for gateway conditions, timer expressions and scripts.

Expressions are checked against an AST allow-list, then run in a cost-counting interpreter
(app/engine/bounded.py) with a small builtins dict. Analysts author diagrams; they are not server administrators.
"""
import ast
from collections import ChainMap
from functools import lru_cache

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from app.engine import bounded
from app.engine.bounded import ExpressionRefused
from app.engine.limits import Limits
from app.engine.runtime_bounds import value_problem
from app.engine.ast_words import refused

SAFE_BUILTINS = {
    f.__name__: f
    for f in (abs, all, any, bool, dict, float, int, len, list, max, min, round, set, sorted, str, sum, tuple)
}
ALLOWED_METHODS = frozenset({"get", "keys", "values", "items", "lower", "upper", "strip",
                             "startswith", "endswith", "isoformat", "count", "index"})
MAX_INT = 10**12  # with no `**`, no expression can build a runaway number ...
MAX_REPEAT = 1000  # ... and `*` repeats a string or list at most this often, never a product
_ALLOWED_NODES = tuple(getattr(ast, n) for n in (
    "Module", "Expression", "Expr", "Assign", "AugAssign", "If", "Pass", "Name", "Load", "Store",
    "Constant", "BoolOp", "And", "Or", "UnaryOp", "Not", "USub", "UAdd", "BinOp", "Add", "Sub",
    "Mult", "Div", "FloorDiv", "Mod", "Compare", "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE",
    "In", "NotIn", "Is", "IsNot", "IfExp", "Call", "keyword", "Attribute", "List", "Tuple",
    "Dict", "Set", "Subscript", "Slice", "ListComp", "SetComp", "DictComp", "GeneratorExp",
    "comprehension", "JoinedStr", "FormattedValue",
))


@lru_cache(maxsize=4096)
def problems(source: str, mode: str = "eval", helpers: frozenset = frozenset()) -> tuple[str, ...]:
    """Why `source` may not run (empty when it may); mode is 'eval' or 'exec'."""
    try:
        tree = ast.parse(source.strip(), mode=mode)
    except SyntaxError as exc:
        return (f"syntax error: {exc.msg} (line {exc.lineno})",)
    callable_names = set(SAFE_BUILTINS) | set(helpers)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            found.append(refused(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, int) and abs(node.value) > MAX_INT:
            found.append(f"number {node.value} is too large")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and not _bounded_product(node):
            found.append(f"{ast.unparse(node)!r}: `*` needs a number constant of at most {MAX_REPEAT} "
                         "on one side and no other product on the other (no runaway repetition)")
        elif isinstance(node, ast.Name) and node.id.startswith("__"):
            found.append(f"name {node.id!r} is not allowed")
        elif isinstance(node, ast.Attribute) and node.attr not in ALLOWED_METHODS:
            found.append(f"attribute {node.attr!r} is not allowed")
        elif isinstance(node, ast.Call) and not _call_allowed(node.func, callable_names):
            found.append(f"call of {ast.unparse(node.func)!r} is not allowed")
    return tuple(dict.fromkeys(found))


def _bounded_product(node: ast.BinOp) -> bool:
    """`*` can repeat a sequence: allow it only as `<value> * <small number constant>` (either order)."""
    for small, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(small, ast.Constant) and type(small.value) in (int, float) and abs(small.value) <= MAX_REPEAT \
                and not any(isinstance(n, ast.Mult) for n in ast.walk(other)):
            return True
    return False


def _call_allowed(func: ast.expr, callable_names: set) -> bool:
    if isinstance(func, ast.Name):
        return func.id in callable_names
    return isinstance(func, ast.Attribute) and func.attr in ALLOWED_METHODS


class RestrictedEnvironment(TaskDataEnvironment):
    """Checks every expression and script, then runs it in the bounded interpreter, whichever
    SpiffWorkflow path asks (gateways, timers, scripts, loops, but also message correlations, which
    call the environment directly). Names resolve as in TaskDataEnvironment: task data first."""

    def __init__(self, helpers: dict, limits: Limits | None = None):
        self.helper_names = frozenset(helpers)
        self.limits = limits or Limits()
        super().__init__({"__builtins__": dict(SAFE_BUILTINS), **helpers})

    def _refuse_unsafe(self, source: str, mode: str) -> None:
        found = problems(source, mode, self.helper_names)
        if found:
            raise ExpressionRefused(f"Expression refused: {'; '.join(found)}")

    def _names(self, context: dict, external_context) -> ChainMap:
        helpers = {k: v for k, v in self.globals.items() if k != "__builtins__"}
        return ChainMap(context, dict(external_context or {}), helpers, self.globals["__builtins__"])

    def evaluate(self, expression, context, external_context=None):
        self._refuse_unsafe(expression, "eval")
        return bounded.evaluate(expression, self._names(context, external_context), self.limits, ALLOWED_METHODS)

    def execute(self, script, context, external_context=None):
        """Run `script` on the task data `context`, leaving it as TaskDataEnvironment.execute would."""
        self._refuse_unsafe(script, "exec")
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        try:
            bounded.execute(script, self._names(context, external_context), self.limits, ALLOWED_METHODS)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


class RestrictedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on the restricted environment; the values SpiffWorkflow turns into
    timers and loop sizes are checked against the limits before it acts on them."""

    def __init__(self, helpers: dict | None = None, limits: Limits | None = None):
        super().__init__(environment=RestrictedEnvironment(dict(helpers or {}), limits))

    def evaluate(self, task, expression, external_context=None):
        value = super().evaluate(task, expression, external_context)
        problem = value_problem(task.task_spec, expression, value, self.environment.limits)
        if problem:
            raise WorkflowTaskException(problem, task=task)
        return value
