"""Resilience primitives for calls to the pizza factory: a circuit breaker, a retry loop
with a budget and a per-attempt timeout, the verdicts that steer them, and their settings.
Pure: no I/O beyond the call handed in, time from an injected `Clock`. See README.md.
"""

from jwtpizza.service.resilience.breaker import (
    ALLOWED_TRANSITIONS,
    BreakerConfig,
    BreakerState,
    CircuitBreaker,
    Permit,
    TransitionListener,
)
from jwtpizza.service.resilience.budget import RetryBudget
from jwtpizza.service.resilience.classify import (
    Classifier,
    FactoryFailure,
    OutcomeKind,
    Verdict,
    classify_factory_failure,
    classify_status,
    parse_retry_after,
)
from jwtpizza.service.resilience.errors import (
    BreakerOpen,
    GiveUp,
    Rejected,
    ResilienceError,
    RetryLater,
    SystemicHold,
)
from jwtpizza.service.resilience.probe import BreakerProbe
from jwtpizza.service.resilience.retry import (
    RandomSource,
    ResilientCaller,
    RetryListener,
    RetryPolicy,
    RetryScheduled,
)
from jwtpizza.service.resilience.settings import ResilienceSettings, build_caller

__all__ = [
    "ALLOWED_TRANSITIONS",
    "BreakerConfig",
    "BreakerOpen",
    "BreakerProbe",
    "BreakerState",
    "CircuitBreaker",
    "Classifier",
    "FactoryFailure",
    "GiveUp",
    "OutcomeKind",
    "Permit",
    "RandomSource",
    "Rejected",
    "ResilienceError",
    "ResilienceSettings",
    "ResilientCaller",
    "RetryBudget",
    "RetryLater",
    "RetryListener",
    "RetryPolicy",
    "RetryScheduled",
    "SystemicHold",
    "TransitionListener",
    "Verdict",
    "build_caller",
    "classify_factory_failure",
    "classify_status",
    "parse_retry_after",
]
