"""Who may scrape /metrics: nobody unless the installation says so (team names are in the gauges), then
only a scraper showing the bearer token (HOSHIN_METRICS_TOKEN) and/or one from an allowed address
(HOSHIN_METRICS_ALLOW); when both are set, both must hold."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Rules:
    token: str  # "" = no token asked
    allowed: tuple[Network, ...]  # () = from any address

    @property
    def off(self) -> bool:
        return not self.token and not self.allowed


def networks(value: str) -> tuple[Network, ...]:
    """A comma list of addresses or networks ("10.0.0.5, 192.168.0.0/24, ::1"); ValueError names a bad one."""
    found = []
    for part in (p.strip() for p in value.split(",")):
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"not an address or network: {part!r}") from None
    return tuple(found)


def refusal(rules: Rules, *, authorization: str | None, client: str | None) -> int | None:
    """The status to refuse a scrape with (404 while off, 401 without the token, 403 with a wrong one or
    from an address not allowed), else None."""
    if rules.off:
        return 404
    if rules.allowed and not _allowed(client, rules.allowed):
        return 403
    if rules.token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return 401
        if not hmac.compare_digest(given.strip().encode(), rules.token.encode()):
            return 403
    return None


def _allowed(client: str | None, allowed: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(client or "")
    except ValueError:  # no client address (a Unix socket), or a name
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # an IPv4 client of a dual-stack socket
    return any(address in network for network in allowed)
