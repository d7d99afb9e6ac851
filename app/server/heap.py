"""Keep what a warmed-up server holds for good out of the garbage collector's full collections."""

from __future__ import annotations

import gc

from starlette.types import ASGIApp, Receive, Scope, Send


class FreezeWhenWarm:
    """After the `after`-th requests (pages and changes), collect once and freeze what survived
    (gc.freeze): what the first requests built for good (mappers, solved dependencies, compiled SQL)
    leaves the collector's full passes. Why: docs/performance.md, "warm_freeze"."""

    def __init__(
        self, app: ASGIApp, *, after: tuple[int, ...] = (200, 2000), skip: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.after = set(after)
        self.skip = skip  # path prefixes that warm nothing (static files, health probes): not counted
        self.served = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and self.after and not scope["path"].startswith(self.skip):
            self.served += 1
            if self.served in self.after:
                self.after.discard(self.served)
                gc.collect()
                gc.freeze()
