"""Every table in app/models is either exported or left out with a reason: a new feature's table that is
in neither list fails here, so its author decides what an organisation moving instances keeps of it."""

from app.models import Base
from app.transfer.tables import EXCLUDED, EXPORTED


def test_every_table_is_exported_or_excluded_with_a_reason() -> None:
    tables = set(Base.metadata.tables)
    unaccounted = tables - set(EXPORTED) - set(EXCLUDED)
    assert not unaccounted, (
        f"add these tables to the export or to EXCLUDED with a reason: {sorted(unaccounted)}"
    )
    assert not set(EXPORTED) & set(EXCLUDED)
    assert set(EXPORTED) | set(EXCLUDED) == tables, "a listed table no longer exists"
    assert all(len(reason) > 20 for reason in EXCLUDED.values())


def test_secrets_are_among_the_excluded_tables() -> None:
    assert {"user_sessions", "api_tokens", "one_time_links"} <= set(EXCLUDED)
