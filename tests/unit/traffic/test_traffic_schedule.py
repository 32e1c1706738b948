"""The persona schedule: the original's pace, `--rate`, `--seed`, and dispatch on a fake clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import islice, takewhile

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.errors import InvalidInput
from jwtpizza.traffic import (
    DEFAULT_MIX,
    ORIGINAL_MIX,
    TrafficConfig,
    Visit,
    dispatch,
    plan,
)

HOUR = 3600.0


def visits_within(
    seconds: float, *, rate: float, seed: int, mix: Mapping[str, float] = DEFAULT_MIX
) -> list[Visit]:
    return list(takewhile(lambda v: v.at < seconds, plan(mix, rate=rate, seed=seed)))


def test_an_hour_of_the_original_mix_keeps_the_original_pace() -> None:
    counts = Counter(v.persona for v in visits_within(HOUR, mix=ORIGINAL_MIX, rate=1, seed=1))
    for persona, period in ORIGINAL_MIX.items():
        expected = HOUR / period  # menu 1200, bad login 144, franchisee 30, diner 72, big 12
        assert expected * 0.9 <= counts[persona] <= expected * 1.1 + 1, (persona, counts)


def test_the_rate_scales_every_persona() -> None:
    slow = Counter(v.persona for v in visits_within(HOUR, rate=1, seed=2))
    fast = Counter(v.persona for v in visits_within(HOUR, rate=4, seed=2))
    for persona in DEFAULT_MIX:
        assert 3.5 <= fast[persona] / slow[persona] <= 4.5, persona


def test_visits_come_in_time_order_and_everyone_starts_early() -> None:
    visits = visits_within(HOUR, rate=1, seed=3)
    assert [v.at for v in visits] == sorted(v.at for v in visits)
    first = {v.persona: v.at for v in reversed(visits)}
    assert first["big-order"] <= 30  # the 5-minute failing order does not wait 5 minutes


def test_the_same_seed_gives_the_same_visits_and_another_seed_does_not() -> None:
    assert list(islice(plan(DEFAULT_MIX, rate=2, seed=9), 500)) == list(
        islice(plan(DEFAULT_MIX, rate=2, seed=9), 500)
    )
    assert list(islice(plan(DEFAULT_MIX, rate=2, seed=9), 50)) != list(
        islice(plan(DEFAULT_MIX, rate=2, seed=10), 50)
    )


def test_a_persona_keeps_its_times_when_others_are_left_out() -> None:
    alone = visits_within(600, mix={"diner": 50.0}, rate=1, seed=5)
    mixed = [v for v in visits_within(600, rate=1, seed=5) if v.persona == "diner"]
    assert alone == mixed


@pytest.mark.parametrize("rate", [0, -1, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(rate: float) -> None:
    with pytest.raises(InvalidInput, match=r"rate .* must be more than zero"):
        TrafficConfig(target="http://shop.test", rate=rate)


def test_an_unknown_persona_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown persona 'pirate'"):
        next(plan({"pirate": 3.0}, rate=1, seed=1))


async def test_dispatch_launches_each_visit_at_its_time_and_stops_at_the_duration() -> None:
    clock = FakeClock()
    start = clock.monotonic()
    launched: list[tuple[float, Visit]] = []

    async def wait(seconds: float) -> bool:
        await clock.sleep(seconds)
        return True

    await dispatch(
        plan(DEFAULT_MIX, rate=1, seed=4),
        clock=clock,
        until=600,
        wait=wait,
        launch=lambda visit: launched.append((clock.monotonic() - start, visit)),
    )
    assert launched, "nothing launched"
    assert all(at == pytest.approx(visit.at) for at, visit in launched)
    assert [v for _, v in launched] == visits_within(600, rate=1, seed=4)
    assert clock.monotonic() - start == pytest.approx(600)  # the run lasts its duration


async def test_dispatch_ends_when_the_wait_is_cut_short() -> None:
    launched: list[Visit] = []
    waits = iter([True, True, False])

    async def wait(seconds: float) -> bool:
        return next(waits)

    await dispatch(
        plan(DEFAULT_MIX, rate=1, seed=4), clock=FakeClock(), until=None, wait=wait,
        launch=launched.append,
    )  # fmt: skip
    assert len(launched) == 2
