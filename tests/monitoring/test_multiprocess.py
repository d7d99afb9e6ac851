"""Several workers: `hoshin serve --workers N` gives them a fresh shared folder, and any worker's /metrics
adds up the counters of all of them (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import cli
from app.monitoring import MULTIPROCESS_ENV

ROOT = Path(__file__).resolve().parents[2]
COUNT_A_HIT = "from app.monitoring import instruments; instruments.pdf_looked_up('roadmap', 'hit')"
SCRAPE = """
import sys
from datetime import UTC, datetime
from app.monitoring import collector
from app.monitoring.service import Snapshot
now = datetime.now(UTC)
sys.stdout.write(collector.exposition(Snapshot(now, "2027-Q1", 0, (), (), (), ())).decode())
"""


def _python(code: str, folder: Path) -> str:
    environment = {**os.environ, MULTIPROCESS_ENV: str(folder)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_a_scrape_adds_up_the_counters_of_every_worker(tmp_path: Path) -> None:
    for _worker in range(2):
        _python(COUNT_A_HIT, tmp_path)
    text = _python(SCRAPE, tmp_path)
    samples = [s for f in text_string_to_metric_families(text) for s in f.samples]
    hits = [
        s.value
        for s in samples
        if s.name == "hoshin_pdf_cache_lookups_total" and s.labels == {"kind": "roadmap", "result": "hit"}
    ]
    assert hits == [2]
    assert any(s.name == "hoshin_teams" for s in samples)


def test_serving_with_workers_starts_from_an_empty_shared_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROCESS_ENV, "")  # unset, as far as serve is concerned; restored after
    stale = tmp_path / "metrics" / "counter_123.db"
    stale.parent.mkdir()
    stale.write_bytes(b"last run")
    cli._share_metrics(tmp_path)
    assert os.environ[MULTIPROCESS_ENV] == str(tmp_path / "metrics")
    assert list((tmp_path / "metrics").iterdir()) == []


def test_a_folder_the_operator_chose_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "theirs"
    chosen.mkdir()
    (chosen / "counter_1.db").write_bytes(b"theirs")
    monkeypatch.setenv(MULTIPROCESS_ENV, str(chosen))
    cli._share_metrics(tmp_path)
    assert os.environ[MULTIPROCESS_ENV] == str(chosen)
    assert (chosen / "counter_1.db").exists()
