"""HTML to PDF, never on the event loop and never in the serving process: WeasyPrint is pure Python,
so a render of a second or more in the server would hold its GIL and stall every other request. Renders
run in worker processes started on first use (each keeps its fonts loaded), one render at a time in
each: LANES of them, so that a slow document holds up one process while other documents render in the
other (readers of one document share one render, so one document never holds both).

Every wait is bounded, so that one slow document cannot hold up everyone: a render that outlasts its
time-out has its process killed and replaced; a reader waits for its turn no longer than that; and when
the server stops, the render in progress ends and its readers are answered, so that the server stops
within seconds. (How many download requests may wait at all is bounded in front of the routes, by
app.server.pdf_slots.PdfSlots, before they take a thread or a database connection.)"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple

if TYPE_CHECKING:  # WeasyPrint is imported in the render process only: the server never needs it
    from multiprocessing.connection import Connection

    from weasyprint.text.fonts import FontConfiguration

log = logging.getLogger("hoshin")
T = TypeVar("T")
Args = TypeVarTuple("Args")
FREEZE_ABOVE = 5_000  # objects left for the collector to walk after a render, before they are frozen
END_GRACE = 1.0  # seconds a render process has to leave on SIGTERM (dropping its fonts) before it is killed
REFUSE_SLOW_FOR = 300  # seconds a document whose render timed out is refused at once, not rendered again
LANES = 2  # render processes: the second starts only when a render finds the first one busy
# Renders are background work: at this lower CPU priority (nice), pages and saves go first when the cores
# are busy with PDFs (benchmarks/hostile.py --with-load: a storm of PDFs beside the load mix).
RENDER_NICENESS = 10
_fonts: FontConfiguration | None = None  # in the worker, reused: loading the Japanese font costs ~0.5 s


class Unavailable(Exception):
    """No PDF this time; the reader may try again later."""


class Busy(Unavailable):
    """The render process stayed busy with other documents past the time-out."""


class TimedOut(Unavailable):
    """The render took longer than its time-out (or did lately): its process was killed and replaced."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the render took longer than {seconds:g} s")
        self.seconds = seconds


class Stopped(Unavailable):
    """The server is stopping (or the render process was ended on purpose) before the PDF was made."""


@dataclass(frozen=True)
class Pdf:
    data: bytes
    refused: tuple[str, ...]  # URLs the document asked for and did not get


class _Process:
    """One render process and the pipe to it (a pipe, not a pool's queues: nothing for the
    multiprocessing resource tracker to find leaked when the server is stopped by a signal)."""

    def __init__(self) -> None:
        # spawn, not fork: forking a threaded server process can copy a held lock into the child
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, os.getpid()), name="hoshin-render", daemon=True
        )
        self.process.start()
        child.close()
        self.ended = False  # ended on purpose (time-out, stop): not retried
        self._ending = threading.Lock()

    def call(self, function: Callable[..., T], args: tuple[Any, ...], timeout: float | None) -> T:
        """Run `function(*args)` there; raises _Gone if the process died, _Late past `timeout` seconds."""
        try:
            self.connection.send((function, args))
            answered = self.connection.poll(timeout)
            if answered:
                ok, value = self.connection.recv()
        except (EOFError, OSError) as error:
            raise _Gone from error
        if not answered:
            raise _Late
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def interrupt(self) -> None:
        """Ask the process to leave now (from any thread, without waiting); killed if it has not soon."""
        self.ended = True
        self.process.terminate()
        killer = threading.Timer(END_GRACE, self.process.kill)
        killer.daemon = True
        killer.start()

    def end(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after END_GRACE) and reap it."""
        with self._ending:
            self.process.terminate()
            self.process.join(END_GRACE)
            if self.process.exitcode is None:
                self.process.kill()
                self.process.join()
            self.connection.close()


class _Gone(Exception):
    """The render process died (killed, out of memory) or was ended."""


class _Late(Exception):
    """No answer within the time-out."""


class _Lane:
    """One render process, and the turn to use it: one render at a time in it."""

    def __init__(self) -> None:
        self.turn = threading.Lock()  # its holder alone starts, uses and ends the process
        self.process: _Process | None = None  # guarded by _process_lock


_process_lock = threading.Lock()  # guards the lanes' processes and the idle list, held only for moments
_lanes = tuple(_Lane() for _ in range(LANES))
_idle = list(_lanes)  # the lane used last first: its process is warm, a second starts only when needed
_free = threading.Semaphore(LANES)
_stopping = threading.Event()


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: Pdf | None = None
    error: BaseException | None = None


class _Readers:
    """Who waits for which render: one flight per document, and the documents that lately took too
    long (refused at once instead of taking the process again)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.flights: dict[str, _Flight] = {}
        self.too_slow: dict[str, tuple[float, float]] = {}  # key: (refused until, the time-out it took)

    def join(self, key: str) -> tuple[_Flight, bool]:
        """The flight for `key` and whether this reader leads it; raises if it may not wait."""
        with self.lock:
            if _stopping.is_set():
                raise Stopped
            self.refuse_if_too_slow(key)
            flight = self.flights.get(key)
            if flight is None:
                flight = self.flights[key] = _Flight()
                return flight, True
            return flight, False

    def land(self, key: str, flight: _Flight) -> None:
        """The leader's render ended: the followers may read its outcome."""
        with self.lock:
            del self.flights[key]
            if isinstance(flight.error, TimedOut):
                self.too_slow[key] = (time.monotonic() + REFUSE_SLOW_FOR, flight.error.seconds)
        flight.done.set()

    def refuse_if_too_slow(self, key: str) -> None:
        now = time.monotonic()
        for known, (until, _seconds) in list(self.too_slow.items()):
            if until <= now:
                del self.too_slow[known]
        if key in self.too_slow:
            raise TimedOut(self.too_slow[key][1])


