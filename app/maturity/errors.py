"""What model files add to the data-file words: near-miss keys, the scoring hint, strategy names."""

from __future__ import annotations

import difflib

from pydantic_core import ErrorDetails

from app.i18n import N_
from app.kit.datafile import wording
from app.kit.datafile.messages import Message, say
from app.maturity.schema import MaturityModel, ScoringStrategy

# Keys people write for another one (from other tools' formats), beyond what difflib finds.
NEAR_MISSES = {
    "requires": "prerequisites",
    "depends_on": "prerequisites",
    "dependencies": "prerequisites",
    "needs": "prerequisites",
    "answers": "choices",
    "options": "choices",
    "title": "name",
    "label": "name",
    "score": "level",
    "value": "level",
    "na": "allow_na",
    "not_applicable": "allow_na",
    "question": "text",
    "jp": "ja",
    "japanese": "ja",
    "english": "en",
}


def describe(error: ErrorDetails) -> Message:
    """The message for one pydantic error on model file data."""
    return wording.describe(error, VOCABULARY)


def _special(error: ErrorDetails) -> Message | None:
    kind, loc, value = error["type"], error["loc"], error["input"]
    if kind in ("model_type", "model_attributes_type", "dict_type") and loc and loc[-1] == "scoring":
        strategy = value if value in set(ScoringStrategy) else ScoringStrategy.MEAN.value
        return say(N_("scoring is a mapping: write scoring: {strategy: %(strategy)s}"), strategy=strategy)
    if kind == "enum":
        return _unknown_strategy(value)
    return None


def _unknown_strategy(value: object) -> Message:
    names = [s.value for s in ScoringStrategy]
    close = difflib.get_close_matches(str(value), names, n=1)
    if close:
        return say(
            N_("unknown scoring strategy '%(value)s': did you mean %(suggestion)s?"),
            value=value,
            suggestion=close[0],
        )
    return say(
        N_("unknown scoring strategy '%(value)s': use one of %(known)s"), value=value, known=", ".join(names)
    )


VOCABULARY = wording.Vocabulary(
    root=MaturityModel,
    top=N_("a model file is a mapping with id, version, name and dimensions at the top, not %(got)s"),
    near_misses=NEAR_MISSES,
    special=_special,
)
