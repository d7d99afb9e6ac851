"""HTTP facts every layer shares (no domain, no app): which methods only read."""

from __future__ import annotations

# Methods that change nothing: no CSRF token, no write transaction, no write gate, a read slot.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
