"""Running git safely: a clean environment, one allowed transport, no hooks, a hard time-out and size cap.

Every git process Hoshin starts goes through `run_git`: arguments as a list (never a shell), its own
process group killed on time-out (counted in the time it ran: it is paused while the server answers
requests, app/kit/in_flight.py), and its failure turned into a SyncError the team page can show.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from app.kit.in_flight import Pausing
from app.signals.adapters.base import SyncError
from app.signals.adapters.git_url import Remote, redact

_KEEP_ENV = ("PATH", "HOME", "SSH_AUTH_SOCK", "TMPDIR")
GIT_NICENESS = 10  # git runs this much nicer than the server (see _command)
NICE = ("nice", "-n", str(GIT_NICENESS)) if shutil.which("nice") else ()
IDLE_IO = ("ionice", "-c", "3", "-t") if shutil.which("ionice") else ()  # the disk when no one else wants it

# (what git's message says, the kind, the words shown); first match wins, checked in lower case.
_FAILURES: tuple[tuple[str, str, str], ...] = (
    ("not allowed", "path_not_allowed", "The git transport is not allowed."),
    ("remote branch", "branch_missing", "The branch does not exist in the repository."),
    ("couldn't find remote ref", "branch_missing", "The branch does not exist in the repository."),
    ("does not appear to be a git repository", "not_repository", "No git repository at this address."),
    ("not a git repository", "not_repository", "No git repository at this address."),
    ("no such repository", "not_repository", "No git repository at this address."),
    ("repository not exported", "not_repository", "No git repository at this address."),
    ("repository not found", "not_repository", "No git repository at this address."),
    ("not found", "not_repository", "No git repository at this address."),
    ("authentication failed", "unauthorised", "The repository refused the credentials."),
    ("could not read username", "unauthorised", "The repository asks for credentials."),
    ("permission denied", "unauthorised", "The repository refused access."),
    ("403", "unauthorised", "The repository refused access."),
    ("could not resolve host", "unreachable", "The host does not resolve."),
    ("connection refused", "unreachable", "The host refused the connection."),
    ("unable to connect", "unreachable", "The host cannot be reached."),
    ("no route to host", "unreachable", "The host cannot be reached."),
    ("network is unreachable", "unreachable", "The host cannot be reached."),
)


@dataclass(frozen=True)
class GitLimits:
    """How long one git command may run and how much a clone or fetch may write."""

    timeout: float
    max_bytes: int | None = None
    watch: str | None = None  # the folder whose size is capped while the command runs


def git_env() -> dict[str, str]:
    """A minimal environment: no prompts, no system or user config, no inherited GIT_* variables."""
    env = {name: os.environ[name] for name in _KEEP_ENV if name in os.environ}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_SSH_COMMAND="ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new",
        LC_ALL="C",
        LANG="C",
    )
    return env


def git_config(transport: str | None) -> list[str]:
    """`-c` options for every command: no hooks, no fsmonitor, only the one transport this source uses."""
    options = [
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "credential.helper=",
        "http.followRedirects=false",
        "protocol.allow=never",
        "gc.auto=0",
        "maintenance.auto=false",
        "advice.detachedHead=false",
        "pack.threads=1",  # a clone's packing and indexing on one core: the other stays the pages'
    ]
    if transport:
        options.append(f"protocol.{transport}.allow=always")
    return [part for option in options for part in ("-c", option)]


def _command(args: Sequence[str], remote: Remote | None, git_dir: str | None) -> list[str]:
    """The command line: git with its safe settings, started through `nice` and `ionice` (syncs are
    background work: git's clone and history walk then leave the cores and the disk to pages and saves
    first; benchmarks/sync_pages.py)."""
    command = [*IDLE_IO, *NICE, "git", *git_config(remote.transport if remote else None)]
    if git_dir:
        command.append(f"--git-dir={git_dir}")
    command.extend(args)
    return command


def run_git(
    args: Sequence[str],
    *,
    remote: Remote | None,
    limits: GitLimits,
    git_dir: str | None = None,
    stdin: bytes | None = None,
) -> bytes:
    """Run one git command and return its output, or raise the SyncError its failure means."""
    command = _command(args, remote, git_dir)
    code, out, err = _run(command, stdin=stdin, limits=limits, what=remote.shown if remote else "git")
    if code != 0:
        message = err.decode("utf-8", "replace")
        raise failure(redact(message, remote) if remote else message)
    return out


def stream_git(
    args: Sequence[str], *, remote: Remote | None, limits: GitLimits, git_dir: str | None = None
) -> Iterator[bytes]:
    """Run one git command and yield its output as it comes (parsed while git still walks), same rules."""
    command = _command(args, remote, git_dir)
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - a list of arguments, never a shell
            command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, env=git_env(),
            start_new_session=True,
        )  # fmt: skip
        with Pausing(process.pid) as running:  # git's own process group (start_new_session)
            try:
                yield from _chunks(process, running, limits)
                code = process.wait(timeout=max(0.1, limits.timeout - running.elapsed()))
            except subprocess.TimeoutExpired:
                code = None
            finally:
                if process.poll() is None:
                    _kill(process)
        if code is None:
            raise SyncError("timeout", f"git did not finish within {limits.timeout:g} s.")
        if code != 0:
            errors.seek(0)
            message = errors.read(65_536).decode("utf-8", "replace")
            raise failure(redact(message, remote) if remote else message)


def _chunks(process: subprocess.Popen[bytes], running: Pausing, limits: GitLimits) -> Iterator[bytes]:
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(descriptor, selectors.EVENT_READ)
        while True:
            left = limits.timeout - running.elapsed()
            if left <= 0:
                _kill(process)
                raise SyncError("timeout", f"git did not finish within {limits.timeout:g} s.")
            if not selector.select(min(left, 0.5)):
                continue
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return
            yield chunk


def failure(message: str) -> SyncError:
    """The SyncError that git's error message stands for, with git's last line as the reason."""
    lowered = message.lower()
    last = next((line.strip() for line in reversed(message.splitlines()) if line.strip()), "")
    for needle, kind, words in _FAILURES:
        if needle in lowered:
            return SyncError(kind, f"{words} (git: {last[:200]})")  # type: ignore[arg-type]
    return SyncError("unreachable", f"git failed: {last[:200] or 'no message'}")


def _run(
    command: list[str], *, stdin: bytes | None, limits: GitLimits, what: str
) -> tuple[int, bytes, bytes]:
    process = subprocess.Popen(  # noqa: S603 - a list of arguments, never a shell
        command,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_env(),
        start_new_session=True,
    )
    too_big = _size_check(limits)
    pending = stdin
    with Pausing(process.pid) as running:  # git's own process group (start_new_session)
        while True:
            left = limits.timeout - running.elapsed()
            try:
                out, err = process.communicate(pending, timeout=min(0.5, max(0.01, left)))
                return process.returncode, out, err
            except subprocess.TimeoutExpired:
                pending = None  # communicate() keeps feeding what it was given
            if running.elapsed() >= limits.timeout:
                _kill(process)
                raise SyncError(
                    "timeout", f"git did not finish within {limits.timeout:g} s ({what})."
                ) from None
            if too_big():
                _kill(process)
                raise SyncError(
                    "too_large", f"The repository is larger than {limits.max_bytes} bytes ({what})."
                )


def _size_check(limits: GitLimits) -> Callable[[], bool]:
    if limits.max_bytes is None or limits.watch is None:
        return lambda: False
    cap, watch = limits.max_bytes, limits.watch
    return lambda: folder_size(watch) > cap


def folder_size(path: str) -> int:
    """The bytes of every file under a folder (0 when it does not exist)."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
