"""The guarded outbound HTTP client every HTTP adapter uses: allow-list, no private addresses, caps.

Each request goes to an address that was resolved and checked first (the URL's host is replaced by
that IP, the Host header and TLS server name keep the name), so a DNS answer that changes between the
check and the connection cannot reach an address the admin did not allow. Redirects are followed by
hand, only to the same host. Credentials live in one header and never appear in a SyncError.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app.signals.adapters.base import Outbound, SyncError

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_TRIES = 3
MAX_REDIRECTS = 3
MAX_WAIT_SECONDS = 10.0  # all back-off sleeps of one request together
# Cloud metadata services: never an MLflow server, refused even when private addresses are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Reply:
    """A response read in full, within the size cap."""

    status: int
    body: bytes
    where: str  # "host/path" for messages: never a credential

    def json(self) -> Any:
        """The body as JSON, or SyncError("bad_response")."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise SyncError("bad_response", f"{self.where} did not answer with valid JSON") from None


def host_allowed(host: str, allowed_hosts: tuple[str, ...]) -> bool:
    """Whether the host is on the allow-list: an exact name or address, or "*.suffix" for sub-domains."""
    host = host.lower().rstrip(".")
    for entry in allowed_hosts:
        entry = entry.strip().lower().rstrip(".")
        if entry.startswith("*.") and host.endswith(entry[1:]) and len(host) > len(entry) - 1:
            return True
        if host == entry.strip("[]"):
            return True
    return False


def address_refusal(ip: IPAddress, *, allow_private: bool) -> str | None:
    """Why this address may not be reached, or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if allow_private:
        return None
    if not ip.is_global or ip.is_multicast:
        return "a private, loopback or link-local address"
    return None


def basic_auth_header(username: str, password: str) -> str:
    """The Authorization header value for HTTP basic auth."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


