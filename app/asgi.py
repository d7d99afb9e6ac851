"""The ASGI application uvicorn serves (`app.asgi:app`), with the garbage collector tuned for a server."""

import gc
import signal

from starlette.types import ASGIApp, Receive, Scope, Send

from app import web
from app.kit.heap import FreezeWhenWarm
from app.main import create_app
from app.middleware import ReadSlots
from app.reports import render

app = create_app()
web.compile_all()  # before the freeze below: the compiled templates live as long as the process

# What is loaded by now (code, libraries, the app: ~150k objects) lives as long as the process, yet each
# full collection walked all of it: ~90 ms with every thread stopped, about 17 times a minute under the
# load mix (benchmarks/load.py --diagnose), which made the saves' and pages' p99. Keep it out of the
# collector's reach. (Larger young generations were tried too: fewer but longer pauses, no better.)
gc.collect()
gc.freeze()
app.add_middleware(FreezeWhenWarm, skip=ReadSlots.SKIP_PREFIXES)  # and again once requests warmed it


class StopRendersOnSignals:
    """At start-up (uvicorn's signal handlers are in place by then, not yet when this module is imported),
    put ending the render process in front of them: the server's graceful shutdown then waits for no
    render, and stops within seconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            render.stop_on_signals(signal.SIGTERM, signal.SIGINT)
        await self.app(scope, receive, send)


# The served process (not every app the tests create) starts its PDF render process right away.
render.warm_up()
app.add_middleware(StopRendersOnSignals)
