"""Fixtures for the signal adapters' tests: real git repositories and a git daemon (git_repos.py)."""

from tests.signals.git_repos import ml_repo, served

__all__ = ["ml_repo", "served"]
