"""PDFs render in a separate process, which never outlives the server (even one that is killed)."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time

from app.config import PROJECT_ROOT
from app.reports import render
from tests.reports.test_assessment_report import _fonts

SERVER = """
import os, sys, time
from app.reports import render
from tests.reports.test_assessment_report import _fonts
pdf = render.html_to_pdf("<p>hello</p>")
assert pdf.data.startswith(b"%PDF")
print(render.process_id(), flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().split()[2] != "Z"


def test_a_render_runs_in_another_process_and_comes_back_as_a_pdf() -> None:
    pdf = render.html_to_pdf("<h1>Report</h1>")
    assert pdf.data.startswith(b"%PDF")
    assert render.process_id() not in (None, os.getpid())


def test_renders_run_at_a_lower_cpu_priority_than_the_server() -> None:
    render.html_to_pdf("<h1>Report</h1>")
    pid = render.process_id()
    assert pid is not None
    server = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(server + render.RENDER_NICENESS, 19)


def test_the_render_process_subsets_fonts_with_harfbuzz() -> None:
    # WeasyPrint falls back to fontTools without libharfbuzz-subset0 (make installs it): same PDF, but
    # the Japanese font then takes ~1 s a render to subset
    assert render.font_subsetter() == "harfbuzz"


def test_the_render_process_exits_when_the_server_is_killed() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        assert _alive(child)
        server.send_signal(signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        server.kill()


def test_warm_up_starts_the_render_process_with_the_report_fonts_before_any_download() -> None:
    render.shutdown()
    render.warm_up().join(120)
    assert render.process_id() is not None  # started, without a request
    pdf = render.html_to_pdf(render.WARM_UP_HTML)
    assert pdf.data.startswith(b"%PDF")
    assert pdf.refused == ()  # the stylesheet and fonts came from static/
    assert {"Report-JP", "Report-Latin"} <= _fonts(pdf.data)  # the bundled fonts, Japanese included


def _collections() -> tuple[int, ...]:
    """In the render process: how many collections each generation has had."""
    return tuple(generation["collections"] for generation in gc.get_stats())


def _collector() -> tuple[bool, int]:
    """In the render process: is the collector on, and how many objects would a collection walk."""
    return gc.isenabled(), len(gc.get_objects())


def test_a_render_runs_without_garbage_collections_and_collects_once_at_its_end() -> None:
    # a render's objects live until its end: automatic collections during it (hundreds for a long
    # report) walked them all and found nothing; one collection after it frees its cycles
    long_report = "".join(f"<section><h2>Part {n}</h2><p>{'Text. ' * 400}</p></section>" for n in range(30))
    render.html_to_pdf(render.WARM_UP_HTML)
    before = render._in_render_process(_collections)
    assert render.html_to_pdf(long_report).data.startswith(b"%PDF")
    after = render._in_render_process(_collections)
    assert after[0] - before[0] <= 2  # the call itself, not the render
    assert after[2] == before[2] + 1
    enabled, walked = render._in_render_process(_collector)
    assert enabled
    assert walked < 5_000  # what survived renders (fonts, caches) is frozen, not walked again
