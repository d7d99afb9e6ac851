"""HTTPS through the guarded client: it connects to the checked address, yet verifies the host name."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.signals.adapters.base import Outbound, SyncError
from app.signals.http import GuardedClient

LOCALHOST = Outbound(allowed_hosts=("localhost",), allow_private=True, timeout_seconds=10)


def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for one DNS name (openssl)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Version(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = f"3.1.0 for {self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def tls_server(cert: Path, key: Path) -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Version)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_https_goes_to_the_checked_address_with_the_host_name_in_tls_and_host(tmp_path: Path) -> None:
    cert, key = certificate(tmp_path, "localhost")
    trust = ssl.create_default_context(cafile=str(cert))
    with (
        tls_server(cert, key) as port,
        GuardedClient(f"https://localhost:{port}", outbound=LOCALHOST, verify=trust) as http,
    ):
        reply = http.get("version")
    assert reply.body == f"3.1.0 for localhost:{port}".encode()


def test_https_with_a_certificate_for_another_name_is_refused(tmp_path: Path) -> None:
    cert, key = certificate(tmp_path, "other.example")
    trust = ssl.create_default_context(cafile=str(cert))
    with (
        tls_server(cert, key) as port,
        GuardedClient(f"https://localhost:{port}", outbound=LOCALHOST, verify=trust) as http,
        pytest.raises(SyncError) as caught,
    ):
        http.get("version")
    assert caught.value.kind == "unreachable"
    assert caught.value.message == "the TLS certificate of localhost is not valid for it"
