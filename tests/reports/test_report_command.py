"""`hoshin report` writes the same PDF leadership downloads, with one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_report_command_writes_a_pdf_and_refuses_an_unknown_assessment(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")},
        "HOSHIN_VAR_DIR": str(tmp_path / "var"),
    }

    def hoshin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    hoshin("db", "upgrade")
    hoshin("demo")
    out = tmp_path / "report.pdf"
    written = hoshin("report", "1", "--lang", "ja", "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert out.read_bytes().startswith(b"%PDF")
    missing = hoshin("report", "999", "--out", str(tmp_path / "none.pdf"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: there is no assessment 999"
