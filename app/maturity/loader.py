"""Load maturity model files (YAML) into validated models, listing every problem with its line.

Parsing keeps the composed YAML node tree next to the data, so each problem found in the data
(a pydantic field error or a cross-reference finding) is traced back to the line that holds it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.maturity.checks import Finding, Loc, format_path, reference_findings
from app.maturity.schema import DEFER_REFERENCE_CHECKS, MaturityModel

MODELS_DIR = Path(__file__).parent / "models"
# libyaml's safe loader when PyYAML was built with it (much faster); the same safe constructors either way.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LANGUAGES = {"en": "English", "ja": "Japanese"}


@dataclass(frozen=True)
class Problem:
    """One problem in a model file: where it is (path and line) and what is wrong."""

    path: str
    line: int | None
    message: str
    source: str = ""

    def __str__(self) -> str:
        where = ":".join(part for part in (self.source, str(self.line or "")) if part)
        return ": ".join(part for part in (where, self.path, self.message) if part)


class ModelFileError(Exception):
    """A model file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__("\n".join([f"{source}: {count}", *(f"  {p}" for p in problems)]))


def load_model_text(text: str, source: str) -> MaturityModel:
    """Validate the YAML text of a model file; raise ModelFileError listing every problem."""
    root, data = _parse(text, source)
    model, findings = _validate(data)
    problems = {locate(finding, root, source) for finding in findings + reference_findings(data)}
    problems |= set(_duplicate_keys(root, source))
    if problems or model is None:
        raise ModelFileError(source, sorted(problems, key=lambda p: (p.line or 0, p.path, p.message)))
    return model


def load_model_file(path: str | os.PathLike[str]) -> MaturityModel:
    """Read and validate one model file (UTF-8 YAML); raise ModelFileError if it is unusable."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise _whole_file_error(source, f"not UTF-8 text: {error.reason}") from error
    except OSError as error:
        raise _whole_file_error(source, f"cannot read: {error.strerror}") from error
    return load_model_text(text, source)


def builtin_model_paths() -> tuple[Path, ...]:
    """The model files shipped with Hoshin, by file name."""
    return tuple(sorted(MODELS_DIR.glob("*.yaml")))


@functools.cache
def builtin_models() -> tuple[MaturityModel, ...]:
    """The shipped maturity models, loaded once and sorted by id."""
    return tuple(sorted((load_model_file(path) for path in builtin_model_paths()), key=lambda m: m.id))


def _parse(text: str, source: str) -> tuple[Node, object]:
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        raise ModelFileError(source, [_syntax_problem(error, source)]) from error
    finally:
        loader.dispose()
    if root is None:
        raise _whole_file_error(source, "the file is empty")
    return root, data


def _whole_file_error(source: str, message: str) -> ModelFileError:
    return ModelFileError(source, [Problem("", None, message, source)])


def _syntax_problem(error: yaml.YAMLError, source: str) -> Problem:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        message = ": ".join(part for part in (error.context, error.problem) if part)
        return Problem("", error.problem_mark.line + 1, message or str(error), source)
    return Problem("", None, str(error), source)


def _validate(data: object) -> tuple[MaturityModel | None, list[Finding]]:
    try:
        return MaturityModel.model_validate(data, context={DEFER_REFERENCE_CHECKS: True}), []
    except ValidationError as error:
        return None, [Finding(e["loc"], _message(e)) for e in error.errors() if not _cascade(e)]


def _cascade(error: ErrorDetails) -> bool:
    # An invalid item makes its list "too short after validation"; the item's own error says it all.
    items = error["input"]
    minimum = error.get("ctx", {}).get("min_length", 0)
    return error["type"] == "too_short" and isinstance(items, list | tuple) and len(items) >= minimum


def _message(error: ErrorDetails) -> str:
    kind, field, value = error["type"], error["loc"][-1] if error["loc"] else "", error["input"]
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "missing":
        return f"missing {LANGUAGES[field]} translation" if field in LANGUAGES else "missing required field"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if kind == "string_too_short" and field in LANGUAGES:
        return f"empty {LANGUAGES[field]} text"
    if kind == "string_pattern_mismatch" and field != "version":
        return f"{value!r} is not a slug: use lowercase letters, digits and hyphens"
    if kind == "string_type" and isinstance(value, int | float):
        return f"expected text, not the number {value!r}: put it in quotes"
    return error["msg"]


def locate(finding: Finding, root: Node, source: str) -> Problem:
    """A validation finding as a Problem with the YAML line it points at (shared with the catalogue)."""
    message = finding.message
    if finding.first is not None:
        message += f" (first used on line {_line(root, finding.first)})"
    return Problem(format_path(finding.loc), _line(root, finding.loc), message, source)


def _line(root: Node, loc: Loc) -> int:
    """The 1-based line of the deepest YAML node on the way to `loc`."""
    node, line = root, root.start_mark.line + 1
    for part in loc:
        step = _step(node, part)
        if step is None:
            break
        node, line = step
    return line


def _step(node: Node, part: str | int) -> tuple[Node, int] | None:
    if isinstance(node, MappingNode):
        # The last of repeated keys is the one YAML keeps, so that is the one validated.
        pairs = [(k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(part)]
        return (pairs[-1][1], pairs[-1][0].start_mark.line + 1) if pairs else None
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], node.value[part].start_mark.line + 1
    return None


def _duplicate_keys(
    node: Node, source: str, loc: Loc = (), seen: set[int] | None = None
) -> Iterator[Problem]:
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias repeats an anchored node; report its keys once
        return
    seen.add(id(node))
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, source, (*loc, index), seen)
    elif isinstance(node, MappingNode):
        yield from _repeated_keys(node, source, loc)
        for key, value in node.value:
            yield from _duplicate_keys(value, source, (*loc, str(key.value)), seen)


def _repeated_keys(node: MappingNode, source: str, loc: Loc) -> Iterator[Problem]:
    kept = {str(key.value): key for key, _ in node.value}  # YAML keeps the last of repeated keys
    for key, _ in node.value:
        last = kept[str(key.value)]
        if last is not key:
            message = f"duplicate key {key.value!r}; only the one on line {last.start_mark.line + 1} is used"
            yield Problem(format_path((*loc, str(key.value))), key.start_mark.line + 1, message, source)
