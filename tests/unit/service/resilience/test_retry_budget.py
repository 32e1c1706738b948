"""The retry budget: retries at most a share of calls over a sliding window."""

from __future__ import annotations

import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.service.resilience.budget import RetryBudget


def make_budget(clock: FakeClock, *, percent: float = 20.0, min_retries: int = 0) -> RetryBudget:
    return RetryBudget(clock=clock, percent=percent, window=10.0, min_retries=min_retries)


def spend_all(budget: RetryBudget) -> int:
    spent = 0
    while budget.try_spend():
        spent += 1
    return spent


def test_retries_are_capped_at_the_share_of_calls() -> None:
    budget = make_budget(FakeClock(), percent=20.0)
    for _ in range(10):
        budget.record_call()
    assert spend_all(budget) == 2


def test_a_minimum_lets_a_quiet_service_retry_at_all() -> None:
    budget = make_budget(FakeClock(), percent=20.0, min_retries=3)
    assert spend_all(budget) == 3


def test_calls_and_retries_older_than_the_window_are_forgotten() -> None:
    clock = FakeClock()
    budget = make_budget(clock, percent=50.0)
    for _ in range(4):
        budget.record_call()
    assert spend_all(budget) == 2
    clock.advance(10.0)
    assert not budget.try_spend()  # the calls that earned retries are gone
    for _ in range(2):
        budget.record_call()
    assert spend_all(budget) == 1  # and so are the retries that spent them


def test_a_nonsense_budget_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryBudget(clock=FakeClock(), percent=-1, window=10.0)
    with pytest.raises(ValueError):
        RetryBudget(clock=FakeClock(), percent=20, window=0)
