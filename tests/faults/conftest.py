"""A throwaway PostgreSQL cluster for fault tests: Debian's initdb/pg_ctl, run as `postgres` when the
tests run as root, on a free 127.0.0.1 port, stopped and started by the tests themselves.

Without PostgreSQL binaries the fault tests are skipped locally; in CI (HOSHIN_TEST_DATABASE_URL set)
a cluster that cannot be started fails them."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    bin_dir: Path
    data: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/hoshin_faults"

    def pg_ctl(self, *args: str) -> None:
        log = self.data.parent / "server.log"
        command = [*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w"]
        subprocess.run([*command, *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


def _unavailable(reason: str) -> None:
    if os.environ.get("HOSHIN_TEST_DATABASE_URL"):
        pytest.fail(f"fault tests need a throwaway PostgreSQL cluster in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable("no PostgreSQL binaries (apt-get install postgresql)")
        raise AssertionError  # unreachable: skip or fail raised
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="hoshin-faults-"))
    if as_user:
        shutil.chown(root, "postgres", "postgres")
    server = Cluster(bin_dir, root / "data", _free_port(), as_user)
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(server.data), "-A", "trust", "-U", "postgres"]
        subprocess.run([*as_user, *initdb, "--no-sync"], check=True, capture_output=True, timeout=120)
        server.start()
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"could not start a PostgreSQL cluster: {error} {detail.decode(errors='replace')}")
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
