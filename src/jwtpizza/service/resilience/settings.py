"""Switches for each resilience mechanism (environment prefix `JWTPIZZA_RESILIENCE_`).

Each one can be turned off, so a learner can run the original's fragile behaviour
(`ResilienceSettings.fragile()`: no timeout, no retries, no breaker, no queue) and compare.
"""

from __future__ import annotations

import random as random_module

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jwtpizza.clock import Clock
from jwtpizza.service.resilience.breaker import BreakerConfig, CircuitBreaker
from jwtpizza.service.resilience.budget import RetryBudget
from jwtpizza.service.resilience.classify import Classifier, classify_factory_failure
from jwtpizza.service.resilience.retry import RandomSource, ResilientCaller, RetryPolicy

__all__ = ["LEASE_MARGIN_SECONDS", "ResilienceSettings", "build_caller"]

# A lease outlasts the longest call by this much: writing the outcome takes time too.
LEASE_MARGIN_SECONDS = 5.0


class ResilienceSettings(BaseSettings):
    """Timeout, retries, breaker and queue; seconds and percents throughout."""

    model_config = SettingsConfigDict(env_prefix="JWTPIZZA_RESILIENCE_", extra="ignore")

    timeout_enabled: bool = True
    timeout_seconds: float = Field(default=2.0, gt=0)

    retries_enabled: bool = True
    max_attempts: int = Field(default=3, ge=1)
    backoff_base_seconds: float = Field(default=0.1, ge=0)
    backoff_max_seconds: float = Field(default=2.0, ge=0)
    max_retry_after_seconds: float = Field(default=2.0, ge=0)
    retry_budget_enabled: bool = True
    retry_budget_percent: float = Field(default=20.0, ge=0)
    retry_budget_window_seconds: float = Field(default=10.0, gt=0)
    retry_budget_min_retries: int = Field(default=3, ge=0)

    breaker_enabled: bool = True
    breaker_window_size: int = Field(default=20, ge=1)
    breaker_minimum_calls: int = Field(default=10, ge=1)
    breaker_failure_rate_percent: float = Field(default=50.0, gt=0, le=100)
    breaker_slow_call_seconds: float = Field(default=1.0, gt=0)
    breaker_slow_call_rate_percent: float = Field(default=80.0, gt=0, le=100)
    breaker_open_seconds: float = Field(default=5.0, ge=0)
    breaker_half_open_calls: int = Field(default=3, ge=1)
    breaker_half_open_max_wait_seconds: float = Field(
        default=10.0, ge=0, description="trials unfinished this long reopen it; 0: no cap"
    )
    breaker_probe_seconds: float = Field(
        default=1.0, ge=0, description="how often a half-open breaker sends its own trial; 0: never"
    )

    queue_enabled: bool = True
    queue_wait_budget_seconds: float = Field(default=2.0, ge=0)
    sync_wait_budget_seconds: float = Field(
        default=45.0,
        ge=0,
        description="how long a client without `Prefer: respond-async` waits for a slow "
        "factory's pizza (the original waited out throttle's 32 s)",
    )
    queue_poll_interval_seconds: float = Field(default=0.5, gt=0)
    queue_lease_seconds: float = Field(
        default=30.0, gt=0, description="at least; a job's lease follows its longest call"
    )

    def longest_call_seconds(self) -> float:
        """Of a queued job's call: timeouts of every attempt plus the waits between them."""
        attempts = self.max_attempts if self.retries_enabled else 1
        wait = max(self.backoff_max_seconds, self.max_retry_after_seconds)
        return attempts * self.timeout_seconds + (attempts - 1) * wait

    def job_lease_seconds(self) -> float:
        """A queued job's lease: longer than its call with every retry, so no worker takes a
        job whose call is still in flight and calls the factory a second time. A job whose
        call may wait longer (a client without `Prefer`, an oversized order's slow refusal)
        gets a lease that much longer (`Fulfiller.lease`)."""
        if not self.timeout_enabled:
            return self.queue_lease_seconds
        return max(self.queue_lease_seconds, self.longest_call_seconds() + LEASE_MARGIN_SECONDS)

    @classmethod
    def fragile(cls) -> ResilienceSettings:
        """The original's behaviour: one attempt, no timeout, no breaker, no queue."""
        return cls(
            timeout_enabled=False, retries_enabled=False, breaker_enabled=False, queue_enabled=False
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts if self.retries_enabled else 1,
            base_backoff=self.backoff_base_seconds,
            max_backoff=max(self.backoff_max_seconds, self.backoff_base_seconds),
            max_retry_after=self.max_retry_after_seconds,
            attempt_timeout=self.timeout_seconds if self.timeout_enabled else None,
        )

    def breaker_config(self) -> BreakerConfig:
        cap = self.breaker_half_open_max_wait_seconds
        return BreakerConfig(
            window_size=self.breaker_window_size,
            minimum_calls=self.breaker_minimum_calls,
            failure_rate_threshold=self.breaker_failure_rate_percent,
            slow_call_duration=self.breaker_slow_call_seconds,
            slow_call_rate_threshold=self.breaker_slow_call_rate_percent,
            wait_in_open=self.breaker_open_seconds,
            permitted_calls_in_half_open=self.breaker_half_open_calls,
            max_wait_in_half_open=cap if cap > 0 else None,
        )


def build_caller(
    settings: ResilienceSettings,
    *,
    clock: Clock,
    random: RandomSource | None = None,
    classify: Classifier = classify_factory_failure,
) -> ResilientCaller:
    """The caller these settings describe, with its breaker and budget (or none)."""
    breaker = None
    if settings.breaker_enabled:
        breaker = CircuitBreaker(settings.breaker_config(), clock=clock)
    budget = None
    if settings.retries_enabled and settings.retry_budget_enabled:
        budget = RetryBudget(
            clock=clock,
            percent=settings.retry_budget_percent,
            window=settings.retry_budget_window_seconds,
            min_retries=settings.retry_budget_min_retries,
        )
    return ResilientCaller(
        policy=settings.retry_policy(),
        clock=clock,
        breaker=breaker,
        budget=budget,
        random=random or random_module.Random(),
        classify=classify,
    )
