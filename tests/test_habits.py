"""Habits the suite keeps: helpers come from tests/instance.py and tests/seed.py, never from conftest."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_module_imports_from_conftest():
    pattern = re.compile(
        r"^\s*(?:from\s+tests\.conftest\s+import|from\s+tests\s+import\s+conftest|import\s+conftest)", re.MULTILINE
    )
    offenders = [p.name for p in sorted(TESTS.rglob("*.py")) if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], f"import helpers from tests.instance instead: {offenders}"


LONG = 60  # lines a function may take, docstring included (STYLE.md: functions under ~60 lines)
PACKAGES = ("pipeline", "store", "ui", "chaos", "observability")
# Functions allowed to stay longer, each with the reason (also written beside the function).
LONG_ALLOWED = {
    "store/migrations/versions/0001_initial_schema.py:upgrade": (
        "a migration is a frozen record of the schema it creates; it is never edited or split once released"
    )
}


def test_no_function_is_over_60_lines_without_a_reason():
    import ast

    root = TESTS.parent
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > LONG:
                        found[f"{path.relative_to(root)}:{node.name}"] = length
    assert {k: v for k, v in found.items() if k not in LONG_ALLOWED} == {}, "split these, or allow them with a reason"
    assert set(LONG_ALLOWED) <= set(found), "an allowed function is short now: drop it from LONG_ALLOWED"
