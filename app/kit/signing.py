"""HMAC-signed values for small cookies (flash messages): readable by the user, not forgeable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def sign(value: Any, key: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()
    return f"{payload}.{_mac(payload, key)}"


def unsign(token: str, key: str) -> Any | None:
    """The signed value, or None when the token was tampered with or is malformed."""
    payload, _sep, mac = token.rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(payload, key)):
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None


def _mac(payload: str, key: str) -> str:
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]
