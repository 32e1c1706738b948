"""A circuit breaker with resilience4j's semantics, in front of the pizza factory.

Written here rather than taken from PyPI because no well-kept Python breaker has these
semantics: pybreaker, aiobreaker, circuitbreaker and purgatory all open after N
*consecutive* failures and close after one (or N consecutive) successful probes. None has a
count-based window with a minimum number of calls, a failure *rate*, a slow-call rate, a
fixed number of half-open trial calls judged as a group, or a cap on half-open waiting.

Semantics (resilience4j's `CircuitBreaker`, count-based window):

- CLOSED records the outcome of the last `window_size` calls. Once at least `minimum_calls`
  are recorded, it opens when the failure rate or the slow-call rate (calls longer than
  `slow_call_duration`, failed or not) is at or above its threshold.
- OPEN rejects every call with `BreakerOpen(retry_after)` until `wait_in_open` has passed,
  then the next look at the breaker moves it to HALF_OPEN.
- HALF_OPEN lets `permitted_calls_in_half_open` trial calls through and rejects the rest.
  When all trials have an outcome, their failure and slow-call rates decide: at or above a
  threshold reopens, below closes (with a fresh window). With `max_wait_in_half_open` set,
  trials handed out that have not all finished that long after the first was, send it
  back to OPEN.
- An ignored outcome (`permit.ignore()`: the call failed for a reason that says nothing
  about the factory's health) is not recorded; in HALF_OPEN its trial slot is given back.

Three deliberate differences: time-driven transitions happen when the breaker is next looked
at (`state`, `try_acquire`, an outcome), as resilience4j does by default, so a breaker
nobody touches stays OPEN; an outcome whose permit was taken before the last transition is
dropped, so a slow call started while CLOSED cannot count as a half-open trial; and a
half-open breaker that no call has tried waits for one, however long, rather than going
back to OPEN (resilience4j's cap counts from the transition, so at a few calls a minute a
recovered dependency stayed unreachable, the breaker cycling open / half-open). A caller
that wants it judged sooner sends a trial of its own when `wants_trial` (`BreakerProbe`).

All methods are synchronous and never await, so under one event loop each runs whole and
no lock is needed. Listeners run after the state has changed, in registration order; one
that raises is logged and does not stop the others or the breaker.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from jwtpizza.clock import Clock
from jwtpizza.service.resilience.errors import BreakerOpen

__all__ = [
    "ALLOWED_TRANSITIONS",
    "BreakerConfig",
    "BreakerOpen",
    "BreakerState",
    "CircuitBreaker",
    "Permit",
    "TransitionListener",
]

log = logging.getLogger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


ALLOWED_TRANSITIONS: Mapping[BreakerState, frozenset[BreakerState]] = {
    BreakerState.CLOSED: frozenset({BreakerState.OPEN}),
    BreakerState.OPEN: frozenset({BreakerState.HALF_OPEN}),
    BreakerState.HALF_OPEN: frozenset({BreakerState.CLOSED, BreakerState.OPEN}),
}

TransitionListener = Callable[[BreakerState, BreakerState, str], None]
"""Called as `listener(old, new, reason)` after each transition."""


@dataclass(frozen=True)
class BreakerConfig:
    """The breaker's parameters; durations in seconds, rates in percent."""

    window_size: int = 20
    minimum_calls: int = 10
    failure_rate_threshold: float = 50.0
    slow_call_duration: float = 1.0
    slow_call_rate_threshold: float = 80.0
    wait_in_open: float = 10.0
    permitted_calls_in_half_open: int = 3
    max_wait_in_half_open: float | None = 10.0

    def __post_init__(self) -> None:
        _require(self.window_size >= 1, "window_size must be at least 1")
        _require(self.minimum_calls >= 1, "minimum_calls must be at least 1")
        _require(0 < self.failure_rate_threshold <= 100, "failure_rate_threshold: (0, 100]")
        _require(0 < self.slow_call_rate_threshold <= 100, "slow_call_rate_threshold: (0, 100]")
        _require(self.slow_call_duration > 0, "slow_call_duration must be positive")
        _require(self.wait_in_open >= 0, "wait_in_open must not be negative")
        _require(self.permitted_calls_in_half_open >= 1, "permitted_calls_in_half_open >= 1")
        _require(
            self.max_wait_in_half_open is None or self.max_wait_in_half_open > 0,
            "max_wait_in_half_open must be positive or None",
        )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


class _Window:
    """The last `size` recorded outcomes, as (failed, slow) pairs."""

    def __init__(self, size: int) -> None:
        self._outcomes: deque[tuple[bool, bool]] = deque(maxlen=size)

    def record(self, *, failed: bool, slow: bool) -> None:
        self._outcomes.append((failed, slow))

    def __len__(self) -> int:
        return len(self._outcomes)

    def tripped(self, config: BreakerConfig) -> str | None:
        """Why these outcomes should open the breaker, or None."""
        calls = len(self._outcomes)
        failure_rate = 100.0 * sum(failed for failed, _ in self._outcomes) / calls
        slow_rate = 100.0 * sum(slow for _, slow in self._outcomes) / calls
        if failure_rate >= config.failure_rate_threshold:
            return f"failure rate {failure_rate:.0f}% over {calls} calls"
        if slow_rate >= config.slow_call_rate_threshold:
            return f"slow-call rate {slow_rate:.0f}% over {calls} calls"
        return None


