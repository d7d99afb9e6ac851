"""A tiny local HTTP server for the faults a real MLflow server cannot produce (500s, slow or bad answers)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    """One canned answer; body may be bytes or anything JSON."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    length: bool = True  # send Content-Length (otherwise the body ends when the connection closes)
    drip: float = 0.0  # seconds between the body's ten pieces (a slow but never silent answer)


Route = list[Answer] | Callable[[dict[str, str]], Answer]


def healthy_mlflow() -> dict[str, Route]:
    """The answers of an empty MLflow 3 server."""
    api = "/api/2.0/mlflow/"
    return {
        "/version": [Answer(body=b"3.1.0")],
        api + "experiments/search": [Answer(body={"experiments": [{"experiment_id": "1", "name": "a"}]})],
        api + "runs/search": [Answer(body={})],
        api + "registered-models/search": [Answer(body={})],
        api + "model-versions/search": [Answer(body={})],
    }


@dataclass
class FakeServer:
    """Routes by path; each list of answers is played in order, its last answer repeated."""

    routes: dict[str, Route]
    port: int = 0
    hits: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, Authorization

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str, headers: dict[str, str]) -> Answer:
        route = self.routes.get(path)
        if route is None:
            return Answer(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"})
        if callable(route):
            return route(headers)
        return route.pop(0) if len(route) > 1 else route[0]


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._serve("POST")

        def _serve(self, method: str) -> None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: fine
                self._answer(method)

        def _answer(self, method: str) -> None:
            path = urlsplit(self.path).path
            fake.hits.append((method, path, self.headers.get("Authorization", "")))
            answer = fake.answer(path, dict(self.headers))
            time.sleep(answer.delay)
            body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if not answer.drip:
                self.wfile.write(body)
                return
            piece = max(1, len(body) // 10)
            for start in range(0, len(body), piece):
                self.wfile.write(body[start : start + piece])
                self.wfile.flush()
                time.sleep(answer.drip)

    return Handler


@contextmanager
def fake_server(routes: dict[str, Route]) -> Iterator[FakeServer]:
    """Serve the routes on 127.0.0.1 (a free port) in a thread."""
    fake = FakeServer(routes)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    fake.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
