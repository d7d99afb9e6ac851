"""The in-process memo keeps the most recently used entries."""

from __future__ import annotations

from app.kit.lru import Lru


def test_the_least_recently_used_entry_goes_first_and_reading_keeps_one() -> None:
    memo: Lru[str, int] = Lru(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
