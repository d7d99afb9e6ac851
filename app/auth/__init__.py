"""Signing in and out, sessions, CSRF."""
