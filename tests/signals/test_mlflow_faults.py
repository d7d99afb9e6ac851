"""Each way an MLflow source can fail is one clear SyncError, with no credential in it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from app.signals.adapters.base import Outbound, SyncError
from app.signals.adapters.mlflow import MLflowAdapter
from app.signals.http import host_allowed
from tests.signals.fake_http import Answer, fake_server, healthy_mlflow
from tests.signals.mlflow_server import free_port

LOCAL = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=5)
EXPERIMENTS = "/api/2.0/mlflow/experiments/search"
PASSWORD = "Sekr3t-pa55word"  # a test credential that must never show up in an error


def failure(adapter: MLflowAdapter, *, sync: bool = False) -> SyncError:
    action = (lambda: adapter.sync(state=None, now=datetime.now(UTC))) if sync else adapter.test
    with pytest.raises(SyncError) as caught:
        action()
    return caught.value


def test_a_server_that_is_down_is_unreachable() -> None:
    error = failure(MLflowAdapter(f"http://127.0.0.1:{free_port()}", outbound=LOCAL))
    assert error.kind == "unreachable"
    assert error.message == "cannot connect to 127.0.0.1/version"


def test_a_healthy_server_answers_the_connection_test() -> None:
    with fake_server(healthy_mlflow()) as fake:
        assert str(MLflowAdapter(fake.url, outbound=LOCAL).test()) == "MLflow 3.1.0, experiments: 1"


@pytest.mark.parametrize(
    "credentials",
    [{"username": "ds", "password": PASSWORD}, {"token": PASSWORD}],
    ids=["basic", "bearer"],
)
def test_refused_credentials_are_unauthorised_and_never_shown(credentials: dict[str, str]) -> None:
    routes = healthy_mlflow()
    routes["/version"] = lambda headers: Answer(401, b"no", {"WWW-Authenticate": 'Basic realm="mlflow"'})
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=LOCAL, **credentials))  # type: ignore[arg-type]
    assert error.kind == "unauthorised"
    assert error.message == "127.0.0.1/version refused the credentials (HTTP 401)"
    encoded = base64.b64encode(f"ds:{PASSWORD}".encode()).decode()
    for text in (str(error), repr(error), error.message, repr(error.__cause__), repr(error.__context__)):
        assert PASSWORD not in text
        assert encoded not in text
    assert fake.hits[0][2] in (f"Basic {encoded}", f"Bearer {PASSWORD}")  # they were sent, though


def test_server_errors_are_tried_three_times_then_a_bad_response() -> None:
    routes = healthy_mlflow()
    routes[EXPERIMENTS] = [Answer(500, b"boom")]
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=LOCAL))
    assert error.kind == "bad_response"
    assert error.message == "127.0.0.1/api/2.0/mlflow/experiments/search answered HTTP 500 after 3 tries"
    assert [path for _, path, _ in fake.hits].count(EXPERIMENTS) == 3


def test_too_many_requests_waits_as_told_and_goes_on() -> None:
    routes = healthy_mlflow()
    routes[EXPERIMENTS] = [Answer(429, b"", {"Retry-After": "0"}), Answer(body={"experiments": []})]
    with fake_server(routes) as fake:
        assert str(MLflowAdapter(fake.url, outbound=LOCAL).test()) == "MLflow 3.1.0, experiments: 0"
    assert [path for _, path, _ in fake.hits].count(EXPERIMENTS) == 2


def test_an_answer_slower_than_the_time_out_is_a_timeout() -> None:
    routes = healthy_mlflow()
    routes["/version"] = [Answer(body=b"3.1.0", delay=3)]
    quick = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=0.5)
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=quick))
    assert error.kind == "timeout"
    assert error.message == "127.0.0.1/version did not answer within 0.5 s"


def test_an_answer_that_trickles_in_past_the_time_out_is_a_timeout() -> None:
    routes = healthy_mlflow()
    routes["/version"] = [Answer(body=b"3.1.0" * 10, drip=0.4)]  # each piece well within the time-out
    quick = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, timeout_seconds=1)
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=quick))
    assert error.kind == "timeout"
    assert error.message == "127.0.0.1/version did not answer within 1 s"


def test_malformed_json_is_a_bad_response() -> None:
    routes = healthy_mlflow()
    routes[EXPERIMENTS] = [Answer(body=b'{"experiments": [')]
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=LOCAL), sync=True)
    assert error.kind == "bad_response"
    assert error.message == "127.0.0.1/api/2.0/mlflow/experiments/search did not answer with valid JSON"


@pytest.mark.parametrize("length", [True, False], ids=["declared", "streamed"])
def test_a_page_over_the_size_cap_is_too_large(length: bool) -> None:
    routes = healthy_mlflow()
    big = {"experiments": [{"experiment_id": str(i), "name": f"e{i}"} for i in range(200)]}
    routes[EXPERIMENTS] = [Answer(body=big, length=length)]
    small = Outbound(allowed_hosts=("127.0.0.1",), allow_private=True, max_bytes=2_000)
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=small), sync=True)
    assert error.kind == "too_large"
    assert error.message == "127.0.0.1/api/2.0/mlflow/experiments/search sent more than 2,000 bytes"


def test_a_host_not_on_the_allow_list_is_never_contacted() -> None:
    elsewhere = Outbound(allowed_hosts=("mlflow.example.com", "*.example.org"), allow_private=True)
    with fake_server(healthy_mlflow()) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=elsewhere))
    assert error.kind == "host_not_allowed"
    assert error.message == "127.0.0.1 is not on the list of allowed hosts"
    assert fake.hits == []


def test_a_redirect_to_another_host_is_refused() -> None:
    routes = healthy_mlflow()
    both = Outbound(allowed_hosts=("127.0.0.1", "localhost"), allow_private=True)
    with fake_server(routes) as fake:
        routes["/version"] = [Answer(302, b"", {"Location": f"http://localhost:{fake.port}/version"})]
        error = failure(MLflowAdapter(fake.url, outbound=both))
    assert error.kind == "host_not_allowed"
    assert error.message == "127.0.0.1/version redirected to another host (localhost)"
    assert len(fake.hits) == 1


def test_a_redirect_on_the_same_host_is_followed() -> None:
    routes = healthy_mlflow()
    routes["/version"] = [Answer(302, b"", {"Location": "/mlflow/version"})]
    routes["/mlflow/version"] = [Answer(body=b"2.22.1")]
    with fake_server(routes) as fake:
        assert str(MLflowAdapter(fake.url, outbound=LOCAL).test()) == "MLflow 2.22.1, experiments: 1"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_private_address_is_refused_unless_allowed(host: str) -> None:
    public_only = Outbound(allowed_hosts=(host,))
    with fake_server(healthy_mlflow()) as fake:
        error = failure(MLflowAdapter(f"http://{host}:{fake.port}", outbound=public_only))
    assert error.kind == "host_not_allowed"
    assert error.message.startswith(f"{host} resolves to a private, loopback or link-local address")
    assert fake.hits == []


def test_a_cloud_metadata_address_is_refused_even_when_private_addresses_are_allowed() -> None:
    everything = Outbound(allowed_hosts=("169.254.169.254",), allow_private=True)
    error = failure(MLflowAdapter("http://169.254.169.254/latest", outbound=everything))
    assert error.kind == "host_not_allowed"
    assert error.message == "169.254.169.254 resolves to a cloud metadata address (169.254.169.254)"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file:///etc/passwd", "127.0.0.1:5000"])
def test_only_http_and_https_urls_are_reached(url: str) -> None:
    error = failure(MLflowAdapter(url, outbound=LOCAL))
    assert error.kind == "host_not_allowed"


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Welcome</body></html>", b""],
    ids=["web page", "empty"],
)
def test_a_server_that_answers_but_is_not_mlflow_says_so(body: bytes) -> None:
    routes = {"/version": [Answer(body=body)]}
    with fake_server(routes) as fake:  # type: ignore[arg-type]
        error = failure(MLflowAdapter(fake.url, outbound=LOCAL))
    assert error.kind == "not_mlflow"
    assert error.message == "127.0.0.1/version answers, but not as an MLflow server (no version)"


def test_an_mlflow_error_message_is_passed_on() -> None:
    routes = healthy_mlflow()
    message = {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid filter 'name LIKE'"}
    routes[EXPERIMENTS] = [Answer(400, message)]
    with fake_server(routes) as fake:
        error = failure(MLflowAdapter(fake.url, outbound=LOCAL, experiment_filter="x"), sync=True)
    assert error.kind == "bad_response"
    assert error.message.endswith("answered HTTP 400: Invalid filter 'name LIKE'")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("mlflow.example.com", True),
        ("MLflow.Example.com.", True),
        ("a.b.example.org", True),
        ("example.org", False),
        ("evil-example.org", False),
        ("example.com.evil.net", False),
    ],
)
def test_the_allow_list_matches_names_exactly_or_by_sub_domain(host: str, allowed: bool) -> None:
    assert host_allowed(host, ("mlflow.example.com", "*.example.org")) is allowed


@pytest.mark.parametrize(
    "state",
    [
        {"v": 1, "filter": None, "runs": "garbage"},
        {
            "v": 1,
            "filter": None,
            "first_sync_ms": 1,
            "cursor_ms": 1,
            "experiments": [],
            "runs": {"a": [1]},
            "run_ends": {},
        },
        {"v": 99},
    ],
    ids=["wrong type", "damaged run", "another version"],
)
def test_a_damaged_or_foreign_state_starts_over_with_a_full_read(state: dict[str, object]) -> None:
    now = datetime.now(UTC)
    now_ms = int(now.timestamp() * 1000)
    run = {
        "info": {
            "run_id": "r1",
            "experiment_id": "1",
            "start_time": now_ms - 1000,
            "end_time": now_ms,
            "status": "FINISHED",
        },
        "data": {"params": [{"key": "lr", "value": "1"}]},
    }
    routes = healthy_mlflow()
    routes["/api/2.0/mlflow/runs/search"] = [Answer(body={"runs": [run]})]
    with fake_server(routes) as fake:
        result = MLflowAdapter(fake.url, outbound=LOCAL).sync(state=state, now=now)
    assert result.counts["runs"] == 1
    assert {s.key: s.value for s in result.signals}["mlflow.runs.with_params"] == 1