_readers = _Readers()


def render_once(key: str, html: str, *, timeout: float | None = None) -> Pdf:
    """`html_to_pdf`, but requests for the same document at the same time share one render (a cold
    cache under load would otherwise queue the same render many times behind the one-render gate), and
    a document that timed out lately is refused at once (TimedOut)."""
    flight, leader = _readers.join(key)
    if not leader:
        flight.done.wait()
        return _outcome(flight)
    try:
        flight.result = html_to_pdf(html, timeout=timeout)
    except BaseException as error:
        flight.error = error
        raise
    finally:
        _readers.land(key, flight)
    return flight.result


def refuse_if_too_slow(key: str) -> None:
    """Raise TimedOut if the document with this key timed out lately (before building it again)."""
    with _readers.lock:
        _readers.refuse_if_too_slow(key)


def _outcome(flight: _Flight) -> Pdf:
    """A follower's share of the leader's render: its PDF, or the same refusal."""
    if flight.result is not None:
        return flight.result
    if isinstance(flight.error, TimedOut):
        raise TimedOut(flight.error.seconds)
    if isinstance(flight.error, Unavailable):
        raise type(flight.error)()
    raise RuntimeError("the render these readers shared failed") from flight.error


def html_to_pdf(html: str, *, timeout: float | None = None) -> Pdf:
    """Render a report page to PDF bytes in the render process. Callers run this in a worker thread
    (def routes do); it waits for its turn and for the render, each at most `timeout` seconds."""
    return _in_render_process(_render, html, _gc_tuning[0], timeout=timeout)


_gc_tuning = [True]  # the render process's collector tuning ("render_gc", app/server/machinery.py)


def tune_gc(on: bool) -> None:
    """Whether renders from now on run with the collector tuned (create_app sets it from the settings;
    it travels with each render, so a process already started follows it)."""
    _gc_tuning[0] = on


def _in_render_process(function: Callable[[*Args], T], *args: *Args, timeout: float | None = None) -> T:
    """Call `function` in a free render process, waiting at most `timeout` seconds for one to be free,
    and wait for its result."""
    try:
        with _a_lane(timeout) as lane:
            return _call(lane, function, args, timeout)
    except TimedOut:
        warm_up()  # the replacement, fonts loaded, for the next reader
        raise


@contextmanager
def _a_lane(timeout: float | None) -> Iterator[_Lane]:
    """A lane no other render uses, or Busy after `timeout` seconds."""
    if not _free.acquire(timeout=timeout):
        raise Busy
    with _process_lock:
        lane = _idle.pop(0)
    try:
        with lane.turn:
            yield lane
    finally:
        with _process_lock:
            _idle.insert(0, lane)
        _free.release()


def _call(lane: _Lane, function: Callable[..., T], args: tuple[Any, ...], timeout: float | None) -> T:
    for _attempt in (1, 2):
        process = _current(lane)
        try:
            return process.call(function, args, timeout)
        except _Late:
            log.warning("a PDF render took longer than %g s: its process is replaced", timeout)
            _end(lane, process)
            _current(lane)  # its replacement starts now; warm_up() loads its fonts once the lane is free
            raise TimedOut(timeout or 0) from None
        except _Gone:  # ended on purpose, or died (killed, out of memory): then a new one, once
            _end(lane, process)
            if process.ended or _stopping.is_set():
                raise Stopped from None
    raise RuntimeError("the render process died twice in a row")


def _current(lane: _Lane) -> _Process:
    """The lane's render process, started if there is none (called holding its turn)."""
    with _process_lock:
        if _stopping.is_set():
            raise Stopped
        if lane.process is None:
            lane.process = _Process()
        return lane.process


def _end(lane: _Lane, process: _Process) -> None:
    """Stop `process` and forget it (called holding the lane's turn)."""
    with _process_lock:
        if lane.process is process:
            lane.process = None
    process.end()


