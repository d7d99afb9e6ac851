"""Pagination of a select: one count query and one page query, whatever the table size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # 1-based
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.per_page)

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.number, self.per_page, self.total)


def _clamped(page: int, *, total: int, per_page: int) -> int:
    """`page`, or the nearest page that exists."""
    return min(max(1, page), max(1, -(-total // per_page)))


def paginate(session: Session, query: Select[*Ts], *, page: int, per_page: int) -> Page[Any]:
    """Rows of `query` on page `page` (clamped to the pages that exist)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = _clamped(page, total=total, per_page=per_page)
    rows: Sequence[Any] = session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    items: list[Any] = [row[0] if len(row) == 1 else tuple(row) for row in rows]
    return Page(items, number, per_page, total)


def page_of(items: Sequence[T], *, page: int, per_page: int) -> Page[T]:
    """`items` (already in memory) on page `page` (clamped to the pages that exist)."""
    number = _clamped(page, total=len(items), per_page=per_page)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, per_page, len(items))
