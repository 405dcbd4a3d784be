"""A cost-counting interpreter for the allow-listed expression subset (expressions.problems).

CPython's eval cannot be bounded: one `'x' * n` or one nested comprehension is a single step for a
tracer and may run for hours or allocate gigabytes. This walks the AST instead and charges a step per
node, per comprehension iteration and per item an operation touches; it checks the size of every
string, container and integer it builds, and predicts the size of `*`, `+` and formatting before
they run. Values are plain Python values, operators are Python's, so results equal Python's.
"""
import ast
import operator
from collections import ChainMap
from functools import lru_cache

from app.engine.limits import Limits
from app.engine.meter import SIZED, BudgetExceeded, Meter

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_UNARY = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
_INPLACE = {ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul, ast.Div: operator.itruediv,
            ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod}
_CONVERSIONS = {115: str, 114: repr, 97: ascii}


class ExpressionRefused(Exception):
    """A condition, timer expression or script outside the allow-list."""


@lru_cache(maxsize=4096)
def parse(source: str, mode: str) -> ast.AST:
    """The AST of `source` ('eval' or 'exec'), parsed once per distinct source."""
    return ast.parse(source.strip(), mode=mode)


def evaluate(source: str, names, limits: Limits, methods: frozenset):
    """The value of expression `source` with `names` (a mapping, builtins last) visible."""
    return Interpreter(names, limits, methods).run(parse(source, "eval"))


def execute(source: str, names, limits: Limits, methods: frozenset) -> None:
    """Run script `source`; assignments go to the first mapping of the ChainMap `names`."""
    Interpreter(names, limits, methods).run(parse(source, "exec"))


class Interpreter(Meter):
    """One evaluation: a namespace, plus the step meter and size checks it inherits."""

    def __init__(self, names, limits: Limits, methods: frozenset):
        super().__init__(limits)
        self.names, self.methods = names, methods

    def run(self, tree: ast.AST):
        if isinstance(tree, ast.Expression):
            return self.eval(tree.body, self.names)
        for statement in tree.body:
            self.exec(statement, self.names)
        return None

    # -- statements ----------------------------------------------------------------------------
    def exec(self, node: ast.stmt, scope) -> None:
        self.charge(1)
        if isinstance(node, ast.Expr):
            self.eval(node.value, scope)
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value, scope)
            for target in node.targets:
                self.assign(target, value, scope)
        elif isinstance(node, ast.AugAssign):
            self.augment(node, scope)
        elif isinstance(node, ast.If):
            for statement in node.body if self.eval(node.test, scope) else node.orelse:
                self.exec(statement, scope)
        elif not isinstance(node, ast.Pass):
            raise ExpressionRefused(f"{type(node).__name__} is not allowed")

    def assign(self, target: ast.expr, value, scope) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = self.sized(list(self.items(value)))
            if len(values) != len(target.elts):
                raise ValueError(f"expected {len(target.elts)} values to unpack, got {len(values)}")
            for element, item in zip(target.elts, values):
                self.assign(element, item, scope)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, scope)
            container[self.eval(target.slice, scope)] = value
            if isinstance(container, SIZED):
                self.room(0, len(container))
        else:
            raise AttributeError(f"cannot assign to {ast.unparse(target)!r}")

    def augment(self, node: ast.AugAssign, scope) -> None:
        """`target op= value`, evaluating the target's container and key once, as Python does."""
        target = node.target
        if isinstance(target, ast.Subscript):
            container, key = self.eval(target.value, scope), self.eval(target.slice, scope)
            container[key] = self.binary(node.op, container[key], self.eval(node.value, scope), _INPLACE)
        elif isinstance(target, ast.Name):
            value = self.binary(node.op, self.name(target, scope), self.eval(node.value, scope), _INPLACE)
            scope[target.id] = value
        else:
            self.assign(target, None, scope)  # refuses the attribute

    def items(self, iterable):
        """Iterate `iterable`, one step per item."""
        for item in iterable:
            self.charge(1)
            yield item

    # -- expressions ---------------------------------------------------------------------------
    def eval(self, node: ast.expr, scope):
        self.charge(1)
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise ExpressionRefused(f"{type(node).__name__} is not allowed")
        return handler(self, node, scope)

    def name(self, node: ast.Name, scope):
        try:
            return scope[node.id]
        except KeyError:
            raise NameError(f"name {node.id!r} is not defined") from None

    def binary(self, op: ast.operator, left, right, table: dict = _BINARY):
        if isinstance(op, ast.Mult):
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, SIZED) and isinstance(count, int):
                    self.room(len(seq) * count if isinstance(seq, str) else 0,
                              0 if isinstance(seq, str) else len(seq) * count)
        elif isinstance(op, ast.Add) and isinstance(left, SIZED) and isinstance(right, SIZED):
            total = len(left) + len(right)
            self.room(total if isinstance(left, str) else 0, 0 if isinstance(left, str) else total)
        elif isinstance(op, ast.Mod) and isinstance(left, str):
            self.format_spec(left)
            self.touch(right)
        return self.sized(table[type(op)](left, right))

    def call(self, node: ast.Call, scope):
        if isinstance(node.func, ast.Attribute):
            receiver = self.eval(node.func.value, scope)
            func, touched = self.attribute(receiver, node.func.attr), [receiver]
        else:
            func, touched = self.eval(node.func, scope), []
        args = [self.eval(a, scope) for a in node.args]
        kwargs = {k.arg: self.eval(k.value, scope) for k in node.keywords}
        if any(k is None for k in kwargs):
            raise ExpressionRefused("** in a call is not allowed")
        self.touch(*touched, *args, *kwargs.values())
        if func is round and len(args) > 1 and isinstance(args[1], int) and abs(args[1]) > 100:
            raise BudgetExceeded("exceeds the evaluation budget: round() to more than 100 digits")
        return self.sized(func(*args, **kwargs))

    def attribute(self, receiver, attr: str):
        if attr not in self.methods:
            raise ExpressionRefused(f"attribute {attr!r} is not allowed")
        return getattr(receiver, attr)

    def comprehension(self, generators: list, scope):
        """Every inner scope of the comprehension's `for` and `if` clauses (the first iterable now)."""
        return self.scopes(generators, 0, scope, self.eval(generators[0].iter, scope))

    def scopes(self, generators: list, index: int, outer: ChainMap, source):
        clause = generators[index]
        for item in self.items(source):
            inner = outer.new_child()
            self.assign(clause.target, item, inner)
            if not all(self.eval(test, inner) for test in clause.ifs):
                continue
            if index + 1 == len(generators):
                yield inner
            else:
                yield from self.scopes(generators, index + 1, inner, self.eval(generators[index + 1].iter, inner))

    def collect(self, kind, items):
        built = kind()
        add = built.append if kind is list else built.add
        for item in items:
            add(item)
            if len(built) > self.limits.items:
                self.room(0, len(built))
        return self.sized(built)


