"""The signals tests' fake adapter and sync context, for evidence built from synced signals."""

from tests.signals.conftest import context, fake, ml_repo

__all__ = ["context", "fake", "ml_repo"]
