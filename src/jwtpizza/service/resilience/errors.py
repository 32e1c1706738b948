"""What a resilient factory call ends in, when it does not end in a pizza.

    UpstreamFailed (jwtpizza.errors)       500  upstream_failed
    └── ResilienceError                         (base: `attempts`)
        ├── Rejected                           factory_rejected   permanent: reject the order
        └── RetryLater                         factory_retry_later  keep the order queued
            ├── SystemicHold                   factory_refused_key  401/403: our key, not the order
            └── BreakerOpen                    breaker_open       fail fast, carries retry_after

Every `RetryLater` carries `give_up` (a `GiveUp`, a low-cardinality metric label) and
`retry_after`: the earliest moment, in seconds from now, worth trying again (None: no hint).
An order is only ever rejected on `Rejected`; every other outcome keeps it queued.
"""

from __future__ import annotations

from enum import StrEnum

from jwtpizza.errors import UpstreamFailed


class GiveUp(StrEnum):
    """Why a call stopped trying for now."""

    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    BUDGET_EXHAUSTED = "budget_exhausted"
    RETRY_AFTER_TOO_LONG = "retry_after_too_long"
    SYSTEMIC_HOLD = "systemic_hold"
    BREAKER_OPEN = "breaker_open"
    WAIT_BUDGET_SPENT = "wait_budget_spent"


class ResilienceError(UpstreamFailed):
    """A factory call that did not produce a result; `attempts` were made."""

    code = "upstream_failed"

    def __init__(self, message: str, *, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


class Rejected(ResilienceError):
    """The factory says the order itself is wrong: reject it with this reason, do not retry."""

    code = "factory_rejected"


class RetryLater(ResilienceError):
    """Not now: keep the order queued and try again after `retry_after` seconds (if given)."""

    code = "factory_retry_later"

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        give_up: GiveUp,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.give_up = give_up
        self.retry_after = retry_after


class SystemicHold(RetryLater):
    """The factory refuses our vendor key (401/403): hold the queue, the order is fine."""

    code = "factory_refused_key"

    def __init__(self, message: str, *, attempts: int, retry_after: float | None = None) -> None:
        super().__init__(
            message, attempts=attempts, give_up=GiveUp.SYSTEMIC_HOLD, retry_after=retry_after
        )


class BreakerOpen(RetryLater):
    """The circuit breaker refused the call: fail fast, try again after `retry_after`."""

    code = "breaker_open"
    retry_after: float

    def __init__(self, retry_after: float, *, attempts: int = 0) -> None:
        super().__init__(
            f"the factory circuit is open; try again in {retry_after:.1f}s",
            attempts=attempts,
            give_up=GiveUp.BREAKER_OPEN,
            retry_after=retry_after,
        )
