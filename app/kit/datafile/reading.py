"""Read a YAML data file into a validated pydantic model, listing every problem with its path and line.

Parsing keeps the composed YAML node tree next to the data, so each problem found in the data (a pydantic
field error or a cross-reference finding) is traced back to the line that holds it. Maturity models and
the capability catalogue are both read this way: one size limit, one alias cap, the same words.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.i18n import N_
from app.kit.datafile.findings import DEFER_REFERENCE_CHECKS, Finding, Loc, format_path
from app.kit.datafile.messages import Message, say

# libyaml's safe loader when PyYAML was built with it (much faster); the same safe constructors either way.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# One limit for every way in (CLI, upload, start-up): the largest shipped file is under 200 kB.
MAX_FILE_BYTES = 1_000_000
# Values once aliases are expanded (the largest shipped model has ~4,000): a few lines of nested
# aliases can stand for billions, and building them would take minutes and gigabytes.
MAX_VALUES = 100_000

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One problem in a data file: where it is (path and line) and what is wrong."""

    path: str
    line: int | None
    message: str  # in English, as the CLI prints it
    source: str = ""
    said: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, path: str, line: int | None, message: Message | str, source: str) -> Problem:
        """A problem whose message can also be read in the reader's language."""
        said = message if isinstance(message, Message) else Message(message)
        return cls(path, line, str(said), source, said)

    def text(self) -> str:
        """The message in the current request's language."""
        return self.said.translated() if self.said is not None else self.message

    def __str__(self) -> str:
        where = ":".join(part for part in (self.source, str(self.line or "")) if part)
        return ": ".join(part for part in (where, self.path, self.message) if part)


class DataFileError(Exception):
    """A data file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__("\n".join([f"{source}: {count}", *(f"  {p}" for p in problems)]))


@dataclass(frozen=True)
class DataFormat(Generic[M]):
    """One kind of data file: its schema, its cross-reference checks, its error class and its words."""

    schema: type[M]
    error: type[DataFileError]
    describe: Callable[[ErrorDetails], Message]  # a pydantic error in the app's words
    checks: Callable[[object], list[Finding]]  # cross-references on the raw data
    noun: str  # what the reader calls the file ("model file"), an N_ msgid

    def load_text(self, text: str, source: str) -> M:
        """Validate the YAML text of a file; raise `error` listing every problem."""
        try:
            root, data = _parse(text, source, self.noun)
        except DataFileError as failed:
            raise self.error(failed.source, failed.problems) from None
        found, findings = self._validate(data)
        problems = {locate(finding, root, source) for finding in findings + self.checks(data)}
        problems |= set(_duplicate_keys(root, source))
        if problems or found is None:
            raise self.error(source, sorted(problems, key=lambda p: (p.line or 0, p.path, p.message)))
        return found

    def load_bytes(self, data: bytes, source: str) -> M:
        """Validate a file's bytes (as read, at most MAX_FILE_BYTES + 1 of them)."""
        if len(data) > MAX_FILE_BYTES:
            limit = f"{MAX_FILE_BYTES // 1_000_000} MB"
            raise self._whole_file(source, say(N_("the file is larger than %(limit)s"), limit=limit))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            message = say(N_("the file is not UTF-8 text (byte %(position)s)"), position=error.start + 1)
            raise self._whole_file(source, message) from error
        return self.load_text(text, source)

    def load_file(self, path: str | os.PathLike[str]) -> M:
        """Read and validate one file (UTF-8 YAML); raise `error` if it is unusable."""
        source = str(path)
        try:
            with Path(path).open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            reason = say(N_("cannot read: %(reason)s"), reason=error.strerror)
            raise self._whole_file(source, reason) from error
        return self.load_bytes(data, source)

    def _validate(self, data: object) -> tuple[M | None, list[Finding]]:
        try:
            return self.schema.model_validate(data, context={DEFER_REFERENCE_CHECKS: True}), []
        except ValidationError as error:
            return None, [Finding(e["loc"], self.describe(e)) for e in error.errors() if not _cascade(e)]

    def _whole_file(self, source: str, message: Message) -> DataFileError:
        return self.error(source, [Problem.of("", None, message, source)])


def _cascade(error: ErrorDetails) -> bool:
    # An invalid item makes its list "too short after validation"; the item's own error says it all.
    items = error["input"]
    minimum = error.get("ctx", {}).get("min_length", 0)
    return error["type"] == "too_short" and isinstance(items, list | tuple) and len(items) >= minimum


def _parse(text: str, source: str, noun: str) -> tuple[Node, object]:
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _refuse_expansion(root, source)  # before constructing: that is what an alias bomb costs
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        raise DataFileError(source, [_syntax_problem(error, source, noun)]) from error
    finally:
        loader.dispose()
    if root is None:
        raise DataFileError(source, [Problem.of("", None, say(N_("the file is empty")), source)])
    return root, data


def _refuse_expansion(root: Node, source: str) -> None:
    """Refuse a file whose aliases expand to more than MAX_VALUES values, naming the line that does."""
    sizes = expanded_sizes(root)
    if sizes[id(root)] <= MAX_VALUES:
        return
    node = root
    while (big := next((c for c in _children(node) if sizes[id(c)] > MAX_VALUES), None)) is not None:
        node = big
    message = say(
        N_("aliases here expand to more than %(limit)s values: write the values out or share less"),
        limit=f"{MAX_VALUES:,}",
    )
    raise DataFileError(source, [Problem.of("", node.start_mark.line + 1, message, source)])


def expanded_sizes(root: Node) -> dict[int, int]:
    """id(node) → how many values the node stands for once aliases are expanded (without expanding)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, SequenceNode) else []


def _syntax_problem(error: yaml.YAMLError, source: str, noun: str) -> Problem:
    line = None
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        line = error.problem_mark.line + 1
    return Problem.of("", line, syntax_message(error, noun), source)


def syntax_message(error: yaml.YAMLError, noun: str = N_("model file")) -> Message:
    """A YAML parse error in our words where we know it, else PyYAML's after ours."""
    context = getattr(error, "context", None) or ""
    problem = getattr(error, "problem", None) or str(error)
    if "could not determine a constructor" in context + problem:
        tag = problem.split("'")[1] if problem.count("'") >= 2 else problem
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return say(N_("YAML tags such as %(tag)s are not allowed in a %(kind)s"), tag=tag, kind=say(noun))
    if "expected a single document" in context + problem:
        msgid = N_("a %(kind)s holds one YAML document: remove the second '---' and what follows")
        return say(msgid, kind=say(noun))
    detail = ": ".join(part for part in (context, problem) if part)
    return say(N_("YAML syntax error: %(detail)s"), detail=detail)


def locate(finding: Finding, root: Node, source: str) -> Problem:
    """A validation finding as a Problem with the YAML line it points at."""
    message = finding.message
    if finding.first is not None:
        first = _line(root, finding.first)
        message = say(N_("%(message)s (first used on line %(line)s)"), message=message, line=first)
    return Problem.of(format_path(finding.loc), _line(root, finding.loc), message, source)


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
            message = say(
                N_("duplicate key '%(key)s'; only the one on line %(line)s is used"),
                key=key.value,
                line=last.start_mark.line + 1,
            )
            yield Problem.of(format_path((*loc, str(key.value))), key.start_mark.line + 1, message, source)
