"""Calling the factory with a per-attempt timeout, retries, a retry budget and the breaker.

`ResilientCaller.call(attempt)` runs `attempt()` until it returns, or raises one outcome
from `errors.py`: `Rejected` (reject the order), `RetryLater` / `SystemicHold` (keep it
queued), `BreakerOpen` (fail fast). Each attempt takes its own breaker permit, runs under
`asyncio.timeout`, and is classified; only RETRYABLE verdicts are retried, after a
full-jitter exponential backoff, never sooner than the server's Retry-After, while the
attempts cap and the shared retry budget allow. See README.md for why in this order.

The loop is written here rather than with tenacity: every decision in it (retry or not,
how long to wait, when to stop, what to raise) turns on the last attempt's verdict and the
shared budget, so tenacity's `retry=`, `wait=` and `stop=` would each be a custom callback
re-deriving that verdict, the budget would have to be spent in a `stop` placed last to
avoid charging retries that never happen, and its `wait_random_exponential` draws from the
global `random` module rather than an injected source. What remains for tenacity is the
`while` loop and an attempt counter.
"""

from __future__ import annotations

import asyncio
import logging
import random as random_module
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from jwtpizza.clock import Clock
from jwtpizza.service.resilience.breaker import CircuitBreaker, Permit
from jwtpizza.service.resilience.budget import RetryBudget
from jwtpizza.service.resilience.classify import (
    Classifier,
    OutcomeKind,
    Verdict,
    classify_factory_failure,
)
from jwtpizza.service.resilience.errors import (
    BreakerOpen,
    GiveUp,
    Rejected,
    ResilienceError,
    RetryLater,
    SystemicHold,
)