def _bool_op(self, node, scope):
    value = None
    for operand in node.values:
        value = self.eval(operand, scope)
        if (isinstance(node.op, ast.And) and not value) or (isinstance(node.op, ast.Or) and value):
            return value
    return value


def _compare(self, node, scope):
    left = self.eval(node.left, scope)
    for op, right_node in zip(node.ops, node.comparators):
        right = self.eval(right_node, scope)
        self.touch(left, right)
        if not _COMPARE[type(op)](left, right):
            return False
        left = right
    return True


def _subscript(self, node, scope):
    found = self.eval(node.value, scope)[self.eval(node.slice, scope)]
    return self.sized(found) if isinstance(node.slice, ast.Slice) else found  # a slice is a copy


def _slice(self, node, scope):
    return slice(*(self.eval(part, scope) if part is not None else None for part in (node.lower, node.upper, node.step)))


def _dict(self, node, scope):
    built = {}
    for key, value in zip(node.keys, node.values):
        if key is None:
            built.update(self.eval(value, scope))
        else:
            built[self.eval(key, scope)] = self.eval(value, scope)
        self.room(0, len(built))
    return self.sized(built)


def _formatted(self, node, scope):
    value = self.eval(node.value, scope)
    self.touch(value)
    if node.conversion in _CONVERSIONS:
        value = self.sized(_CONVERSIONS[node.conversion](value))
    spec = self.eval(node.format_spec, scope) if node.format_spec is not None else ""
    self.format_spec(spec)
    return self.sized(format(value, spec))


def _joined(self, node, scope):
    parts = [self.eval(part, scope) for part in node.values]
    self.room(sum(len(p) for p in parts), 0)
    return self.sized("".join(parts))


def _generator(self, node, scope):
    return (self.eval(node.elt, inner) for inner in self.comprehension(node.generators, scope))


_HANDLERS = {
    ast.Constant: lambda self, node, scope: node.value,
    ast.Name: Interpreter.name,
    ast.BoolOp: _bool_op,
    ast.BinOp: lambda self, node, scope: self.binary(node.op, self.eval(node.left, scope), self.eval(node.right, scope)),
    ast.UnaryOp: lambda self, node, scope: self.sized(_UNARY[type(node.op)](self.eval(node.operand, scope))),
    ast.Compare: _compare,
    ast.IfExp: lambda self, node, scope: self.eval(node.body if self.eval(node.test, scope) else node.orelse, scope),
    ast.Call: Interpreter.call,
    ast.Attribute: lambda self, node, scope: self.attribute(self.eval(node.value, scope), node.attr),
    ast.Subscript: _subscript,
    ast.Slice: _slice,
    ast.List: lambda self, node, scope: self.sized([self.eval(e, scope) for e in node.elts]),
    ast.Tuple: lambda self, node, scope: self.sized(tuple(self.eval(e, scope) for e in node.elts)),
    ast.Set: lambda self, node, scope: self.sized({self.eval(e, scope) for e in node.elts}),
    ast.Dict: _dict,
    ast.ListComp: lambda self, node, scope: self.collect(list, _generator(self, node, scope)),
    ast.SetComp: lambda self, node, scope: self.collect(set, _generator(self, node, scope)),
    ast.GeneratorExp: _generator,
    ast.DictComp: lambda self, node, scope: self.sized(dict(self.collect(list, (
        (self.eval(node.key, inner), self.eval(node.value, inner))
        for inner in self.comprehension(node.generators, scope))))),
    ast.JoinedStr: _joined,
    ast.FormattedValue: _formatted,
}
