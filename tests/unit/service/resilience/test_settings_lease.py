"""The queue lease must outlast a factory call with all its retries."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jwtpizza.service.resilience import ResilienceSettings


def test_default_lease_outlasts_the_longest_call() -> None:
    settings = ResilienceSettings()
    assert settings.queue_lease_seconds > settings.longest_call_seconds()


def test_a_lease_shorter_than_a_call_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match="queue_lease_seconds"):
        ResilienceSettings(timeout_seconds=5, max_attempts=3, queue_lease_seconds=10)


def test_no_check_without_a_timeout_or_a_queue() -> None:
    ResilienceSettings(timeout_enabled=False, queue_lease_seconds=1)
    ResilienceSettings(queue_enabled=False, timeout_seconds=5, queue_lease_seconds=1)
