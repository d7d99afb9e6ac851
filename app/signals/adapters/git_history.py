"""History over the last 90 days: activity, and release-tag proxies for three DORA measures.

Pure: commits and tags come in as plain values (parsed from `git log` / `git for-each-ref` output) and
are folded into a small `History` that the next sync continues from, so a re-scan reads only new commits.
The state holds per-day counts, each author's last active day and, per release tag in the window, a
bounded sample of lead times: its size depends on the window and the team, never on the history.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.signals.adapters.base import Signal

WINDOW_DAYS = 90
DAY = 86_400
LEAD_SAMPLE = 50  # lead times kept per release tag (evenly spread quantiles when there are more)
STATE_VERSION = 2
LOG_FORMAT = "%H%x1f%P%x1f%at%x1f%ct%x1f%ae%x1f%s"
TAG_FORMAT = "%(refname:strip=2)%1f%(objecttype)%1f%(objectname)%1f%(*objectname)%1f%(creatordate:unix)"
DEFAULT_RELEASE_TAG = r"^(v|release[-_/]?)?\d+(\.\d+)*$"
_REVERTS = (b"Revert ", b'Reapply "')  # the subjects git revert writes

DEPLOY_PROXY = "DORA deployment frequency (proxy: release tags, not deployments)"
LEAD_PROXY = "DORA lead time for changes (proxy: commit author time to the first release tag containing it)"
FAILURE_PROXY = "DORA change failure rate (proxy: share of commits that revert another)"


@dataclass(frozen=True)
class Tag:
    """A tag, peeled to its commit, with its creation time (tagger date, or the commit's date)."""

    name: str
    sha: str
    time: int


def parse_tags(output: bytes) -> list[Tag]:
    """Tags from `git for-each-ref --format=TAG_FORMAT refs/tags`, peeled to commits."""
    tags = []
    for line in output.decode("utf-8", "replace").splitlines():
        parts = line.split("\x1f")
        if len(parts) != 5 or not parts[4]:
            continue
        name, kind, sha, peeled, created = parts
        tags.append(Tag(name, peeled if kind == "tag" and peeled else sha, int(created)))
    return tags


def release_tags(tags: Iterable[Tag], pattern: str, since: int) -> list[Tag]:
    """The release tags created since a time, oldest first."""
    rule = re.compile(pattern)
    return sorted((t for t in tags if t.time >= since and rule.match(t.name)), key=lambda t: (t.time, t.name))


class LogScan:
    """Folds `git log --format=LOG_FORMAT` output, chunk by chunk as git writes it, into per-day counts,
    each author's last day and (for a first scan) the commit graph that first_releases walks."""

    def __init__(self, since: int, *, graph: bool) -> None:
        self.since = since
        self.graph = graph
        self.count = 0
        self.days: dict[int, list[int]] = {}  # day number -> [commits, reverts]
        self.authors: dict[bytes, int] = {}  # e-mail -> last day
        self.parents: dict[bytes, bytes] = {}  # sha -> its parents, space-separated
        self.times: dict[bytes, int] = {}  # sha -> author time
        self._rest = b""

    def feed(self, chunk: bytes) -> None:
        """Take the next piece of git's output (lines may be cut anywhere)."""
        lines = (self._rest + chunk).split(b"\n")
        self._rest = lines.pop()
        self._take(lines)

    def close(self) -> None:
        """Take the last line, when git's output did not end with a newline."""
        if self._rest:
            self._take([self._rest])
            self._rest = b""

    def _take(self, lines: list[bytes]) -> None:
        days, authors, parents, times, since = self.days, self.authors, self.parents, self.times, self.since
        for line in lines:
            if not line:
                continue
            sha, parent, authored, committed, author, subject = line.split(b"\x1f", 5)
            when = int(committed)
            if when < since:
                continue
            day = when // DAY
            counts = days.get(day)
            if counts is None:
                counts = days[day] = [0, 0]
            counts[0] += 1
            if subject.startswith(_REVERTS):
                counts[1] += 1
            if authors.get(author, -1) < day:
                authors[author] = day
            if self.graph:
                parents[sha] = parent
                times[sha] = int(authored)
            self.count += 1

    def first_releases(self, releases: list[Tag]) -> dict[str, list[int]]:
        """For each release tag (oldest first), the author times of the commits it was first to contain.

        Walks the graph from each tag's commit; a commit is taken out of the graph once released, so a
        later tag never counts it again and the whole walk visits each commit once.
        """
        parents, times = self.parents, self.times
        found: dict[str, list[int]] = {}
        for tag in releases:
            mine = found.setdefault(tag.name, [])
            stack = [tag.sha.encode()]
            while stack:
                sha = stack.pop()
                above = parents.pop(sha, None)
                if above is None:
                    continue  # released already, or outside the window or the branch
                mine.append(times[sha])
                if above:
                    stack.extend(above.split())
        return found

    def into(self, history: History) -> None:
        """Add the counts to a History (e-mails become short non-reversible keys)."""
        for day, (commits, reverts) in self.days.items():
            counts = history.days.setdefault(str(day), [0, 0])
            counts[0] += commits
            counts[1] += reverts
        for email, day in self.authors.items():
            key = author_key(email.decode("utf-8", "replace"))
            history.authors[key] = max(history.authors.get(key, 0), day)


def author_key(email: str) -> str:
    """A short, non-reversible key for an author, so the state holds no e-mail address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10]


@dataclass
class History:
    """What the next sync needs: the scanned head, per-day counts and per-release lead-time samples."""

    head: str | None = None
    head_time: int | None = None
    days: dict[str, list[int]] = field(default_factory=dict)  # day number -> [commits, reverts]
    authors: dict[str, int] = field(default_factory=dict)  # author key -> the last day they committed
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)  # tag -> {sha, time, n, lead}

    def to_state(self) -> dict[str, Any]:
        """A JSON-safe dict for SyncResult.state."""
        return {
            "version": STATE_VERSION,
            "head": self.head,
            "head_time": self.head_time,
            "days": self.days,
            "authors": self.authors,
            "releases": self.releases,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> History | None:
        """The history a previous sync left, or None when there is none or it is of another version."""
        if not state or state.get("version") != STATE_VERSION or not state.get("head"):
            return None
        days, authors = dict(state["days"]), dict(state["authors"])
        return cls(state["head"], state.get("head_time"), days, authors, dict(state["releases"]))

    def add_release(self, tag: Tag, author_times: list[int]) -> None:
        """Record a release tag and the lead times (in minutes) of the commits it first contains."""
        leads = sorted((tag.time - t) // 60 for t in author_times if tag.time - t > 0)
        self.releases[tag.name] = {"sha": tag.sha, "time": tag.time, "n": len(leads), "lead": _sample(leads)}

    def prune(self, since: int) -> None:
        """Forget days and releases older than the window."""
        first_day = since // DAY
        self.days = {day: v for day, v in self.days.items() if int(day) >= first_day}
        self.authors = {key: day for key, day in self.authors.items() if day >= first_day}
        self.releases = {name: r for name, r in self.releases.items() if r["time"] >= since}


def _sample(values: list[int]) -> list[int]:
    if len(values) <= LEAD_SAMPLE:
        return values
    step = (len(values) - 1) / (LEAD_SAMPLE - 1)
    return [values[round(i * step)] for i in range(LEAD_SAMPLE)]


def weighted_median(samples: Iterable[tuple[list[int], int]]) -> float | None:
    """The median of values given as (sample, how many values the sample stands for)."""
    weighted = sorted((v, n / len(s)) for s, n in samples if s for v in s)
    total = sum(w for _, w in weighted)
    if not weighted:
        return None
    running = 0.0
    for value, weight in weighted:
        running += weight
        if running >= total / 2:
            return float(value)
    return float(weighted[-1][0])


def deploy_bucket(times: list[int], since: int) -> str:
    """Four Keys' deployment-frequency bucket for deploy times in a 90-day window."""
    weeks = [set() for _ in range(WINDOW_DAYS // 7 + 1)]  # type: list[set[int]]
    for t in times:
        index = (t - since) // (7 * DAY)
        if 0 <= index < len(weeks):
            weeks[index].add((t - since) // DAY)
    per_week = [len(days) for days in weeks]
    if statistics.median(per_week) >= 3:
        return "daily"
    if statistics.median(per_week) >= 1:
        return "weekly"
    months = [any(per_week[i : i + 4]) for i in range(0, 12, 4)]
    return "monthly" if statistics.median([int(m) for m in months]) >= 1 else "yearly"


def lead_bucket(hours: float) -> str:
    """Four Keys' lead-time bucket."""
    for limit, name in (
        (24, "one_day"),
        (24 * 7, "one_week"),
        (24 * 30, "one_month"),
        (24 * 182, "six_months"),
    ):
        if hours < limit:
            return name
    return "one_year"


def history_signals(history: History, *, now: int, pattern: str) -> list[Signal]:
    """The history signals over the 90 days before `now`."""
    since = now - WINDOW_DAYS * DAY
    commits = sum(v[0] for v in history.days.values())
    reverts = sum(v[1] for v in history.days.values())
    window = {"window_days": WINDOW_DAYS}
    signals = [
        Signal("git.history.commits_per_week", round(commits / (WINDOW_DAYS / 7), 2), "per_week",
               {**window, "commits": commits}),
        Signal("git.history.contributors", float(len(history.authors)), "count",
               {**window, "measured_as": "distinct author e-mails"}),
    ]  # fmt: skip
    if history.head_time is not None:
        age = max(0.0, (now - history.head_time) / DAY)
        signals.append(Signal("git.history.days_since_last_commit", round(age, 2), "days"))
    times = sorted(r["time"] for r in history.releases.values())
    signals.append(
        Signal(
            "git.delivery.release_tags_per_month",
            round(len(times) / (WINDOW_DAYS / 30), 2),
            "per_month",
            {**window, "releases": len(times), "tag_pattern": pattern, "proxy_for": DEPLOY_PROXY,
             "bucket": deploy_bucket(times, since)},
        )
    )  # fmt: skip
    median = weighted_median((r["lead"], r["n"]) for r in history.releases.values())
    if median is not None:
        hours = round(median / 60, 2)
        released = sum(r["n"] for r in history.releases.values())
        detail = {**window, "commits": released, "proxy_for": LEAD_PROXY, "bucket": lead_bucket(hours)}
        signals.append(Signal("git.delivery.lead_time_hours", hours, "hours", detail))
    if commits:
        detail = {**window, "reverts": reverts, "commits": commits, "proxy_for": FAILURE_PROXY}
        signals.append(Signal("git.delivery.revert_share", round(reverts / commits, 4), "ratio", detail))
    return signals
