"""Capacity in person-weeks per month: capacity × 52 / 12."""

import pytest

from app.teams.capacity import person_weeks_per_month, team_person_weeks_per_month


def test_a_full_time_person_gives_52_twelfths_weeks_a_month() -> None:
    assert person_weeks_per_month(1.0) == pytest.approx(4.333, abs=0.001)


def test_half_time_gives_half_as_much() -> None:
    assert person_weeks_per_month(0.5) == pytest.approx(person_weeks_per_month(1.0) / 2)


def test_capacity_outside_zero_to_one_is_clamped() -> None:
    assert person_weeks_per_month(-0.2) == 0
    assert person_weeks_per_month(3) == person_weeks_per_month(1)


def test_team_capacity_is_the_rounded_sum_of_its_members() -> None:
    assert team_person_weeks_per_month([0.5, 0.8, 0.2]) == 6.5  # 1.5 × 4.333…
    assert team_person_weeks_per_month([]) == 0
