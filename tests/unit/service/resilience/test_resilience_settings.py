"""Resilience settings: each mechanism switches off, and the caller is built to match."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jwtpizza.clock import FakeClock
from jwtpizza.service.resilience.breaker import BreakerState
from jwtpizza.service.resilience.settings import ResilienceSettings, build_caller


def test_by_default_every_mechanism_is_on() -> None:
    settings = ResilienceSettings()
    caller = build_caller(settings, clock=FakeClock())
    assert caller.policy.max_attempts == 3
    assert caller.policy.attempt_timeout == 2.0
    assert caller.breaker is not None
    assert caller.breaker.state is BreakerState.CLOSED
    assert settings.queue_enabled
    assert settings.queue_wait_budget_seconds == 2.0


def test_the_fragile_preset_is_the_original_s_behaviour() -> None:
    settings = ResilienceSettings.fragile()
    caller = build_caller(settings, clock=FakeClock())
    assert caller.policy.max_attempts == 1
    assert caller.policy.attempt_timeout is None
    assert caller.breaker is None
    assert not settings.queue_enabled


def test_settings_are_read_from_the_environment_with_their_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWTPIZZA_RESILIENCE_BREAKER_ENABLED", "false")
    monkeypatch.setenv("JWTPIZZA_RESILIENCE_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("JWTPIZZA_RESILIENCE_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("JWTPIZZA_RESILIENCE_QUEUE_LEASE_SECONDS", "12")
    settings = ResilienceSettings()
    assert not settings.breaker_enabled
    assert settings.retry_policy().max_attempts == 5
    assert settings.retry_policy().attempt_timeout == 0.5
    assert settings.queue_lease_seconds == 12.0


def test_breaker_settings_become_its_config() -> None:
    config = ResilienceSettings(
        breaker_window_size=30,
        breaker_minimum_calls=15,
        breaker_failure_rate_percent=40,
        breaker_slow_call_seconds=0.8,
        breaker_slow_call_rate_percent=90,
        breaker_open_seconds=20,
        breaker_half_open_calls=5,
        breaker_half_open_max_wait_seconds=0,
    ).breaker_config()
    assert (config.window_size, config.minimum_calls) == (30, 15)
    assert (config.failure_rate_threshold, config.slow_call_rate_threshold) == (40.0, 90.0)
    assert (config.slow_call_duration, config.wait_in_open) == (0.8, 20.0)
    assert config.permitted_calls_in_half_open == 5
    assert config.max_wait_in_half_open is None  # 0 means no cap


def test_retries_off_means_one_attempt_whatever_the_maximum() -> None:
    policy = ResilienceSettings(retries_enabled=False, max_attempts=7).retry_policy()
    assert policy.max_attempts == 1


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        ResilienceSettings(breaker_failure_rate_percent=0)
    with pytest.raises(ValidationError):
        ResilienceSettings(max_attempts=0)
