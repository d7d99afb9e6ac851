"""Which git URLs Hoshin may reach: a transport, a host or a local path checked against the admin's rules.

Pure apart from the resolver passed in: a URL becomes a `Remote` (what git is given, which single
transport it may use) or a SyncError, before any git process runs.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from urllib.parse import urlsplit

from app.signals.adapters.base import Outbound, SyncError

Resolver = Callable[[str], Sequence[str]]

_SCP_LIKE = re.compile(r"^(?:(?P<user>[A-Za-z0-9._~-]+)@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*|/.*)$")
_BRANCH_OK = re.compile(r"^[A-Za-z0-9._/+-]+$")


@dataclass(frozen=True)
class Remote:
    """A URL git may be given, the one transport allowed for it, and its form safe to show or log."""

    url: str  # passed to git after `--`
    transport: str  # "https", "ssh", "git" or "file"
    shown: str  # without user name or password


def resolve_host(host: str) -> list[str]:
    """Every address a host name resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def check_remote(url: str, outbound: Outbound, resolver: Resolver = resolve_host) -> Remote:
    """The URL as a Remote when the admin's rules allow it, else a SyncError saying which rule refuses it."""
    url = url.strip()
    if not url:
        raise SyncError("not_repository", "No repository URL was given.")
    if url.startswith("-"):
        raise SyncError("path_not_allowed", "A repository URL cannot start with '-'.")
    if any(ch in url for ch in "\0\n\r"):
        raise SyncError("path_not_allowed", "The repository URL holds a control character.")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*::", url):
        raise SyncError("path_not_allowed", f"The git transport '{url.split('::')[0]}::' is not allowed.")
    if url.startswith("/") or url.lower().startswith("file:"):
        return _local(url, outbound)
    if "://" in url:
        return _network(url, outbound, resolver)
    scp = _SCP_LIKE.match(url)
    if scp:
        return _network(f"ssh://{url.replace(':', '/', 1)}", outbound, resolver, given=url)
    raise SyncError(
        "path_not_allowed",
        "Give an https:// or ssh:// clone URL, or an absolute path under the allowed folder.",
    )


def check_branch(branch: str) -> str:
    """The branch name when git would accept it as one, else a SyncError."""
    bad = (
        not _BRANCH_OK.match(branch)
        or branch.startswith(("-", "/", "."))
        or branch.endswith(("/", ".", ".lock"))
        or ".." in branch
        or "//" in branch
        or "/." in branch
    )
    if bad:
        raise SyncError("branch_missing", f"'{branch[:80]}' is not a valid branch name.")
    return branch


def _local(url: str, outbound: Outbound) -> Remote:
    path = url[len("file://") :] if url.lower().startswith("file://") else url
    if not path.startswith("/"):
        raise SyncError("path_not_allowed", "A local repository must be an absolute path.")
    if outbound.allowed_root is None:
        raise SyncError("path_not_allowed", "Local repositories are not allowed (no allowed folder is set).")
    root = os.path.realpath(outbound.allowed_root)
    real = os.path.realpath(path)
    if os.path.commonpath([root, real]) != root:
        raise SyncError("path_not_allowed", f"{path} is outside the allowed folder {outbound.allowed_root}.")
    # file:// (not a plain path) so git uses its transport, honours --filter and never hard-links.
    return Remote(url=f"file://{real}", transport="file", shown=path)


def _network(url: str, outbound: Outbound, resolver: Resolver, given: str | None = None) -> Remote:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "ssh", "git"):
        raise SyncError("path_not_allowed", f"The '{scheme}' transport is not allowed; use https or ssh.")
    host = (parts.hostname or "").lower()
    if not host or host.startswith("-"):
        raise SyncError("host_not_allowed", "The repository URL names no valid host.")
    shown = _without_credentials(given or url, parts.username, parts.password)
    if not any(_host_matches(host, pattern) for pattern in outbound.allowed_hosts):
        raise SyncError("host_not_allowed", f"The host {host} is not on the allowed list.")
    addresses = resolver(host)
    if not addresses:
        raise SyncError("unreachable", f"The host {host} does not resolve.")
    if not outbound.allow_private:
        for address in addresses:
            if _is_private(address):
                raise SyncError("host_not_allowed", f"The host {host} is a private address ({address}).")
    return Remote(url=given or url, transport=scheme, shown=shown)


def _host_matches(host: str, pattern: str) -> bool:
    pattern = pattern.strip().lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and fnmatch(host, pattern)
    return host == pattern


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _without_credentials(url: str, user: str | None, password: str | None) -> str:
    if password:
        url = url.replace(f":{password}@", "@", 1)
    if user and password:
        url = url.replace(f"{user}@", "", 1)
    elif user and "://" in url and url.split("://", 1)[0] == "https":
        url = url.replace(f"{user}@", "", 1)  # a token given as the user name
    return url


def redact(text: str, remote: Remote) -> str:
    """Git's message with the URL as given replaced by its shown form (never a credential)."""
    return text.replace(remote.url, remote.shown) if remote.url != remote.shown else text
