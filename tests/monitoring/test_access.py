"""Who may scrape /metrics, as plain values: nobody while off, then the token and/or the address list."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.monitoring.access import Rules, networks, refusal

TOKEN = "a-long-enough-scrape-token"
LOCAL = networks("127.0.0.1, 10.0.0.0/8, ::1")


@pytest.mark.parametrize(
    ("rules", "authorization", "client", "status"),
    [
        (Rules("", ()), f"Bearer {TOKEN}", "127.0.0.1", 404),
        (Rules(TOKEN, ()), None, "127.0.0.1", 401),
        (Rules(TOKEN, ()), "Bearer", "127.0.0.1", 401),
        (Rules(TOKEN, ()), f"Basic {TOKEN}", "127.0.0.1", 401),
        (Rules(TOKEN, ()), f"Bearer {TOKEN[:-1]}", "127.0.0.1", 403),
        (Rules(TOKEN, ()), f"bearer {TOKEN}", None, None),
        (Rules("", LOCAL), None, "10.20.30.40", None),
        (Rules("", LOCAL), None, "::ffff:10.20.30.40", None),
        (Rules("", LOCAL), None, "::1", None),
        (Rules("", LOCAL), None, "11.0.0.1", 403),
        (Rules("", LOCAL), None, "testclient", 403),
        (Rules("", LOCAL), None, None, 403),
        (Rules(TOKEN, LOCAL), None, "10.0.0.1", 401),
        (Rules(TOKEN, LOCAL), f"Bearer {TOKEN}", "11.0.0.1", 403),
        (Rules(TOKEN, LOCAL), f"Bearer {TOKEN}", "10.0.0.1", None),
    ],
)
def test_refusal(rules: Rules, authorization: str | None, client: str | None, status: int | None) -> None:
    assert refusal(rules, authorization=authorization, client=client) == status


def test_networks_reads_addresses_and_networks_and_names_a_bad_entry() -> None:
    assert networks(" 10.0.0.5 ,, 192.168.0.0/24") == (
        ipaddress.ip_network("10.0.0.5/32"),
        ipaddress.ip_network("192.168.0.0/24"),
    )
    with pytest.raises(ValueError, match=r"monitoring\.example"):
        networks("10.0.0.5, monitoring.example")


def test_settings_refuse_a_guessable_token_and_an_address_that_is_none() -> None:
    with pytest.raises(ValidationError, match="at least 16"):
        Settings(metrics_token="short")
    with pytest.raises(ValidationError, match="prometheus"):
        Settings(metrics_allow="prometheus")
    assert (Settings().metrics_token, Settings().metrics_allow) == ("", "")
