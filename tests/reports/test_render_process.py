"""PDFs render in a separate process, which never outlives the server (even one that is killed)."""

from __future__ import annotations

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
print(next(iter(render._executor()._processes)), flush=True)
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
    assert os.getpid() not in render._executor()._processes


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
    assert render._pool is not None
    assert render._pool._processes  # started, without a request
    pdf = render.html_to_pdf(render.WARM_UP_HTML)
    assert pdf.data.startswith(b"%PDF")
    assert pdf.refused == ()  # the stylesheet and fonts came from static/
    assert {"Report-JP", "Report-Latin"} <= _fonts(pdf.data)  # the bundled fonts, Japanese included
