"""Sorting a failed factory call into retryable, permanent or systemic.

- RETRYABLE: the factory may well answer next time. Connection errors, timeouts, 5xx, 408,
  429 (with its Retry-After), and a pizza whose JWT failed verification. Counts against the
  breaker.
- PERMANENT: the factory says the order itself is wrong (400, 422). The order is rejected
  with the reason; the breaker ignores it, since the factory answered correctly.
- SYSTEMIC_HOLD: the factory refuses *us* (401, 403: our vendor key), or answers with a
  4xx we do not understand. Retrying now will not help, and rejecting would blame an order
  that is fine, so the order waits in the queue. Counts against the breaker, so a revoked
  key opens it and the queue drains when a half-open trial succeeds again.

An exception the classifier does not recognise gets `None`: it is a bug, not an outcome,
and the caller lets it propagate unchanged.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

import httpx
import jwt

__all__ = [
    "Classifier",
    "FactoryFailure",
    "OutcomeKind",
    "Verdict",
    "classify_factory_failure",
    "classify_status",
    "parse_retry_after",
]


class OutcomeKind(StrEnum):
    RETRYABLE = "retryable"
    PERMANENT = "permanent"
    SYSTEMIC_HOLD = "systemic_hold"


@dataclass(frozen=True)
class Verdict:
    """What one failed attempt means; `retry_after` is the server's hint in seconds."""

    kind: OutcomeKind
    reason: str
    retry_after: float | None = None


Classifier = Callable[[Exception, datetime], Verdict | None]
"""`classify(error, now)`: the verdict on a failed attempt, or None for an unknown error."""


@runtime_checkable
class FactoryFailure(Protocol):
    """The shape of the factory client's errors: no `status` means it never answered
    (timeout, outage) or answered with a pizza that did not verify."""

    status: int | None
    message: str
    retry_after: float | None


PERMANENT_STATUSES = frozenset({400, 422})
REFUSED_STATUSES = frozenset({401, 403})


def classify_status(status: int, message: str, *, retry_after: float | None = None) -> Verdict:
    """The verdict on a non-2xx factory answer."""
    if status in PERMANENT_STATUSES:
        return Verdict(OutcomeKind.PERMANENT, message)
    if status in REFUSED_STATUSES:
        return Verdict(OutcomeKind.SYSTEMIC_HOLD, f"factory refused our key ({status}): {message}")
    if status >= 500 or status in (408, 429):
        return Verdict(OutcomeKind.RETRYABLE, f"factory answered {status}: {message}", retry_after)
    return Verdict(OutcomeKind.SYSTEMIC_HOLD, f"unexpected factory answer {status}: {message}")


def classify_factory_failure(error: Exception, now: datetime) -> Verdict | None:
    """The default classifier: the factory client's errors, and raw httpx/PyJWT ones."""
    if isinstance(error, FactoryFailure):
        if error.status is None:
            return Verdict(OutcomeKind.RETRYABLE, error.message)
        return classify_status(error.status, error.message, retry_after=error.retry_after)
    if isinstance(error, httpx.HTTPStatusError):
        response = error.response
        hint = parse_retry_after(response.headers.get("retry-after"), now)
        return classify_status(response.status_code, _message(response), retry_after=hint)
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        return Verdict(OutcomeKind.RETRYABLE, "the factory did not answer in time")
    if isinstance(error, ConnectionError | httpx.NetworkError | httpx.RemoteProtocolError):
        return Verdict(OutcomeKind.RETRYABLE, "the factory could not be reached")
    if isinstance(error, jwt.PyJWTError):
        return Verdict(OutcomeKind.RETRYABLE, "the factory's pizza did not verify")
    return None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds()) if when.tzinfo else None


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (ValueError, httpx.ResponseNotRead):
        return response.reason_phrase or "no message"
    message = body.get("message") if isinstance(body, dict) else None
    return str(message) if message else response.reason_phrase or "no message"
