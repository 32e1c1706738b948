"""Each way a factory call can fail, sorted into retryable, permanent or systemic."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import jwt
import pytest

from jwtpizza.service.resilience.classify import (
    OutcomeKind,
    Verdict,
    classify_factory_failure,
    parse_retry_after,
)
from tests.unit.service.resilience.factory_failures import factory_error

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RETRYABLE, PERMANENT, HOLD = OutcomeKind.RETRYABLE, OutcomeKind.PERMANENT, OutcomeKind.SYSTEMIC_HOLD


def status_error(status: int, *, body: object = None, retry_after: str | None = None) -> Exception:
    request = httpx.Request("POST", "http://factory.test/api/order")
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    response = httpx.Response(status, json=body, headers=headers, request=request)
    return httpx.HTTPStatusError("factory failed", request=request, response=response)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, RETRYABLE),
        (502, RETRYABLE),
        (503, RETRYABLE),
        (408, RETRYABLE),
        (429, RETRYABLE),
        (400, PERMANENT),
        (422, PERMANENT),
        (401, HOLD),
        (403, HOLD),
        (404, HOLD),  # a 4xx we do not understand never blames the order
        (409, HOLD),
    ],
)
def test_factory_answers_are_sorted_by_status(status: int, kind: OutcomeKind) -> None:
    verdict = classify_factory_failure(factory_error("nope", status=status), NOW)
    assert verdict is not None
    assert verdict.kind is kind


def test_an_invalid_order_is_rejected_with_the_factory_s_reason() -> None:
    verdict = classify_factory_failure(factory_error("too many pizzas", status=400), NOW)
    assert verdict == Verdict(PERMANENT, "too many pizzas")


def test_a_refused_vendor_key_holds_the_queue_and_says_so() -> None:
    verdict = classify_factory_failure(factory_error("bad key", status=401), NOW)
    assert verdict == Verdict(HOLD, "factory refused our key (401): bad key")


def test_a_rate_limit_carries_its_retry_after() -> None:
    verdict = classify_factory_failure(factory_error("slow down", status=429, retry_after=3), NOW)
    assert verdict == Verdict(RETRYABLE, "factory answered 429: slow down", retry_after=3)


def test_a_factory_error_without_a_status_is_retryable() -> None:
    for message in ("the factory could not be reached", "the factory's pizza did not verify"):
        verdict = classify_factory_failure(factory_error(message), NOW)
        assert verdict == Verdict(RETRYABLE, message)


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("hung socket"),
        httpx.RemoteProtocolError("server disconnected"),
        TimeoutError(),
        ConnectionRefusedError(),
        jwt.InvalidSignatureError("bad signature"),
        jwt.ExpiredSignatureError("expired"),
    ],
)
def test_transport_and_bad_jwt_failures_are_retryable(error: Exception) -> None:
    verdict = classify_factory_failure(error, NOW)
    assert verdict is not None
    assert verdict.kind is RETRYABLE


def test_a_raw_http_error_is_classified_with_its_message_and_retry_after() -> None:
    error = status_error(503, body={"message": "oven is full"}, retry_after="4")
    verdict = classify_factory_failure(error, NOW)
    assert verdict == Verdict(RETRYABLE, "factory answered 503: oven is full", retry_after=4.0)


def test_a_raw_http_error_without_a_json_body_uses_the_reason_phrase() -> None:
    verdict = classify_factory_failure(status_error(400), NOW)
    assert verdict == Verdict(PERMANENT, "Bad Request")


def test_an_error_that_is_not_about_the_factory_is_left_unclassified() -> None:
    assert classify_factory_failure(ValueError("a bug of ours"), NOW) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("7", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
        ("soon", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header, NOW) == seconds
