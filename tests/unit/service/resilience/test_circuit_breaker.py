"""The breaker's lifecycle, driven by a FakeClock: every transition and what triggers it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.service.resilience.breaker import (
    ALLOWED_TRANSITIONS,
    BreakerConfig,
    BreakerState,
    CircuitBreaker,
)
from jwtpizza.service.resilience.errors import BreakerOpen

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN
FAST, SLOW = 0.1, 5.0


@dataclass
class Rig:
    breaker: CircuitBreaker
    clock: FakeClock
    seen: list[tuple[BreakerState, BreakerState, str]] = field(default_factory=list)

    def succeed(self, times: int = 1, duration: float = FAST) -> None:
        for _ in range(times):
            self.breaker.try_acquire().success(duration)

    def fail(self, times: int = 1, duration: float = FAST) -> None:
        for _ in range(times):
            self.breaker.try_acquire().failure(duration)

    def moves(self) -> list[tuple[BreakerState, BreakerState]]:
        return [(old, new) for old, new, _ in self.seen]

    def open_it(self) -> None:
        self.fail(self.breaker.config.minimum_calls)
        assert self.breaker.state is OPEN

    def half_open_it(self) -> None:
        self.open_it()
        self.clock.advance(self.breaker.config.wait_in_open)
        assert self.breaker.state is HALF_OPEN


def make_rig(**overrides: Any) -> Rig:
    settings: dict[str, Any] = {
        "window_size": 10,
        "minimum_calls": 4,
        "failure_rate_threshold": 50.0,
        "slow_call_duration": 1.0,
        "slow_call_rate_threshold": 50.0,
        "wait_in_open": 10.0,
        "permitted_calls_in_half_open": 3,
        "max_wait_in_half_open": 5.0,
    }
    clock = FakeClock()
    rig = Rig(CircuitBreaker(BreakerConfig(**(settings | overrides)), clock=clock), clock)
    rig.breaker.add_listener(lambda old, new, reason: rig.seen.append((old, new, reason)))
    return rig


def test_a_new_breaker_is_closed_and_lets_calls_through() -> None:
    rig = make_rig()
    rig.succeed(20)
    assert rig.breaker.state is CLOSED
    assert rig.seen == []


def test_closed_opens_when_the_failure_rate_reaches_the_threshold() -> None:
    rig = make_rig(window_size=10, minimum_calls=10, failure_rate_threshold=50.0)
    rig.succeed(5)
    rig.fail(4)
    rig.succeed()
    assert rig.breaker.state is CLOSED  # 4 of 10 failed: 40%
    rig.fail()  # the window slides: 5 of the last 10 failed: 50%
    assert rig.breaker.state is OPEN
    assert rig.seen == [(CLOSED, OPEN, "failure rate 50% over 10 calls")]


def test_closed_waits_for_the_minimum_number_of_calls() -> None:
    rig = make_rig(minimum_calls=5)
    rig.fail(4)
    assert rig.breaker.state is CLOSED  # 100% failed, but only 4 calls
    rig.fail()
    assert rig.breaker.state is OPEN


def test_a_minimum_above_the_window_size_means_a_full_window() -> None:
    rig = make_rig(window_size=3, minimum_calls=10)
    rig.fail(3)
    assert rig.breaker.state is OPEN


def test_the_window_forgets_outcomes_older_than_its_size() -> None:
    rig = make_rig(window_size=4, minimum_calls=4, failure_rate_threshold=50.0)
    rig.fail()
    rig.succeed(3)  # [F S S S]: 25%
    rig.succeed()  # [S S S S]: the failure has slid out
    rig.fail()  # [S S S F]: 25%, where keeping the old failure would make 2 of 6
    assert rig.breaker.state is CLOSED
    rig.fail()  # [S S F F]: 50%
    assert rig.breaker.state is OPEN


def test_closed_opens_on_the_slow_call_rate_even_when_every_call_succeeds() -> None:
    rig = make_rig(minimum_calls=4, slow_call_duration=1.0, slow_call_rate_threshold=50.0)
    rig.succeed(2, duration=FAST)
    rig.succeed(1, duration=1.0)  # exactly the threshold is not slow
    assert rig.breaker.state is CLOSED
    rig.succeed(1, duration=1.01)
    assert rig.breaker.state is CLOSED  # 1 slow of 4: 25%
    rig.succeed(1, duration=SLOW)
    assert rig.breaker.state is CLOSED  # 2 slow of 5: 40%
    rig.succeed(1, duration=SLOW)
    assert rig.breaker.state is OPEN  # 3 slow of 6: 50%
    assert rig.seen == [(CLOSED, OPEN, "slow-call rate 50% over 6 calls")]


def test_open_rejects_calls_with_the_time_left() -> None:
    rig = make_rig(wait_in_open=10.0)
    rig.open_it()
    rig.clock.advance(3.0)
    with pytest.raises(BreakerOpen) as refused:
        rig.breaker.try_acquire()
    assert refused.value.retry_after == pytest.approx(7.0)
    assert refused.value.attempts == 0


def test_open_moves_to_half_open_once_the_wait_is_over() -> None:
    rig = make_rig(wait_in_open=10.0)
    rig.open_it()
    rig.clock.advance(9.9)
    assert rig.breaker.state is OPEN
    rig.clock.advance(0.1)
    assert rig.breaker.state is HALF_OPEN
    assert rig.seen[-1] == (OPEN, HALF_OPEN, "open for 10s")


def test_half_open_lets_only_the_permitted_trial_calls_through() -> None:
    rig = make_rig(permitted_calls_in_half_open=3, max_wait_in_half_open=5.0)
    rig.half_open_it()
    for _ in range(3):
        rig.breaker.try_acquire()
    rig.clock.advance(1.0)
    with pytest.raises(BreakerOpen) as refused:
        rig.breaker.try_acquire()
    assert refused.value.retry_after == pytest.approx(4.0)  # until the half-open cap


def test_half_open_closes_when_the_trial_calls_pass() -> None:
    rig = make_rig(permitted_calls_in_half_open=3)
    rig.half_open_it()
    rig.succeed(2)
    assert rig.breaker.state is HALF_OPEN  # judged only once every trial is in
    rig.succeed()
    assert rig.breaker.state is CLOSED
    assert rig.moves() == [(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, CLOSED)]


def test_closing_starts_a_fresh_window() -> None:
    rig = make_rig(minimum_calls=4)
    rig.half_open_it()
    rig.succeed(3)
    rig.fail(3)
    assert rig.breaker.state is CLOSED  # the minimum applies again after closing
    rig.fail()
    assert rig.breaker.state is OPEN


def test_half_open_reopens_when_the_trials_fail() -> None:
    rig = make_rig(permitted_calls_in_half_open=3, failure_rate_threshold=50.0)
    rig.half_open_it()
    rig.fail()
    rig.succeed()
    assert rig.breaker.state is HALF_OPEN
    rig.fail()  # 2 of 3 trials failed: 67%
    assert rig.breaker.state is OPEN
    assert rig.seen[-1] == (HALF_OPEN, OPEN, "trial calls failed: failure rate 67% over 3 calls")
    with pytest.raises(BreakerOpen) as refused:
        rig.breaker.try_acquire()
    assert refused.value.retry_after == pytest.approx(10.0)  # a full open wait again


def test_half_open_judges_trials_as_a_group_like_resilience4j() -> None:
    rig = make_rig(permitted_calls_in_half_open=3, failure_rate_threshold=50.0)
    rig.half_open_it()
    rig.fail()
    rig.succeed(2)  # 1 of 3 failed: 33%, below the threshold
    assert rig.breaker.state is CLOSED


def test_half_open_reopens_when_the_trials_are_slow() -> None:
    rig = make_rig(permitted_calls_in_half_open=2, slow_call_rate_threshold=50.0)
    rig.half_open_it()
    rig.succeed(duration=SLOW)
    rig.succeed(duration=FAST)
    assert rig.breaker.state is OPEN
    assert rig.seen[-1][2] == "trial calls failed: slow-call rate 50% over 2 calls"


def test_half_open_reopens_when_trials_do_not_finish_within_the_cap() -> None:
    rig = make_rig(permitted_calls_in_half_open=3, max_wait_in_half_open=5.0)
    rig.half_open_it()
    late = rig.breaker.try_acquire()
    rig.breaker.try_acquire().success(FAST)
    rig.clock.advance(4.9)
    assert rig.breaker.state is HALF_OPEN
    rig.clock.advance(0.1)
    assert rig.breaker.state is OPEN
    assert rig.seen[-1] == (HALF_OPEN, OPEN, "trial calls unfinished after 5s")
    late.success(FAST)  # the straggler's outcome belongs to a state that is gone
    assert rig.breaker.state is OPEN


def test_a_half_open_breaker_nobody_tries_waits_for_a_trial_past_the_cap() -> None:
    """At a few calls a minute the cap used to send it back to OPEN before any call came,
    so a recovered factory stayed unreachable, the breaker cycling open / half-open."""
    rig = make_rig(permitted_calls_in_half_open=1, max_wait_in_half_open=5.0)
    rig.half_open_it()
    rig.clock.advance(3600.0)
    assert rig.breaker.state is HALF_OPEN and rig.breaker.wants_trial
    rig.succeed()  # the first call to come is let through as the trial, however late
    assert rig.breaker.state is CLOSED
    assert rig.moves() == [(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, CLOSED)]


def test_the_cap_counts_from_the_first_trial_handed_out() -> None:
    rig = make_rig(permitted_calls_in_half_open=2, max_wait_in_half_open=5.0)
    rig.half_open_it()
    rig.clock.advance(60.0)
    rig.breaker.try_acquire()  # a trial that hangs
    rig.clock.advance(4.9)
    assert rig.breaker.state is HALF_OPEN
    rig.clock.advance(0.1)
    assert rig.breaker.state is OPEN


def test_a_breaker_wants_a_trial_only_while_half_open_with_a_slot_free() -> None:
    rig = make_rig(permitted_calls_in_half_open=1)
    assert not rig.breaker.wants_trial  # closed
    rig.open_it()
    assert not rig.breaker.wants_trial
    rig.clock.advance(rig.breaker.config.wait_in_open)
    assert rig.breaker.wants_trial  # looking moves it to half-open
    rig.breaker.try_acquire()
    assert not rig.breaker.wants_trial  # its one trial is out


def test_without_a_cap_half_open_waits_for_its_trials() -> None:
    rig = make_rig(permitted_calls_in_half_open=1, max_wait_in_half_open=None)
    rig.half_open_it()
    trial = rig.breaker.try_acquire()
    rig.clock.advance(3600.0)
    assert rig.breaker.state is HALF_OPEN
    with pytest.raises(BreakerOpen) as refused:
        rig.breaker.try_acquire()
    assert refused.value.retry_after == 0.0  # no estimate: it depends on the trial
    trial.success(FAST)
    assert rig.breaker.state is CLOSED


def test_an_ignored_trial_gives_its_slot_back() -> None:
    rig = make_rig(permitted_calls_in_half_open=1)
    rig.half_open_it()
    rig.breaker.try_acquire().ignore()
    rig.breaker.try_acquire().success(FAST)
    assert rig.breaker.state is CLOSED


def test_ignored_outcomes_are_not_recorded() -> None:
    rig = make_rig(minimum_calls=2)
    for _ in range(10):
        rig.breaker.try_acquire().ignore()
    rig.fail()
    assert rig.breaker.state is CLOSED  # one recorded call, under the minimum of 2
    rig.fail()
    assert rig.breaker.state is OPEN


def test_an_outcome_from_before_a_transition_is_dropped() -> None:
    rig = make_rig(minimum_calls=4, permitted_calls_in_half_open=2)
    started_while_closed = rig.breaker.try_acquire()
    rig.half_open_it()
    started_while_closed.failure(SLOW)
    assert rig.breaker.state is HALF_OPEN
    rig.succeed(2)  # both trial slots were still free, and both trials decide alone
    assert rig.breaker.state is CLOSED


def test_a_permit_reports_one_outcome_only() -> None:
    rig = make_rig()
    permit = rig.breaker.try_acquire()
    permit.success(FAST)
    assert permit.done
    with pytest.raises(RuntimeError):
        permit.failure(FAST)


def test_every_listener_hears_every_transition_even_if_one_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rig = make_rig(permitted_calls_in_half_open=1)
    also: list[tuple[BreakerState, BreakerState]] = []

    def broken(old: BreakerState, new: BreakerState, reason: str) -> None:
        raise ValueError("a listener's own bug")

    rig.breaker.add_listener(broken)
    rig.breaker.add_listener(lambda old, new, reason: also.append((old, new)))
    with caplog.at_level(logging.ERROR):
        rig.half_open_it()
        rig.fail()
        rig.clock.advance(10.0)
        rig.succeed()
    cycle = [(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, OPEN), (OPEN, HALF_OPEN)]
    cycle.append((HALF_OPEN, CLOSED))
    assert rig.moves() == cycle
    assert also == cycle
    assert caplog.text.count("breaker transition listener failed") == len(cycle)


def test_the_lifecycle_allows_exactly_these_transitions() -> None:
    assert dict(ALLOWED_TRANSITIONS) == {
        CLOSED: {OPEN},
        OPEN: {HALF_OPEN},
        HALF_OPEN: {CLOSED, OPEN},
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"window_size": 0},
        {"minimum_calls": 0},
        {"failure_rate_threshold": 0},
        {"failure_rate_threshold": 101},
        {"slow_call_rate_threshold": 0},
        {"slow_call_duration": 0},
        {"wait_in_open": -1},
        {"permitted_calls_in_half_open": 0},
        {"max_wait_in_half_open": 0},
    ],
)
def test_nonsense_configuration_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        BreakerConfig(**overrides)
