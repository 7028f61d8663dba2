"""Habits the suite keeps: helpers come from tests/instance.py and tests/seed.py, never from conftest."""
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_module_imports_from_conftest():
    pattern = re.compile(r"^\s*(?:from\s+tests\.conftest\s+import|from\s+tests\s+import\s+conftest|import\s+conftest)",
                         re.MULTILINE)
    offenders = [p.name for p in sorted(TESTS.rglob("*.py")) if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], f"import helpers from tests.instance instead: {offenders}"