class Permit:
    """Leave to make one call; report its outcome exactly once."""

    def __init__(self, breaker: CircuitBreaker, generation: int) -> None:
        self._breaker = breaker
        self._generation = generation
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def success(self, duration: float) -> None:
        """The call worked, taking `duration` seconds."""
        self._finish()
        self._breaker._record(self._generation, failed=False, duration=duration)

    def failure(self, duration: float) -> None:
        """The call failed in a way that counts against the factory."""
        self._finish()
        self._breaker._record(self._generation, failed=True, duration=duration)

    def ignore(self) -> None:
        """The call says nothing about the factory's health (an invalid order, a cancel)."""
        self._finish()
        self._breaker._release(self._generation)

    def _finish(self) -> None:
        if self._done:
            raise RuntimeError("this permit's outcome was already reported")
        self._done = True


class CircuitBreaker:
    """CLOSED, OPEN, HALF_OPEN over a count-based window; see the module docstring."""

    def __init__(self, config: BreakerConfig, *, clock: Clock) -> None:
        self.config = config
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._since = clock.monotonic()
        self._generation = 0
        self._window = _Window(config.window_size)
        self._trial_slots = 0
        self._in_flight = 0  # trials handed out in this half-open state, not yet finished
        self._first_trial_at = 0.0
        self._listeners: list[TransitionListener] = []

    @property
    def state(self) -> BreakerState:
        self._follow_time()
        return self._state

    @property
    def wants_trial(self) -> bool:
        """HALF_OPEN with a trial slot free: a call now would be let through as a trial."""
        return self.state is BreakerState.HALF_OPEN and self._trial_slots > 0

    def add_listener(self, listener: TransitionListener) -> None:
        self._listeners.append(listener)

    def try_acquire(self) -> Permit:
        """A permit for one call, or `BreakerOpen` with the seconds to wait."""
        self._follow_time()
        if self._state is BreakerState.OPEN:
            raise BreakerOpen(self._open_wait_left())
        if self._state is BreakerState.HALF_OPEN:
            if self._trial_slots == 0:
                raise BreakerOpen(self._half_open_wait_left())
            self._trial_slots -= 1
            if self._in_flight == 0:
                self._first_trial_at = self._clock.monotonic()
            self._in_flight += 1
        return Permit(self, self._generation)

    def _record(self, generation: int, *, failed: bool, duration: float) -> None:
        self._follow_time()
        if generation != self._generation:
            return
        self._in_flight = max(0, self._in_flight - 1)
        self._window.record(failed=failed, slow=duration > self.config.slow_call_duration)
        if self._state is BreakerState.CLOSED:
            self._judge_closed()
        else:
            self._judge_trials()

    def _release(self, generation: int) -> None:
        self._follow_time()
        if generation == self._generation and self._state is BreakerState.HALF_OPEN:
            self._trial_slots += 1
            self._in_flight = max(0, self._in_flight - 1)

    def _judge_closed(self) -> None:
        if len(self._window) < min(self.config.minimum_calls, self.config.window_size):
            return
        reason = self._window.tripped(self.config)
        if reason is not None:
            self._move(BreakerState.OPEN, reason)

    def _judge_trials(self) -> None:
        if len(self._window) < self.config.permitted_calls_in_half_open:
            return
        reason = self._window.tripped(self.config)
        if reason is None:
            self._move(BreakerState.CLOSED, "trial calls passed")
        else:
            self._move(BreakerState.OPEN, f"trial calls failed: {reason}")

    def _follow_time(self) -> None:
        if self._state is BreakerState.OPEN and self._elapsed() >= self.config.wait_in_open:
            self._move(BreakerState.HALF_OPEN, f"open for {self.config.wait_in_open:g}s")
        cap = self.config.max_wait_in_half_open
        if (
            self._state is BreakerState.HALF_OPEN
            and cap is not None
            and self._in_flight > 0
            and self._clock.monotonic() - self._first_trial_at >= cap
        ):
            self._move(BreakerState.OPEN, f"trial calls unfinished after {cap:g}s")

    def _elapsed(self) -> float:
        """Seconds in the current state."""
        return self._clock.monotonic() - self._since

    def _open_wait_left(self) -> float:
        return max(0.0, self._since + self.config.wait_in_open - self._clock.monotonic())

    def _half_open_wait_left(self) -> float:
        """Until the half-open cap, the latest the trials can keep us waiting (0: no cap)."""
        cap = self.config.max_wait_in_half_open
        if cap is None or self._in_flight == 0:
            return 0.0
        return max(0.0, self._first_trial_at + cap - self._clock.monotonic())

    def _move(self, new: BreakerState, reason: str) -> None:
        old = self._state
        if new not in ALLOWED_TRANSITIONS[old]:
            raise RuntimeError(f"breaker cannot go from {old} to {new}")
        self._state = new
        self._since = self._clock.monotonic()
        self._generation += 1
        self._in_flight = 0
        if new is BreakerState.HALF_OPEN:
            self._window = _Window(self.config.permitted_calls_in_half_open)
            self._trial_slots = self.config.permitted_calls_in_half_open
        elif new is BreakerState.CLOSED:
            self._window = _Window(self.config.window_size)
        for listener in list(self._listeners):
            self._notify(listener, old, new, reason)

    @staticmethod
    def _notify(
        listener: TransitionListener, old: BreakerState, new: BreakerState, why: str
    ) -> None:
        try:
            listener(old, new, why)
        except Exception:
            log.exception("breaker transition listener failed")
