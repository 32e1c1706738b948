"""Durations and k6-style stages: parsing, clear errors, and the virtual-user ramp."""

from __future__ import annotations

import pytest

from jwtpizza.errors import InvalidInput
from jwtpizza.traffic import Stage, parse_duration, parse_stages
from jwtpizza.traffic.stats import MAX_SAMPLES, TrafficStats


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("5m", 300), ("1h", 3600), ("1m30s", 90), ("250ms", 0.25)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5x", "-5s", "1m 30", "m"])
def test_a_malformed_duration_says_what_is_expected(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not a duration like 90s, 5m"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0", "0s", "0m0s"])
def test_a_zero_duration_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="must be longer than zero"):
        parse_duration(text)


def test_the_k6_sample_stages() -> None:
    profile = parse_stages("30s:20,1m:20,20s:0")
    assert profile.stages == (Stage(30, 20), Stage(60, 20), Stage(20, 0))
    assert profile.total_seconds == 110
    assert profile.peak == 20
    ramp = [profile.users_at(t) for t in (0, 15, 29.9, 30, 89, 90, 100, 110, 500)]
    assert ramp == [0, 10, 20, 20, 20, 20, 10, 0, 0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "give DURATION:USERS stages"),
        ("30s:20,,20s:0", "give DURATION:USERS stages"),
        ("30s", r"stage 1 \('30s'\) must look like DURATION:USERS"),
        ("30s:20,1m:lots", r"stage 2 \('1m:lots'\) must look like DURATION:USERS"),
        ("30s:-2", "must look like DURATION:USERS"),
        ("soon:20", "stage 1 duration 'soon' is not a duration"),
        ("0s:20", "stage 1 duration '0s' must be longer than zero"),
        ("1m:20000", "at most 10000 virtual users"),
    ],
)
def test_malformed_stages_get_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_stages(text)


def test_latency_percentiles_per_endpoint() -> None:
    stats = TrafficStats()
    for ms in range(1, 101):
        stats.record("GET /api/order/menu", ms / 1000, None)
    stats.record("GET /api/order/menu", None, "timeout")
    stats.record("PUT /api/auth", 0.2, "HTTP 500")
    menu, auth = stats.summary()
    assert (menu.endpoint, menu.requests, menu.errors) == ("GET /api/order/menu", 101, 1)
    assert menu.p50_ms == pytest.approx(50.5)
    assert menu.p99_ms == pytest.approx(99.01)
    assert menu.max_ms == pytest.approx(100)
    assert (auth.requests, auth.p50_ms, auth.p99_ms) == (1, pytest.approx(200), pytest.approx(200))
    assert stats.errors == {"timeout": 1, "HTTP 500": 1}
    assert stats.requests == 102


def test_a_long_run_keeps_a_bounded_unbiased_sample() -> None:
    stats = TrafficStats()
    for n in range(MAX_SAMPLES + 50_000):
        stats.record("GET /api/order/menu", (n % 1000) / 1000, None)  # 0..999 ms, evenly
    endpoint = stats.endpoints["GET /api/order/menu"]
    assert len(endpoint.latencies) == MAX_SAMPLES
    (menu,) = stats.summary()
    assert menu.requests == MAX_SAMPLES + 50_000
    assert 480 <= menu.p50_ms <= 520 and 975 <= menu.p99_ms <= 999
    assert menu.max_ms == pytest.approx(999)
