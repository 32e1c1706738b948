"""`UtcDateTime` and the plain-SQL path store the same naive UTC moment, whatever the machine's
own time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import mysql, postgresql, sqlite

from jwtpizza.db import UtcDateTime, naive_utc, utc_time


@pytest.fixture(autouse=True)
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process runs at UTC-7, so a naive moment taken as local time would move."""
    monkeypatch.setenv("TZ", "America/Denver")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


NAIVE = datetime(2026, 11, 26, 10, 0, 0, 250000)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), mysql.dialect(), postgresql.dialect()])
def test_a_naive_moment_is_taken_as_utc_not_local_time(dialect: object) -> None:
    assert UtcDateTime().process_bind_param(NAIVE, dialect) == NAIVE  # type: ignore[arg-type]
    assert naive_utc(NAIVE) == NAIVE
    assert utc_time(naive_utc(NAIVE)) == NAIVE.replace(tzinfo=UTC)


def test_an_aware_moment_is_moved_to_utc() -> None:
    two_ahead = datetime(2026, 11, 26, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))
    assert naive_utc(two_ahead) == NAIVE
    assert UtcDateTime().process_bind_param(two_ahead, sqlite.dialect()) == NAIVE
