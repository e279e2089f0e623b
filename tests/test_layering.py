"""The apps stand on floors and import only from the floors below (README: "Where is the rule for").

Every module of every app is parsed (not imported), so an import inside a function counts too. An
import of another app inside a function is refused as well: it is how a cycle hides.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {
    "portal": 1,
    "households": 2,
    "lending": 3,
    "reminders": 4, "reports": 4, "demo": 4,
    "privacy": 5,
    "config": 6,
}


def modules():
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def imported_apps(tree: ast.AST):
    """(app, line, inside a function) for every absolute import of one of the apps."""
    functions = {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for node in ast.walk(fn) if node is not fn}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in FLOORS:
                yield top, node.lineno, id(node) in functions


def test_every_app_has_a_floor():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"config"}
    assert apps == set(FLOORS), "give the new app a floor here and in README.md"


@pytest.mark.parametrize("app", list(FLOORS))
def test_no_import_runs_upward_or_hides_in_a_function(app):
    problems = []
    for owner, path in modules():
        if owner != app:
            continue
        for target, line, in_function in imported_apps(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(ROOT)}:{line} imports {target}"
            if target != owner and FLOORS[target] >= FLOORS[owner]:
                problems.append(f"{where} (floor {FLOORS[target]}, not below {owner}'s floor {FLOORS[owner]})")
            elif in_function and target != owner:
                problems.append(f"{where} inside a function")
    assert not problems, "\n".join(problems)


def test_the_checker_sees_an_upward_import_and_one_inside_a_function():
    source = "from lending.models import Loan\n\ndef f():\n    from households import codes\n"
    found = list(imported_apps(ast.parse(source)))
    assert found == [("lending", 1, False), ("households", 4, True)]
