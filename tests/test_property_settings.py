"""Property tests never fail on time: every @given test runs without Hypothesis' per-example deadline
(the shared profile in tests/conftest.py), since a busy machine can make any example slow."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).parent


def _modules_with_property_tests() -> Iterator[ModuleType]:
    for path in sorted(TESTS.rglob("test_*.py")):
        if "@given" in path.read_text(encoding="utf-8"):
            dotted = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
            yield importlib.import_module(dotted)


def test_every_property_test_runs_without_a_deadline() -> None:
    found = {}
    for module in _modules_with_property_tests():
        for name, test in vars(module).items():
            if getattr(test, "is_hypothesis_test", False):
                found[f"{module.__name__}::{name}"] = test._hypothesis_internal_use_settings.deadline
    assert len(found) >= 20, "the property tests were not found"
    assert {name: deadline for name, deadline in found.items() if deadline is not None} == {}
