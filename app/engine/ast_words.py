"""Python syntax an analyst may meet in a refusal, named in words rather than by its AST class."""
import ast
import re

WORDS = {
    "Import": "imports", "ImportFrom": "imports", "Lambda": "lambdas", "FunctionDef": "function definitions",
    "AsyncFunctionDef": "function definitions", "ClassDef": "class definitions", "While": "while loops",
    "For": "for loops", "AsyncFor": "for loops", "With": "with blocks", "AsyncWith": "with blocks",
    "Try": "try blocks", "TryStar": "try blocks", "Raise": "raise statements", "Assert": "assert statements",
    "Delete": "del statements", "Global": "global statements", "Nonlocal": "nonlocal statements",
    "Return": "return statements", "Yield": "yield", "YieldFrom": "yield", "Await": "await",
    "ListComp": "list comprehensions", "SetComp": "set comprehensions", "DictComp": "dict comprehensions",
    "GeneratorExp": "generator expressions", "comprehension": "comprehensions", "Pow": "powers (**)",
    "Starred": "starred expressions", "NamedExpr": "assignment expressions (:=)", "Match": "match statements",
    "Break": "break statements", "Continue": "continue statements", "AnnAssign": "annotated assignments",
    "MatMult": "matrix products (@)", "LShift": "bit shifts", "RShift": "bit shifts", "BitOr": "bitwise operators",
    "BitAnd": "bitwise operators", "BitXor": "bitwise operators", "Invert": "bitwise operators",
}


def refused(node: ast.AST) -> str:
    """'<what> are not allowed' for a syntax node outside the allow-list."""
    name = type(node).__name__
    words = WORDS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower() + " expressions"
    return f"{words} are not allowed"