# A page that loads the report stylesheet's fonts (Latin and Japanese), as every report does.
WARM_UP_HTML = '<link rel="stylesheet" href="css/report.css"><p>Hoshin 準備</p>'


def warm_up() -> threading.Thread:
    """Start the render process and load its fonts in the background, so that the first download after
    the server starts (or after a render was killed) does not wait seconds for them."""

    def run() -> None:
        try:
            html_to_pdf(WARM_UP_HTML)
            if font_subsetter() != "harfbuzz":
                log.warning("PDF fonts are subset by fontTools: libharfbuzz-subset0 would be ~3x faster")
        except Stopped:  # the server stops while it starts: nothing to say
            pass
        except Exception:  # a later render starts the process again, and reports its own failure
            log.warning("the render process did not warm up", exc_info=True)

    thread = threading.Thread(target=run, name="render-warm-up", daemon=True)
    thread.start()
    return thread


def font_subsetter() -> str:
    """What the render process subsets embedded fonts with: "harfbuzz" (HarfBuzz's C subsetter) or
    "fonttools" (WeasyPrint's pure-Python fallback, ~1 s a document on the Japanese font here)."""
    return _in_render_process(_subsetter)


def process_id() -> int | None:
    """The id of the render process the next render would use, if one is running (for diagnostics and
    tests)."""
    with _process_lock:
        running = [lane.process for lane in _idle + list(_lanes) if lane.process is not None]
        return running[0].process.pid if running else None


def shutdown() -> None:
    """End the render processes now, and the renders in progress if any (their readers get Stopped);
    the next render starts another."""
    _interrupt()
    for lane in _lanes:
        with lane.turn:
            with _process_lock:
                process = lane.process
            if process is not None:
                _end(lane, process)


def stop() -> None:
    """The server is stopping: refuse renders from now on and end the one in progress, whose readers
    are answered at once. Safe in a signal handler: it waits for nothing."""
    _stopping.set()
    _interrupt()


def stop_on_signals(*signals: signal.Signals) -> None:
    """In the served process: on these signals `stop()` renders, then do what was done before (the
    server's own graceful shutdown, which then waits for no render). Signals are the main thread's:
    elsewhere (an app a test imports in a thread) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in signals:
        signal.signal(number, _then(signal.getsignal(number)))


def _then(previous: Any) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:  # what the signal would have done without us
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    return handler


def _interrupt() -> None:
    with _process_lock:
        processes = [lane.process for lane in _lanes if lane.process is not None]
    for process in processes:
        process.interrupt()


def _serve(connection: Connection, parent: int) -> None:
    """The render process: run each call the server sends, answer (True, result) or (False, error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the process group: the server decides
    signal.signal(signal.SIGTERM, _leave)
    _exit_with_parent(parent)
    os.nice(RENDER_NICENESS)
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # leaving: a SIGTERM now would cut atexit short
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as error:
            answer = (False, error)
        try:
            connection.send(answer)
        except Exception as error:  # an error WeasyPrint raised that cannot be pickled
            connection.send((False, RuntimeError(f"{type(error).__name__}: {error}")))


def _leave(signum: int, frame: FrameType | None) -> None:
    """In the render process, on SIGTERM: exit through atexit (the fonts' temporary folder goes too),
    once: a second SIGTERM during atexit would interrupt it with a traceback."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(0)


def _exit_with_parent(parent: int) -> None:
    """In the render process: leave when the server is gone (even killed), not linger orphaned."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _subsetter() -> str:
    """Runs in the render process."""
    from weasyprint.text import ffi

    return "harfbuzz" if ffi.harfbuzz_subset is not None else "fonttools"


def _render(html: str, tune_gc: bool = True) -> Pdf:
    """Runs in the render process."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from app.reports.fetcher import STATIC_ROOT, StaticOnlyFetcher

    global _fonts
    fetcher = StaticOnlyFetcher()
    if _fonts is None:
        _fonts = FontConfiguration()
        atexit.register(_drop_fonts)
    with _one_collection(tune_gc):
        document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher)
        return Pdf(document.write_pdf(font_config=_fonts), tuple(fetcher.refused))


def _drop_fonts() -> None:
    """At the render process's exit, while modules are still whole: the fonts' temporary folder is
    removed when they are dropped (frozen, they would otherwise be dropped only at teardown, too late)."""
    global _fonts
    _fonts = None


@contextmanager
def _one_collection(tune: bool) -> Iterator[None]:
    """Runs in the render process: no garbage collection during a render, one after it, and what a
    render leaves behind for good frozen once it is more than FREEZE_ABOVE objects (the first render's
    modules, a font loaded for the first time). Why: docs/performance.md, "render_gc"."""
    if not tune:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
        if len(gc.get_objects()) > FREEZE_ABOVE:
            gc.freeze()
