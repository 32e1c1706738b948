"""The breaker's own trial: with no call coming, a half-open breaker asks the factory itself,
so it closes as soon as the factory is back, and goes back to OPEN (no call made) while not."""

from __future__ import annotations

import asyncio

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.service.resilience.breaker import BreakerConfig, BreakerState, CircuitBreaker
from jwtpizza.service.resilience.probe import BreakerProbe

CONFIG = BreakerConfig(
    window_size=4, minimum_calls=2, wait_in_open=10.0, permitted_calls_in_half_open=3
)


class Factory:
    def __init__(self) -> None:
        self.up = False
        self.checks = 0
        self.hang = False

    async def check(self) -> None:
        self.checks += 1
        if self.hang:
            await asyncio.sleep(3600)
        if not self.up:
            raise ConnectionError("refused")


def opened() -> tuple[CircuitBreaker, FakeClock, Factory, BreakerProbe]:
    clock = FakeClock()
    breaker = CircuitBreaker(CONFIG, clock=clock)
    for _ in range(2):
        breaker.try_acquire().failure(0.1)
    assert breaker.state is BreakerState.OPEN
    factory = Factory()
    probe = BreakerProbe(
        breaker=breaker, check=factory.check, clock=clock, interval=0.01, timeout=0.05
    )
    return breaker, clock, factory, probe


async def test_no_trial_is_sent_while_the_breaker_waits_in_open() -> None:
    breaker, clock, factory, probe = opened()
    clock.advance(9.9)
    assert await probe.probe() == 0 and factory.checks == 0
    assert breaker.state is BreakerState.OPEN


async def test_a_failing_check_sends_it_back_to_open_for_another_wait() -> None:
    breaker, clock, _factory, probe = opened()
    clock.advance(10.0)
    assert await probe.probe() == CONFIG.permitted_calls_in_half_open  # judged as a group
    assert breaker.state is BreakerState.OPEN
    clock.advance(9.9)
    assert await probe.probe() == 0  # a full wait again before the next trial


async def test_once_the_factory_is_back_its_trials_close_the_breaker() -> None:
    breaker, clock, factory, probe = opened()
    factory.up = True
    clock.advance(10.0)
    assert await probe.probe() == CONFIG.permitted_calls_in_half_open
    assert breaker.state is BreakerState.CLOSED
    assert await probe.probe() == 0  # a closed breaker is left to the calls


async def test_a_check_that_hangs_is_a_failed_trial_at_the_timeout() -> None:
    breaker, clock, factory, probe = opened()
    factory.hang = True
    clock.advance(10.0)
    assert await probe.probe() == CONFIG.permitted_calls_in_half_open
    assert breaker.state is BreakerState.OPEN


async def test_running_in_the_background_it_closes_a_breaker_nobody_calls() -> None:
    breaker, clock, factory, probe = opened()
    probe.start()
    try:
        factory.up = True
        clock.advance(10.0)
        for _ in range(200):
            if breaker.state is BreakerState.CLOSED:
                break
            await asyncio.sleep(0.01)
        assert breaker.state is BreakerState.CLOSED
    finally:
        await probe.stop()


@pytest.mark.parametrize("calls", [1, 3])
async def test_a_call_asked_for_takes_the_trial_slot_before_the_probe(calls: int) -> None:
    breaker, clock, _factory, probe = opened()
    clock.advance(10.0)
    permits = [breaker.try_acquire() for _ in range(calls)]
    assert await probe.probe() == CONFIG.permitted_calls_in_half_open - calls
    for permit in permits:
        permit.ignore()
