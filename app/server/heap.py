"""Keep what a warmed-up server holds for good out of the garbage collector's full collections."""

from __future__ import annotations

import gc

from starlette.types import ASGIApp, Receive, Scope, Send


class FreezeWhenWarm:
    """After the `after`-th requests (pages and changes), collect once and freeze what survived (gc.freeze).

    The served app freezes what it loaded at start-up, but its first requests build ~60k more objects
    that live as long as the process: mappers configured, route dependencies solved, SQL compiled and
    cached, templates' url_for memoised. Each full collection walked them all, ~40 ms with every thread
    stopped, about 14 times a minute under the load mix. What was already garbage is collected first;
    what is frozen and later freed by reference counting is freed as usual, so only cycles among the
    objects alive at those moments (a few requests' worth) stay for good.
    """

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
