"""Every template compiles (the served process compiles them all before it takes requests)."""

from __future__ import annotations

from app import web
from app.config import PROJECT_ROOT


def test_every_template_compiles_before_the_first_request() -> None:
    on_disk = sorted(
        p.relative_to(PROJECT_ROOT / "templates").as_posix()
        for p in (PROJECT_ROOT / "templates").rglob("*.html")
    )
    assert web.compile_all() == len(on_disk)
    cached = web.templates().env.cache
    assert cached is not None
    assert {name for _loader, name in cached} >= set(on_disk)
