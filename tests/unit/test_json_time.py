"""`json_time` writes times as JavaScript's `toISOString` does, as the original's JSON had
them: UTC, milliseconds cut (not rounded), a `Z`, four-digit years."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from jwtpizza.clock import json_time


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 1, 2, 14, 15, 2, 97_000, tzinfo=UTC), "2026-01-02T14:15:02.097Z"),
        (datetime(2026, 1, 2, 14, 15, 2, 999_999, tzinfo=UTC), "2026-01-02T14:15:02.999Z"),
        (datetime(2026, 1, 2, 14, 15, 2), "2026-01-02T14:15:02.000Z"),  # naive: taken as UTC
        (
            datetime(2026, 1, 1, 1, 0, 0, 5_000, tzinfo=timezone(timedelta(hours=2))),
            "2025-12-31T23:00:00.005Z",
        ),
        (datetime(999, 3, 4, tzinfo=UTC), "0999-03-04T00:00:00.000Z"),
    ],
)
def test_times_are_written_as_javascript_writes_them(moment: datetime, written: str) -> None:
    assert json_time(moment) == written
