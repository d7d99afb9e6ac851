"""Role coverage: missing and very thin recommended roles."""

from hypothesis import given
from hypothesis import strategies as st

from app.teams.coverage import LOW_CAPACITY, Cover, coverage, gaps
from app.teams.roles import RECOMMENDED


def _by_role(members: list[tuple[list[str], float]]) -> dict[str, Cover]:
    return {row.role: row.cover for row in coverage(members)}


def test_a_team_without_a_data_engineer_lacks_one() -> None:
    covers = _by_role([(["ml_engineer"], 1.0), (["product_owner"], 0.5)])
    assert covers["data_engineer"] is Cover.MISSING
    assert covers["ml_engineer"] is Cover.OK


def test_a_role_held_at_a_tenth_of_a_person_is_very_low() -> None:
    assert _by_role([(["data_engineer"], 0.1)])["data_engineer"] is Cover.LOW


def test_a_member_with_two_roles_splits_their_capacity() -> None:
    rows = {row.role: row.capacity for row in coverage([(["data_scientist", "ml_engineer"], 0.4)])}
    assert rows["data_scientist"] == 0.2
    assert rows["ml_engineer"] == 0.2


def test_custom_roles_do_not_count_towards_recommended_ones() -> None:
    assert {row.role for row in gaps([(["Analytics translator"], 1.0)])} == set(RECOMMENDED)


def test_gaps_lists_only_missing_and_low_roles() -> None:
    full = [([role], 1.0) for role in RECOMMENDED]
    assert gaps(full) == []


@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(list(RECOMMENDED)), max_size=3),
            st.integers(0, 100).map(lambda p: p / 100),
        )
    )
)
def test_every_recommended_role_is_reported_once_and_capacity_is_not_created(members) -> None:  # type: ignore[no-untyped-def]
    rows = coverage(members)
    assert [row.role for row in rows] == list(RECOMMENDED)
    assert sum(row.capacity for row in rows) <= sum(c for roles, c in members if roles) + 0.01 * len(rows)
    held = {role for roles, capacity in members for role in roles if capacity > 0}
    for row in rows:
        assert (row.cover is Cover.MISSING) == (row.role not in held)
        if row.capacity >= LOW_CAPACITY + 0.01:
            assert row.cover is Cover.OK
