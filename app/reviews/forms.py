"""Turning the review form's fields into a draft, with errors that name the field."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from app.catalogue.loader import builtin_catalogue
from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits

TEXT = limits.NOTE  # what went well, the bottleneck
ACTION = limits.TITLE  # one decided action: it may become a roadmap item's or a key result's title
MAX_ACTIONS = 30


@dataclass(frozen=True)
class Draft:
    """A review as the manager wrote it: texts, the failure patterns that showed, the actions."""

    went_well: str = ""
    bottleneck: str = ""
    patterns: tuple[str, ...] = ()
    actions: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def pattern_ids() -> tuple[str, ...]:
    """The playbook's failure patterns, as the risk register names them."""
    return tuple(r.id for r in builtin_catalogue().risks)


def draft(
    *,
    went_well: str,
    bottleneck: str,
    patterns: list[str],
    action_ids: list[str],
    actions: list[str],
    removed: list[str],
    new_action: str,
    earlier: list[dict[str, Any]],
) -> Draft:
    """A draft from the form; an action keeps what it became (its roadmap item, its key result)."""
    known = {a["id"]: a for a in earlier}
    kept = []
    for n, (action_id, text) in enumerate(zip(action_ids, actions, strict=False)):
        if action_id in removed:
            continue
        text = _action(text, f"actions-{n}")
        if not text:
            raise BadInput(N_("Write the action, or tick Remove to take it out."), field=f"actions-{n}")
        kept.append({**known.get(action_id, {"id": _new_id()}), "text": text})
    if new_action.strip():
        kept.append({"id": _new_id(), "text": _action(new_action, "new_action")})
    elif new_action:
        raise BadInput(N_("Write the action in words (it holds only spaces)."), field="new_action")
    if len(kept) > MAX_ACTIONS:
        raise BadInput(N_("At most %(max)d actions in one review."), field="new_action", max=MAX_ACTIONS)
    unknown = set(patterns) - set(pattern_ids())
    if unknown:
        raise BadInput(N_("Choose failure patterns from the list."), field="patterns")
    return Draft(
        checked_text(went_well, TEXT, "went_well", multiline=True).strip(),
        checked_text(bottleneck, TEXT, "bottleneck", multiline=True).strip(),
        tuple(p for p in pattern_ids() if p in patterns),
        tuple(kept),
    )


def _action(text: str, name: str) -> str:
    return checked_text(text, ACTION, name).strip()


def _new_id() -> str:
    return secrets.token_hex(4)