class GuardedClient:
    """HTTP to one source under the admin's outbound rules; every failure is a SyncError."""

    def __init__(
        self,
        base_url: str,
        *,
        outbound: Outbound,
        authorization: str | None = None,
        retry_wait: float = 0.5,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        try:
            url = httpx.URL(base_url)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise SyncError(
                "host_not_allowed", "the address is not a valid http:// or https:// URL"
            ) from None
        if url.scheme not in ("http", "https") or not url.host:
            raise SyncError("host_not_allowed", "only http:// and https:// URLs with a host can be reached")
        self.base = url.copy_with(username=None, password=None, query=None, fragment=None)
        self.outbound = outbound
        self.retry_wait = retry_wait
        self._headers = {"Accept": "application/json", "User-Agent": "hoshin-signals"}
        if authorization:
            self._headers["Authorization"] = authorization
        self._resolved: dict[tuple[str, int], IPAddress] = {}
        timeout = httpx.Timeout(outbound.timeout_seconds)
        # trust_env=False: a proxy from the environment would connect to the name, not the checked address.
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=verify)
        self.requests = 0  # how many HTTP requests were sent (for counts and benchmarks)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> GuardedClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> httpx.URL:
        """The absolute URL of a path under the base URL."""
        return self.base.copy_with(path=self.base.path.rstrip("/") + "/" + path.lstrip("/"))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        """GET a path under the base URL; 2xx and 4xx other than 401/403 are returned, the rest raise."""
        return self.send("GET", self.url(path), params=params)

    def post(self, path: str, body: dict[str, Any]) -> Reply:
        """POST JSON to a path under the base URL (same rules as get)."""
        return self.send("POST", self.url(path), body=body)

    def send(
        self, method: str, url: httpx.URL, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> Reply:
        """One logical request: redirects to the same host (at most 3), retries on 429/5xx (3 tries)."""
        if params:
            url = url.copy_merge_params({k: v for k, v in params.items() if v is not None})
        content = json.dumps(body).encode() if body is not None else None
        for _ in range(MAX_REDIRECTS + 1):
            reply, location = self._with_retries(method, url, content)
            if location is None:
                return reply
            target = url.join(location)
            if target.scheme not in ("http", "https") or target.host != url.host:
                raise SyncError(
                    "host_not_allowed", f"{_where(url)} redirected to another host ({target.host})"
                )
            if url.scheme == "https" and target.scheme == "http":
                raise SyncError("host_not_allowed", f"{_where(url)} redirected from https to plain http")
            if reply.status in (301, 302, 303) and method == "POST":
                method, content = "GET", None
            url = target
        raise SyncError("bad_response", f"{_where(url)} redirected more than {MAX_REDIRECTS} times")

    def _with_retries(self, method: str, url: httpx.URL, content: bytes | None) -> tuple[Reply, str | None]:
        waited = 0.0
        for attempt in range(1, MAX_TRIES + 1):
            status, body, headers = self._once(method, url, content)
            where = _where(url)
            if status in (401, 403):
                raise SyncError("unauthorised", f"{where} refused the credentials (HTTP {status})")
            if status in RETRY_STATUSES:
                wait = _retry_after(headers.get("retry-after"), self.retry_wait * 2 ** (attempt - 1))
                if attempt == MAX_TRIES or waited + wait > MAX_WAIT_SECONDS:
                    raise SyncError("bad_response", f"{where} answered HTTP {status} after {attempt} tries")
                time.sleep(wait)
                waited += wait
                continue
            if 300 <= status < 400 and "location" in headers:
                return Reply(status, body, where), headers["location"]
            if status >= 300 and status not in (400, 404):
                raise SyncError("bad_response", f"{where} answered HTTP {status}")
            return Reply(status, body, where), None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, url: httpx.URL, content: bytes | None) -> tuple[int, bytes, httpx.Headers]:
        ip = self._checked_address(url)
        pinned = url.copy_with(host=str(ip))
        headers = dict(self._headers)
        headers["Host"] = url.netloc.decode("ascii")
        if content is not None:
            headers["Content-Type"] = "application/json"
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        request = self._http.build_request(
            method, pinned, headers=headers, content=content, extensions=extensions
        )
        where, cap = _where(url), self.outbound.max_bytes
        deadline = time.monotonic() + self.outbound.timeout_seconds
        self.requests += 1
        try:
            response = self._http.send(request, stream=True)
            try:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise SyncError("too_large", f"{where} sent more than {_mb(cap)}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise SyncError("too_large", f"{where} sent more than {_mb(cap)}")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("total time-out")
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks), response.headers
            finally:
                response.close()
        except httpx.TimeoutException:
            seconds = self.outbound.timeout_seconds
            raise SyncError("timeout", f"{where} did not answer within {seconds:g} s") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            if "CERTIFICATE_VERIFY_FAILED" in str(error):
                raise SyncError(
                    "unreachable", f"the TLS certificate of {url.host} is not valid for it"
                ) from None
            raise SyncError("unreachable", f"cannot connect to {where}") from None
        except httpx.HTTPError:
            raise SyncError("unreachable", f"the connection to {where} failed") from None

    def _checked_address(self, url: httpx.URL) -> IPAddress:
        """The host's address, resolved once per client and checked against the rules."""
        host, port = url.host, url.port or (443 if url.scheme == "https" else 80)
        if not host_allowed(host, self.outbound.allowed_hosts):
            raise SyncError("host_not_allowed", f"{host} is not on the list of allowed hosts")
        if (host, port) in self._resolved:
            return self._resolved[(host, port)]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise SyncError("unreachable", f"cannot resolve the host name {host}") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        for ip in addresses:  # every answer must pass: a name that also points inside is refused
            refusal = address_refusal(ip, allow_private=self.outbound.allow_private)
            if refusal:
                raise SyncError("host_not_allowed", f"{host} resolves to {refusal} ({ip})")
        if not addresses:
            raise SyncError("unreachable", f"cannot resolve the host name {host}")
        # IPv4 first: a name such as localhost often resolves to ::1 too, where fewer servers listen.
        chosen = sorted(addresses, key=lambda ip: ip.version)[0]
        self._resolved[(host, port)] = chosen
        return chosen


def _where(url: httpx.URL) -> str:
    return f"{url.host}{url.path}"


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait: the server's Retry-After (seconds or an HTTP date) or the back-off default."""
    if not value:
        return default
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
