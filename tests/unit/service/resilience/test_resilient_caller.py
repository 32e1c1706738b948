"""The retry loop: classification, backoff, Retry-After, budget, timeout, and the breaker."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.service.resilience.breaker import BreakerConfig, BreakerState, CircuitBreaker
from jwtpizza.service.resilience.budget import RetryBudget
from jwtpizza.service.resilience.errors import (
    BreakerOpen,
    GiveUp,
    Rejected,
    RetryLater,
    SystemicHold,
)
from jwtpizza.service.resilience.retry import ResilientCaller, RetryPolicy, RetryScheduled
from tests.unit.service.resilience.factory_failures import factory_error


class FixedRandom:
    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


@dataclass
class Factory:
    """A scripted factory: each call takes `took` seconds of fake time, then plays the
    next outcome (an exception is raised, anything else returned)."""

    clock: FakeClock
    outcomes: list[object]
    took: float = 0.1
    started_at: list[float] = field(default_factory=list)

    async def __call__(self) -> str:
        self.started_at.append(self.clock.monotonic())
        self.clock.advance(self.took)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    @property
    def calls(self) -> int:
        return len(self.started_at)


def make_breaker(clock: FakeClock, **overrides: Any) -> CircuitBreaker:
    settings: dict[str, Any] = {"window_size": 1, "minimum_calls": 1, "wait_in_open": 10.0}
    return CircuitBreaker(BreakerConfig(**(settings | overrides)), clock=clock)


def make_caller(
    clock: FakeClock,
    *,
    breaker: CircuitBreaker | None = None,
    budget: RetryBudget | None = None,
    jitter: float = 0.5,
    **policy: Any,
) -> ResilientCaller:
    rules: dict[str, Any] = {"max_attempts": 3, "base_backoff": 0.1, "max_backoff": 2.0}
    return ResilientCaller(
        policy=RetryPolicy(**(rules | policy)),
        clock=clock,
        breaker=breaker,
        budget=budget,
        random=FixedRandom(jitter),
    )


async def hang() -> str:
    await asyncio.Event().wait()
    return "never"


async def test_a_first_success_is_returned_without_retrying() -> None:
    clock = FakeClock()
    factory = Factory(clock, ["pizza"])
    assert await make_caller(clock).call(factory) == "pizza"
    assert factory.calls == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("hung socket"),
        factory_error("internal error", status=500),
        factory_error("oven is full", status=503),
        factory_error("slow down", status=429),
        factory_error("the factory's pizza did not verify"),
        jwt.InvalidSignatureError("bad signature"),
    ],
)
async def test_a_retryable_failure_is_retried_until_it_succeeds(failure: Exception) -> None:
    clock = FakeClock()
    factory = Factory(clock, [failure, failure, "pizza"])
    assert await make_caller(clock, max_attempts=3).call(factory) == "pizza"
    assert factory.calls == 3


async def test_each_retry_is_announced_and_waits_its_backoff() -> None:
    clock = FakeClock()
    factory = Factory(clock, [factory_error("down", status=503)] * 2 + ["pizza"], took=0.0)
    caller = make_caller(clock, jitter=0.5, base_backoff=0.1)
    seen: list[RetryScheduled] = []
    caller.add_retry_listener(seen.append)
    await caller.call(factory)
    assert seen == [
        RetryScheduled(1, pytest.approx(0.05), "factory answered 503: down"),  # type: ignore[arg-type]
        RetryScheduled(2, pytest.approx(0.1), "factory answered 503: down"),  # type: ignore[arg-type]
    ]
    start = factory.started_at[0]
    assert [t - start for t in factory.started_at] == pytest.approx([0.0, 0.05, 0.15])


async def test_an_invalid_order_is_rejected_at_once_and_spares_the_breaker() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)  # any recorded failure would open it
    factory = Factory(clock, [factory_error("too many pizzas", status=400)])
    with pytest.raises(Rejected) as rejected:
        await make_caller(clock, breaker=breaker).call(factory)
    assert rejected.value.message == "too many pizzas"
    assert rejected.value.attempts == 1
    assert factory.calls == 1
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_key_holds_the_order_and_counts_against_the_breaker(status: int) -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    factory = Factory(clock, [factory_error("bad vendor key", status=status)])
    with pytest.raises(SystemicHold) as held:
        await make_caller(clock, breaker=breaker).call(factory)
    assert isinstance(held.value, RetryLater)  # the order stays queued
    assert held.value.give_up is GiveUp.SYSTEMIC_HOLD
    assert factory.calls == 1
    assert breaker.state is BreakerState.OPEN


async def test_exhausted_attempts_leave_the_order_queued_with_the_last_cause() -> None:
    clock = FakeClock()
    last = factory_error("the factory could not be reached")
    factory = Factory(
        clock, [factory_error("down", status=503), factory_error("down", status=502), last]
    )
    with pytest.raises(RetryLater) as later:
        await make_caller(clock, max_attempts=3).call(factory)
    assert later.value.give_up is GiveUp.ATTEMPTS_EXHAUSTED
    assert later.value.attempts == 3
    assert later.value.__cause__ is last
    assert factory.calls == 3


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(base_backoff=0.1, max_backoff=1.0)
    assert [policy.backoff_cap(n) for n in range(1, 7)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    )
    caller = ResilientCaller(policy=policy, clock=FakeClock(), random=random.Random(1234))
    for failed in range(1, 7):
        draws = [caller.backoff(failed) for _ in range(500)]
        cap = policy.backoff_cap(failed)
        assert all(0.0 <= d < cap for d in draws)
        assert min(draws) < 0.05 * cap  # spread over the whole range, not bunched at the cap
        assert max(draws) > 0.95 * cap


def test_backoff_reaches_both_ends_of_its_range() -> None:
    policy = RetryPolicy(base_backoff=0.1, max_backoff=1.0)
    low = ResilientCaller(policy=policy, clock=FakeClock(), random=FixedRandom(0.0))
    high = ResilientCaller(policy=policy, clock=FakeClock(), random=FixedRandom(0.999))
    assert low.backoff(3) == 0.0
    assert high.backoff(3) == pytest.approx(0.3996)


async def test_retry_after_is_honoured_when_longer_than_the_backoff() -> None:
    clock = FakeClock()
    factory = Factory(clock, [factory_error("slow down", status=429, retry_after=1.5), "pizza"])
    caller = make_caller(clock, jitter=0.0, max_retry_after=2.0)
    assert await caller.call(factory) == "pizza"
    gap = factory.started_at[1] - factory.started_at[0]
    assert gap == pytest.approx(0.1 + 1.5)  # the attempt's own 0.1s, then the Retry-After


async def test_a_backoff_longer_than_retry_after_wins() -> None:
    clock = FakeClock()
    factory = Factory(clock, [factory_error("slow down", status=429, retry_after=0.2), "pizza"])
    caller = make_caller(clock, jitter=0.5, base_backoff=1.0)
    await caller.call(factory)
    assert factory.started_at[1] - factory.started_at[0] == pytest.approx(0.1 + 0.5)


async def test_a_retry_after_beyond_the_limit_is_left_to_the_queue() -> None:
    clock = FakeClock()
    factory = Factory(clock, [factory_error("slow down", status=429, retry_after=30.0)])
    with pytest.raises(RetryLater) as later:
        await make_caller(clock, max_retry_after=2.0).call(factory)
    assert later.value.give_up is GiveUp.RETRY_AFTER_TOO_LONG
    assert later.value.retry_after == 30.0
    assert factory.calls == 1


async def test_an_exhausted_budget_stops_retries() -> None:
    clock = FakeClock()
    budget = RetryBudget(clock=clock, percent=0.0, window=10.0, min_retries=1)
    caller = make_caller(clock, budget=budget, max_attempts=5)
    down = factory_error("down", status=503)
    first = Factory(clock, [down] * 5)
    with pytest.raises(RetryLater) as later:
        await caller.call(first)
    assert later.value.give_up is GiveUp.BUDGET_EXHAUSTED
    assert first.calls == 2  # the one retry the budget allowed
    second = Factory(clock, [down] * 5)
    with pytest.raises(RetryLater):
        await caller.call(second)
    assert second.calls == 1  # no retry left for anyone


async def test_the_budget_is_charged_only_for_retries_that_happen() -> None:
    clock = FakeClock()
    budget = RetryBudget(clock=clock, percent=0.0, window=10.0, min_retries=1)
    caller = make_caller(clock, budget=budget, max_attempts=1)
    with pytest.raises(RetryLater) as later:
        await caller.call(Factory(clock, [factory_error("down", status=503)]))
    assert later.value.give_up is GiveUp.ATTEMPTS_EXHAUSTED
    assert budget.try_spend()  # the retry was never charged


async def test_a_timeout_counts_as_a_breaker_failure() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, failure_rate_threshold=100.0, slow_call_duration=60.0)
    moves: list[str] = []
    breaker.add_listener(lambda old, new, reason: moves.append(reason))
    caller = make_caller(clock, breaker=breaker, max_attempts=1, attempt_timeout=0.01)
    with pytest.raises(RetryLater) as later:
        await caller.call(hang)
    assert later.value.message == "no answer within 0.01s (attempts exhausted after 1 attempts)"
    assert moves == ["failure rate 100% over 1 calls"]


async def test_a_timeout_counts_as_a_slow_call() -> None:
    clock = FakeClock()
    breaker = make_breaker(
        clock,
        window_size=2,
        minimum_calls=2,
        failure_rate_threshold=100.0,  # one failure of two will not open it
        slow_call_duration=0.005,
        slow_call_rate_threshold=50.0,  # one slow call of two will
    )
    moves: list[str] = []
    breaker.add_listener(lambda old, new, reason: moves.append(reason))
    caller = make_caller(clock, breaker=breaker, max_attempts=1, attempt_timeout=0.01)
    fast = Factory(clock, ["pizza"], took=0.001)
    assert await caller.call(fast) == "pizza"
    with pytest.raises(RetryLater):
        await caller.call(hang)  # FakeClock time stands still: only the timeout makes it slow
    assert moves == ["slow-call rate 50% over 2 calls"]


async def test_an_open_breaker_fails_fast_without_calling_the_factory() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, wait_in_open=10.0)
    breaker.try_acquire().failure(0.1)
    clock.advance(4.0)
    factory = Factory(clock, ["pizza"])
    with pytest.raises(BreakerOpen) as refused:
        await make_caller(clock, breaker=breaker).call(factory)
    assert refused.value.retry_after == pytest.approx(6.0)
    assert refused.value.attempts == 0
    assert factory.calls == 0


async def test_a_breaker_that_opens_between_attempts_stops_the_retries() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, window_size=2, minimum_calls=2, failure_rate_threshold=100.0)
    factory = Factory(clock, [factory_error("down", status=503)] * 5)
    with pytest.raises(BreakerOpen) as refused:
        await make_caller(clock, breaker=breaker, max_attempts=5).call(factory)
    assert refused.value.attempts == 2
    assert factory.calls == 2


async def test_each_attempt_takes_its_own_breaker_permit() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, window_size=3, minimum_calls=3, failure_rate_threshold=60.0)
    factory = Factory(clock, [factory_error("down", status=503)] * 2 + ["pizza"])
    assert await make_caller(clock, breaker=breaker, max_attempts=3).call(factory) == "pizza"
    assert breaker.state is BreakerState.OPEN  # 2 of the 3 attempts failed: 67%


async def test_an_unrecognised_error_propagates_and_frees_its_trial_slot() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, permitted_calls_in_half_open=1, wait_in_open=10.0)
    breaker.try_acquire().failure(0.1)
    clock.advance(10.0)
    bug = ValueError("a bug of ours")
    factory = Factory(clock, [bug])
    with pytest.raises(ValueError) as raised:
        await make_caller(clock, breaker=breaker).call(factory)
    assert raised.value is bug
    assert factory.calls == 1
    breaker.try_acquire().success(0.1)  # the slot was given back, and this trial closes it
    assert breaker.state is BreakerState.CLOSED


async def test_a_cancelled_call_frees_its_trial_slot() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, permitted_calls_in_half_open=1, wait_in_open=10.0)
    breaker.try_acquire().failure(0.1)
    clock.advance(10.0)
    task = asyncio.create_task(make_caller(clock, breaker=breaker).call(hang))
    await asyncio.sleep(0)  # let the call take its permit and start waiting
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.try_acquire().success(0.1)
    assert breaker.state is BreakerState.CLOSED


async def test_with_everything_off_one_failure_ends_the_call() -> None:
    clock = FakeClock()
    factory = Factory(clock, [factory_error("down", status=503)])
    caller = make_caller(clock, max_attempts=1, attempt_timeout=None)
    with pytest.raises(RetryLater) as later:
        await caller.call(factory)
    assert later.value.give_up is GiveUp.ATTEMPTS_EXHAUSTED
    assert factory.calls == 1


async def test_a_broken_retry_listener_does_not_break_the_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    caller = make_caller(clock)

    def broken(event: RetryScheduled) -> None:
        raise RuntimeError("a listener's own bug")

    caller.add_retry_listener(broken)
    factory = Factory(clock, [factory_error("down", status=503), "pizza"])
    assert await caller.call(factory) == "pizza"
    assert "retry listener failed" in caplog.text


def test_a_nonsense_policy_is_refused() -> None:
    for rules in ({"max_attempts": 0}, {"base_backoff": 2.0, "max_backoff": 1.0}):
        with pytest.raises(ValueError):
            RetryPolicy(**rules)
    with pytest.raises(ValueError):
        RetryPolicy(attempt_timeout=0)


async def test_calls_refused_by_the_breaker_earn_no_retries() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, wait_in_open=10.0)
    breaker.try_acquire().failure(0.1)
    budget = RetryBudget(clock=clock, percent=100.0, window=60.0)
    caller = make_caller(clock, breaker=breaker, budget=budget)
    for _ in range(5):
        with pytest.raises(BreakerOpen):
            await caller.call(Factory(clock, ["pizza"]))
    assert not budget.try_spend()