__all__ = ["RandomSource", "ResilientCaller", "RetryListener", "RetryPolicy", "RetryScheduled"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class RandomSource(Protocol):
    def random(self) -> float:
        """A float in [0, 1)."""
        ...


def exponential_cap(base: float, maximum: float, failures: int) -> float:
    """The upper bound of a full-jitter wait after `failures` failures: base * 2^(n-1),
    at most `maximum`. Retries in a call and passes of the queue both back off by it."""
    return min(maximum, base * 2.0 ** (failures - 1))


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts, backoff and timeout of one call; seconds throughout.

    `max_attempts` counts the first attempt (1: no retries). `max_retry_after` is the
    longest Retry-After honoured in place; a longer one ends the call with `RetryLater`
    carrying it, for the queue to wait out. `attempt_timeout=None` turns the timeout off.
    """

    max_attempts: int = 3
    base_backoff: float = 0.1
    max_backoff: float = 2.0
    max_retry_after: float = 2.0
    attempt_timeout: float | None = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_backoff < 0 or self.max_backoff < self.base_backoff:
            raise ValueError("need 0 <= base_backoff <= max_backoff")
        if self.attempt_timeout is not None and self.attempt_timeout <= 0:
            raise ValueError("attempt_timeout must be positive or None")

    def backoff_cap(self, failed_attempts: int) -> float:
        """The upper bound of the wait after `failed_attempts` failures."""
        return exponential_cap(self.base_backoff, self.max_backoff, failed_attempts)


@dataclass(frozen=True)
class RetryScheduled:
    """Attempt `attempt` failed with `reason`; the next starts after `delay` seconds."""

    attempt: int
    delay: float
    reason: str


RetryListener = Callable[[RetryScheduled], None]


@dataclass(frozen=True)
class _Failed:
    verdict: Verdict
    error: Exception


class ResilientCaller:
    """Runs factory calls through timeout, retries and the breaker; one per factory."""

    def __init__(
        self,
        *,
        policy: RetryPolicy,
        clock: Clock,
        breaker: CircuitBreaker | None = None,
        budget: RetryBudget | None = None,
        classify: Classifier = classify_factory_failure,
        random: RandomSource | None = None,
    ) -> None:
        self.policy = policy
        self.breaker = breaker
        self._clock = clock
        self._budget = budget
        self._classify = classify
        self._random = random or random_module.Random()
        self._listeners: list[RetryListener] = []

    def add_retry_listener(self, listener: RetryListener) -> None:
        self._listeners.append(listener)

    async def call(self, attempt: Callable[[], Awaitable[T]], *, within: float | None = None) -> T:
        """`attempt()`'s result, or a `ResilienceError` saying what to do with the order.

        With `within`, the caller waits that many seconds for a result, however slow: each
        attempt may take all the time left (instead of the policy's attempt timeout), and
        no retry starts that could not finish in it.

        An error the classifier does not recognise propagates unchanged, as the bug it is.
        """
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        number = 1
        while True:
            outcome = await self._attempt(attempt, number, deadline)
            if not isinstance(outcome, _Failed):
                return outcome
            left = None if deadline is None else deadline - loop.time()
            stop = self._reason_to_stop(outcome.verdict, number, left)
            if stop is not None:
                raise stop from outcome.error
            delay = max(self.backoff(number), outcome.verdict.retry_after or 0.0)
            self._announce(RetryScheduled(number, delay, outcome.verdict.reason))
            await self._clock.sleep(delay)
            number += 1

    def backoff(self, failed_attempts: int) -> float:
        """Full jitter: uniform in [0, cap), so retrying callers spread out."""
        return self._random.random() * self.policy.backoff_cap(failed_attempts)

    async def _attempt(
        self, attempt: Callable[[], Awaitable[T]], number: int, until: float | None
    ) -> T | _Failed:
        permit = self._acquire(number)
        if number == 1 and self._budget is not None:
            self._budget.record_call()  # only calls the factory receives earn retries
        started = self._clock.monotonic()
        if until is None:
            deadline = asyncio.timeout(self.policy.attempt_timeout)
        else:
            deadline = asyncio.timeout_at(until)
        try:
            async with deadline:
                result = await attempt()
        except Exception as error:
            verdict = self._judge(error, deadline, waited=until is not None)
            if verdict is None:
                raise
            self._report(permit, verdict, self._duration(started, deadline))
            return _Failed(verdict, error)
        else:
            if permit is not None:
                permit.success(self._duration(started, deadline))
            return result
        finally:
            if permit is not None and not permit.done:
                permit.ignore()  # cancelled, or a bug: neither says anything about the factory

    def _acquire(self, number: int) -> Permit | None:
        if self.breaker is None:
            return None
        try:
            return self.breaker.try_acquire()
        except BreakerOpen as refused:
            raise BreakerOpen(refused.retry_after, attempts=number - 1) from None

    def _judge(self, error: Exception, deadline: asyncio.Timeout, waited: bool) -> Verdict | None:
        """The verdict on a failed attempt; `waited`: it had the caller's whole wait."""
        if deadline.expired():
            limit = "the wait budget" if waited else f"{self.policy.attempt_timeout}s"
            return Verdict(OutcomeKind.RETRYABLE, f"no answer within {limit}")
        return self._classify(error, self._clock.now())

    def _duration(self, started: float, deadline: asyncio.Timeout) -> float:
        """Seconds the attempt took; one that timed out took at least the timeout."""
        elapsed = self._clock.monotonic() - started
        if deadline.expired() and self.policy.attempt_timeout is not None:
            return max(elapsed, self.policy.attempt_timeout)
        return elapsed

    @staticmethod
    def _report(permit: Permit | None, verdict: Verdict, duration: float) -> None:
        if permit is None:
            return
        if verdict.kind is OutcomeKind.PERMANENT:
            permit.ignore()  # the factory answered correctly; the order was wrong
        else:
            permit.failure(duration)

    def _reason_to_stop(
        self, verdict: Verdict, number: int, left: float | None
    ) -> ResilienceError | None:
        """The outcome to end with after failed attempt `number`, or None to retry; `left`:
        seconds left of the caller's wait, if it set one.

        The budget is consulted last, so it is charged only for retries that happen.
        """
        hint = verdict.retry_after
        if verdict.kind is OutcomeKind.PERMANENT:
            return Rejected(verdict.reason, attempts=number)
        if verdict.kind is OutcomeKind.SYSTEMIC_HOLD:
            return SystemicHold(verdict.reason, attempts=number, retry_after=hint)
        if number >= self.policy.max_attempts:
            return self._retry_later(verdict, number, GiveUp.ATTEMPTS_EXHAUSTED)
        if hint is not None and hint > self.policy.max_retry_after:
            return self._retry_later(verdict, number, GiveUp.RETRY_AFTER_TOO_LONG)
        if left is not None and left <= (hint or 0.0):
            return self._retry_later(verdict, number, GiveUp.WAIT_BUDGET_SPENT)
        if self._budget is not None and not self._budget.try_spend():
            return self._retry_later(verdict, number, GiveUp.BUDGET_EXHAUSTED)
        return None

    @staticmethod
    def _retry_later(verdict: Verdict, number: int, why: GiveUp) -> RetryLater:
        message = f"{verdict.reason} ({why.value.replace('_', ' ')} after {number} attempts)"
        return RetryLater(message, attempts=number, give_up=why, retry_after=verdict.retry_after)

    def _announce(self, event: RetryScheduled) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("retry listener failed")
