"""What every source adapter gives the sync service: signals, a resumable state, or a SyncError.

Adapters are plain classes that know nothing of the database, FastAPI or templates. The sync service
stores what they return (signals as a time series, the state for the next incremental sync) and keeps
the last good signals when a sync fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

# Why a sync or a connection test failed, in words the team page can translate.
ErrorKind = Literal[
    "unreachable",  # connection refused, DNS failure, repository vanished
    "timeout",  # no answer within the time-out
    "unauthorised",  # 401 or 403
    "not_mlflow",  # answers, but /version is not an MLflow server's
    "not_repository",  # the URL or path holds no git repository
    "branch_missing",  # the repository has no such branch
    "host_not_allowed",  # not on the admin's allow-list, a private/metadata address, a redirect elsewhere
    "path_not_allowed",  # a local path outside the allowed root, or a forbidden git transport (ext::)
    "bad_response",  # malformed JSON, an unexpected status (5xx after retries)
    "too_large",  # a response or repository beyond the size cap
]


@dataclass(frozen=True)
class Summary:
    """What a connection test found, in words translated where they are shown: an N_() message and the
    values it names ("branch %(branch)s at %(head)s" with branch and head)."""

    message: str
    values: dict[str, str | int] = field(default_factory=dict)

    def __str__(self) -> str:
        """In English (logs, the command line)."""
        return self.message % self.values

    def to_json(self) -> str:
        return json.dumps({"message": self.message, "values": self.values}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Summary | None:
        """The summary `to_json` wrote, or None for any other text (a failure's detail, an older note)."""
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return None
        return cls(data["message"], dict(data.get("values") or {}))


class SyncError(Exception):
    """A sync or connection test that failed for a reason the user can act on."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message  # English, specific, never holding a credential

    def __reduce__(self) -> tuple[type[SyncError], tuple[ErrorKind, str]]:
        """Pickled as kind and message: a sync runs in a process of its own (app/signals/sync_process.py)."""
        return SyncError, (self.kind, self.message)


Unit = Literal["count", "ratio", "bool", "per_week", "per_month", "hours", "days"]


@dataclass(frozen=True)
class Signal:
    """One measured fact, e.g. ("git.ci.configured", 1, "bool") or ("mlflow.runs.per_week", 12.5, ...)."""

    key: str  # stable dotted id, "<adapter>.<topic>.<measure>"; evidence rules refer to it
    value: float  # booleans are 0 or 1; ratios 0..1
    unit: Unit
    detail: dict[str, Any] = field(default_factory=dict)  # JSON-safe extras (e.g. which CI systems)
    url: str | None = None  # where a person can see it at the source, if anywhere


@dataclass(frozen=True)
class SyncResult:
    """What one sync produced."""

    signals: list[Signal]
    state: dict[str, Any]  # JSON-safe, bounded in size; handed back on the next sync (incremental)
    counts: dict[str, int]  # what was read this time, e.g. {"runs": 120} or {"commits": 100}


@dataclass(frozen=True)
class Outbound:
    """The admin's rules for reaching sources (empty allow-list = no remote host at all)."""

    allowed_hosts: tuple[str, ...] = ()  # host names or IP addresses; "*.example.com" allows sub-domains
    allow_private: bool = False  # private, loopback and link-local addresses (metadata!) refused unless set
    allowed_root: str | None = None  # local git repositories only under this folder; None = none
    timeout_seconds: float = 10.0
    max_bytes: int = 20_000_000  # one HTTP response, or one git clone or fetch
    git_max_bytes: int = 500_000_000  # what a git adapter gets as its max_bytes (adapters.build)


class Adapter(Protocol):
    """A connected source, configured and ready to be tested or synced."""

    def test(self) -> Summary:
        """Check the source is reachable and is what it claims: a one-line summary, or SyncError."""
        ...

    def sync(self, *, state: dict[str, Any] | None, now: datetime) -> SyncResult:
        """Read what changed since `state` (None: everything) and return all current signals."""
        ...
