"""Source credentials encrypted at rest: Fernet, with a key derived from the secret key for this purpose
only (HKDF), so the credentials key is never the session-signing key itself."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSE = b"hoshin/source-credentials/v1"


@dataclass(frozen=True)
class Credentials:
    """What an MLflow server asks for: a bearer token, or a user name and password."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never print a secret, even in a traceback's locals
        return "Credentials(***)"

    def is_empty(self) -> bool:
        return not (self.token or self.username or self.password)


class UnreadableCredentials(ValueError):
    """Stored credentials the current secret key cannot decrypt (the key changed)."""


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(credentials: Credentials, *, secret_key: str) -> str:
    """The credentials as a Fernet token to store."""
    plain = {"token": credentials.token, "username": credentials.username, "password": credentials.password}
    return _fernet(secret_key).encrypt(json.dumps(plain).encode()).decode()


def decrypt(token: str, *, secret_key: str) -> Credentials:
    """The stored credentials, or UnreadableCredentials if the secret key changed since they were saved."""
    try:
        plain = json.loads(_fernet(secret_key).decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise UnreadableCredentials(
            "the stored credentials cannot be decrypted with this secret key"
        ) from None
    return Credentials(plain.get("token"), plain.get("username"), plain.get("password"))
