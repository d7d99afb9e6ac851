"""A render that takes its time, for the tests of what bounds a render: swapped in for
`render._render` (by the test, or by the test's own launcher of a served process: production has no
switch for it), it runs in the render process, notes there that it has begun (in a file named after
the server process, with its own process id), then sleeps before rendering."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from app.reports import render

SLEEP = 30  # seconds: far longer than any test waits; the tests end the render before
MARK = "render-me-slowly"  # slow_when_marked() is slow for the documents holding this text only
HOLD = 120  # seconds slow_when_marked() waits for the test to release it, at most


def begun(server: int) -> Path:
    """The file a slow render of this server's writes when it begins."""
    return Path(tempfile.gettempdir()) / f"hoshin-slow-render-{server}"


def slow_render(html: str, tune_gc: bool = True) -> render.Pdf:
    """Runs in the render process (the warm-up, which loads the fonts, is left as it is)."""
    if html == render.WARM_UP_HTML:
        return render._render(html, tune_gc)
    note = begun(os.getppid())
    note.with_suffix(".part").write_text(str(os.getpid()))
    note.with_suffix(".part").rename(note)  # whole, or not there
    time.sleep(SLEEP)
    return render._render(html, tune_gc)


def wait_until_begun(server: int, seconds: float = 60) -> int:
    """The render process's id, once the slow render has begun there."""
    deadline = time.monotonic() + seconds
    while not begun(server).exists():
        assert time.monotonic() < deadline, "the slow render never began"
        time.sleep(0.05)
    return int(begun(server).read_text())


def released(server: int) -> Path:
    """The file a test writes to let this server's slow_when_marked() render go on."""
    return begun(server).with_suffix(".released")


def slow_when_marked(html: str, tune_gc: bool = True) -> render.Pdf:
    """Runs in the render process: a document holding MARK (a team member can write it in a note)
    renders only once the test releases it; every other document renders as usual."""
    if MARK not in html:
        return render._render(html, tune_gc)
    note = begun(os.getppid())
    note.with_suffix(".part").write_text(str(os.getpid()))
    note.with_suffix(".part").rename(note)
    deadline = time.monotonic() + HOLD
    while not released(os.getppid()).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return render._render(html, tune_gc)
