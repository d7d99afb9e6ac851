"""Admin pages: users, teams and the audit log."""
