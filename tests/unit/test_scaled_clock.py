"""ScaledClock: another clock sped up, for replaying schedules in compressed time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwtpizza.clock import FakeClock, ScaledClock


async def test_time_runs_speed_times_faster_and_sleeps_are_shorter() -> None:
    base = FakeClock()
    clock = ScaledClock(12, base)
    start_now, start_mono = clock.now(), clock.monotonic()
    base.advance(5)
    assert clock.monotonic() - start_mono == pytest.approx(60)
    assert clock.now() - start_now == timedelta(seconds=60)
    await clock.sleep(120)  # ten seconds of the base clock
    assert clock.monotonic() - start_mono == pytest.approx(180)


@pytest.mark.parametrize("speed", [0, -3])
def test_a_speed_that_is_not_positive_is_refused(speed: float) -> None:
    with pytest.raises(ValueError, match="must be more than zero"):
        ScaledClock(speed)
