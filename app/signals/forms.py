"""Turning a source's form fields (or API body) into a SourceInput, with errors that name the field."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits
from app.models import SourceKind
from app.signals.secrets import Credentials
from app.signals.service import SourceInput

KINDS = tuple(k.value for k in SourceKind)
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:[^\s]+$")  # git@host:team/repo.git
_BRANCH = re.compile(r"^(?!-)(?!.*\.\.)[\w./-]+$")


def source(
    *,
    kind: str,
    name: str,
    url: str,
    branch: str = "",
    experiment_filter: str = "",
    token: str = "",
    username: str = "",
    password: str = "",
    clear_credentials: bool = False,
    enabled: bool = True,
) -> SourceInput:
    """A source needs a kind, a name and where it is; credentials left empty keep the stored ones."""
    if kind not in KINDS:
        raise BadInput(N_("Choose what kind of source this is."), field="kind")
    name = checked_text(name, limits.NAME, "name").strip()
    if not name:
        raise BadInput(N_("Give the source a name the team recognises."), field="name")
    url = checked_text(url, limits.URL, "url").strip()
    if kind == SourceKind.MLFLOW:
        _mlflow_url(url)
        credentials = _credentials(token, username, password, clear_credentials)
        experiments = checked_text(experiment_filter, limits.EXPERIMENT_FILTER, "experiment_filter").strip()
        return SourceInput(kind, name, url, None, experiments or None, credentials, enabled)
    _git_url(url)
    branch = checked_text(branch, limits.BRANCH, "branch").strip() or "main"
    if not _BRANCH.match(branch):
        raise BadInput(N_("This is not a branch name."), field="branch")
    return SourceInput(kind, name, url, branch, None, Credentials() if clear_credentials else None, enabled)


def _mlflow_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(
            N_("Enter the tracking server's address, starting with https:// or http://."), field="url"
        )
    if parts.username or parts.password:
        raise BadInput(
            N_("Put the user name and password in their own fields, not in the address."), field="url"
        )


def _git_url(url: str) -> None:
    if not url:
        raise BadInput(N_("Enter the repository's clone URL or a local path."), field="url")
    if url.startswith("-"):
        raise BadInput(N_("This is not a repository address."), field="url")
    if PurePosixPath(url).is_absolute() or _SCP_LIKE.match(url):
        return
    parts = urlsplit(url)
    if parts.scheme not in ("https", "ssh", "git", "file") or (parts.scheme != "file" and not parts.hostname):
        raise BadInput(
            N_("Use an https://, ssh:// or git:// clone URL, git@host:path, or an absolute local path."),
            field="url",
        )
    if parts.password:
        raise BadInput(N_("Leave passwords out of the address."), field="url")


def _credentials(token: str, username: str, password: str, clear: bool) -> Credentials | None:
    token = checked_text(token, limits.SECRET, "token").strip()
    username = checked_text(username, limits.SECRET, "username").strip()
    password = checked_text(password, limits.SECRET, "password")
    if clear:
        return Credentials()
    if not (token or username or password):
        return None  # keep what is stored
    if token and (username or password):
        raise BadInput(N_("Give either a token or a user name and password, not both."), field="token")
    if (username or password) and not (username and password):
        raise BadInput(
            N_("Give both the user name and the password."), field="username" if not username else "password"
        )
    return Credentials(token or None, username or None, password or None)
