"""argon2id password hashing; verification takes ~0.1 s of CPU, so callers run it off the event loop."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # RFC 9106 low-memory profile: argon2id, t=3, m=64 MiB, p=4
# Bound concurrent hashes so a sign-in flood cannot take every thread and gigabytes of memory.
_slots = threading.BoundedSemaphore(2)
MIN_LENGTH = 12
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-to-equalise-timing")


def hash_password(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when password matches; an unknown user is checked against a dummy so timing reveals nothing."""
    with _slots:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
