"""A queued job's lease follows its longest factory call, so no worker retakes a job in
flight (longer waits lengthen a job's own lease: see the kitchen's tests)."""

from __future__ import annotations

from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.service.resilience.settings import LEASE_MARGIN_SECONDS


def test_default_lease_outlasts_the_longest_call() -> None:
    settings = ResilienceSettings()
    assert settings.job_lease_seconds() > settings.longest_call_seconds()


def test_a_configured_lease_shorter_than_a_call_follows_the_call() -> None:
    settings = ResilienceSettings(timeout_seconds=5, max_attempts=3, queue_lease_seconds=10)
    assert settings.job_lease_seconds() == settings.longest_call_seconds() + LEASE_MARGIN_SECONDS


def test_a_configured_lease_longer_than_every_call_is_kept() -> None:
    assert ResilienceSettings(queue_lease_seconds=600).job_lease_seconds() == 600


def test_without_a_timeout_the_configured_lease_stands() -> None:
    settings = ResilienceSettings(timeout_enabled=False, queue_lease_seconds=1)
    assert settings.job_lease_seconds() == 1
