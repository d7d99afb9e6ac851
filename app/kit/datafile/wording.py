"""Pydantic's validation errors on a data file, said in the app's own words with a hint where one helps.

Every error type a schema can raise has its own message; unknown keys name the closest known key (or
the one a common near-miss means), and a bare value where a mapping belongs shows how to write it. A
file kind adds its own words (its top level, its enums) through its Vocabulary.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from app.i18n import N_
from app.kit.datafile.findings import Loc
from app.kit.datafile.messages import Message, say

LANGUAGE_MESSAGES = {
    "missing": {"en": N_("missing English translation"), "ja": N_("missing Japanese translation")},
    "string_too_short": {"en": N_("empty English text"), "ja": N_("empty Japanese text")},
}
BOUNDS = {
    "greater_than": ("gt", N_("must be greater than %(limit)s")),
    "greater_than_equal": ("ge", N_("must be at least %(limit)s")),
    "less_than": ("lt", N_("must be less than %(limit)s")),
    "less_than_equal": ("le", N_("must be at most %(limit)s")),
}
SIMPLE = {
    "missing": N_("missing required field"),
    "string_too_short": N_("must not be empty"),
    "bool_type": N_("expected true or false"),
    "bool_parsing": N_("expected true or false"),
    "int_type": N_("expected a whole number"),
    "int_parsing": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "float_type": N_("expected a number"),
    "float_parsing": N_("expected a number"),
    "finite_number": N_("expected a finite number"),
}


@dataclass(frozen=True)
class Vocabulary:
    """What a kind of data file adds to the common words: its schema, near-misses and special cases."""

    root: type[BaseModel]
    top: str  # N_ msgid with %(got)s: what the file's top level must be
    near_misses: Mapping[str, str] = field(default_factory=dict)  # a key people write → the key meant
    special: Callable[[ErrorDetails], Message | None] = lambda _error: None  # tried first


def describe(error: ErrorDetails, vocabulary: Vocabulary) -> Message:
    """The message for one pydantic error on the data of a file."""
    said = vocabulary.special(error)
    if said is not None:
        return said
    kind, loc, value = error["type"], error["loc"], error["input"]
    field = loc[-1] if loc else ""
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in LANGUAGE_MESSAGES and field in ("en", "ja"):
        return say(LANGUAGE_MESSAGES[kind][str(field)])
    if kind == "unknown_level":
        return say(N_("unknown level %(level)s (levels run from %(min)s to %(max)s)"), **ctx)
    if kind == "extra_forbidden":
        return _unknown_key(str(field), known_keys(vocabulary.root, loc[:-1]), vocabulary.near_misses)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _not_a_mapping(vocabulary, loc, value)
    if kind in ("tuple_type", "list_type"):
        return say(N_("expected a list (lines starting with '- '), not %(got)s"), got=kind_of(value))
    return _value_message(kind, field, value, ctx)


def _value_message(kind: str, field: str | int, value: object, ctx: dict[str, Any]) -> Message:
    if kind == "string_type":
        return _not_text(value)
    if kind == "string_pattern_mismatch":
        if field == "version":
            return say(
                N_('\'%(value)s\' is not a version number: write it like "1.0" or "1.2.3"'), value=value
            )
        return say(N_("'%(value)s' is not a slug: use lowercase letters, digits and hyphens"), value=value)
    if kind == "string_too_long":
        return say(N_("too long: at most %(max)s characters"), max=ctx.get("max_length"))
    if kind == "too_short":
        return say(N_("too few entries: at least %(min)s needed, %(actual)s given"), **_lengths(ctx))
    if kind == "too_long":
        return say(N_("too many entries: at most %(max)s allowed"), max=ctx.get("max_length"))
    if kind == "enum":
        return say(N_("'%(value)s' is not one of %(expected)s"), value=value, expected=ctx.get("expected"))
    if kind in BOUNDS:
        key, msgid = BOUNDS[kind]
        return say(msgid, limit=ctx.get(key))
    return say(SIMPLE.get(kind, N_("this value is not valid here")))


def known_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the mapping at `loc` may hold, found by walking the schema from the top."""
    model: type[BaseModel] | None = root
    for index, part in enumerate(loc):
        if model is None:
            return []
        if isinstance(part, str) and part in model.model_fields:
            annotation = model.model_fields[part].annotation
            if index == len(loc) - 1 and typing.get_origin(annotation) is dict:
                return []  # a mapping of levels to texts, not a model's keys
            model = _model_in(annotation)
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (`X`, `X | None`, `tuple[X, ...]`, `dict[K, X]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (tuple, dict, list, typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return next((m for m in map(_model_in, args) if m is not None), None)
    return None


def _unknown_key(field: str, known: list[str], near_misses: Mapping[str, str]) -> Message:
    guess = near_misses.get(field)
    if guess not in known:
        close = difflib.get_close_matches(field, known, n=1)
        guess = close[0] if close else None
    if guess is not None:
        return say(
            N_("unknown field '%(field)s': did you mean %(suggestion)s?"), field=field, suggestion=guess
        )
    return say(N_("unknown field '%(field)s' (known here: %(known)s)"), field=field, known=", ".join(known))


def _not_a_mapping(vocabulary: Vocabulary, loc: Loc, value: object) -> Message:
    if not loc:
        return say(vocabulary.top, got=kind_of(value))
    if known_keys(vocabulary.root, loc) == ["en", "ja"]:
        return say(N_("expected a text in both languages: {en: …, ja: …}, not %(got)s"), got=kind_of(value))
    return say(N_("expected a mapping (key: value lines), not %(got)s"), got=kind_of(value))


def _not_text(value: object) -> Message:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return say(N_("expected text, not the number %(value)s: put it in quotes"), value=value)
    return say(N_("expected text, not %(got)s"), got=kind_of(value))


def _lengths(ctx: dict[str, Any]) -> dict[str, object]:
    return {"min": ctx.get("min_length"), "actual": ctx.get("actual_length")}


def kind_of(value: object) -> Message:
    """What the reader wrote, in words."""
    if value is None:
        return say(N_("nothing"))
    if isinstance(value, bool):
        return say(N_("true or false"))
    if isinstance(value, int | float):
        return say(N_("a number"))
    if isinstance(value, str):
        return say(N_("the text '%(value)s'"), value=value[:40])
    if isinstance(value, list | tuple):
        return say(N_("a list"))
    return say(N_("a mapping"))
