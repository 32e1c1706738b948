"""The package's public names, and the outcome tree its docstring draws."""

from __future__ import annotations

import jwtpizza.service.resilience as resilience
from jwtpizza.errors import UpstreamFailed
from jwtpizza.service.resilience import (
    BreakerOpen,
    GiveUp,
    Rejected,
    ResilienceError,
    RetryLater,
    SystemicHold,
)


def test_every_public_name_is_exported_and_real() -> None:
    assert sorted(resilience.__all__) == resilience.__all__
    for name in resilience.__all__:
        assert getattr(resilience, name) is not None


def test_the_outcome_tree_is_as_documented() -> None:
    assert issubclass(ResilienceError, UpstreamFailed)
    assert issubclass(Rejected, ResilienceError)
    assert not issubclass(Rejected, RetryLater)  # only Rejected ends an order
    assert issubclass(SystemicHold, RetryLater)
    assert issubclass(BreakerOpen, RetryLater)
    codes = {cls.code for cls in (Rejected, RetryLater, SystemicHold, BreakerOpen)}
    assert len(codes) == 4


def test_a_breaker_refusal_says_when_to_come_back() -> None:
    refused = BreakerOpen(7.0, attempts=2)
    assert refused.give_up is GiveUp.BREAKER_OPEN
    assert (refused.retry_after, refused.attempts) == (7.0, 2)
    assert refused.message == "the factory circuit is open; try again in 7.0s"
