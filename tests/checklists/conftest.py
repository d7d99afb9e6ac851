"""The signals tests' fake adapter and sync context, for checklist entries ticked by synced evidence."""

from tests.signals.conftest import context, fake

__all__ = ["context", "fake"]
