"""Target levels per dimension: the organisation's default, overridden per team (pages and service)."""
