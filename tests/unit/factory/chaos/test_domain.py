"""Pure chaos rules: schedules, the fault lifecycle, settings parsing, pizza variants."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from jwtpizza.factory.badges.service import clean, render
from jwtpizza.factory.chaos.domain import (
    EndReason,
    FaultState,
    Schedule,
    WorkingHours,
    check_can_end,
    next_day_window,
    start_time,
    state_of,
)
from jwtpizza.factory.chaos.schemas import ChaosRequest
from jwtpizza.factory.orders.signing import expired, wrong_order
from jwtpizza.factory.settings import parse_timezone
from jwtpizza.settings import SettingsError

MOUNTAIN = timezone(timedelta(hours=-7))
NOW = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)  # 15:30 in UTC-7
HOURS = WorkingHours(MOUNTAIN)


@dataclass
class F:
    start_at: datetime
    duration_seconds: float | None = None
    ended_at: datetime | None = None


def test_next_day_window_is_tomorrow_8_to_14_local() -> None:
    start, end = next_day_window(NOW, HOURS)
    assert start == datetime(2026, 3, 2, 8, tzinfo=MOUNTAIN)
    assert end == datetime(2026, 3, 2, 14, tzinfo=MOUNTAIN)


def test_next_day_uses_the_local_date_not_utc() -> None:
    late_utc = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # still 1 March in UTC-7
    assert next_day_window(late_utc, HOURS)[0].date() == datetime(2026, 3, 2).date()


@pytest.mark.parametrize("seed", range(20))
def test_every_schedule_lands_where_it_should(seed: int) -> None:
    rng = random.Random(seed)
    assert start_time(Schedule("now"), now=NOW, rng=rng, hours=HOURS) == NOW
    at = NOW + timedelta(hours=3)
    assert start_time(Schedule("at", at=at), now=NOW, rng=rng, hours=HOURS) == at
    within = start_time(Schedule("within", within_seconds=60), now=NOW, rng=rng, hours=HOURS)
    assert NOW <= within <= NOW + timedelta(seconds=60)
    window = (NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    inside = start_time(Schedule("window", window=window), now=NOW, rng=rng, hours=HOURS)
    assert window[0] <= inside <= window[1]
    tomorrow = start_time(Schedule(), now=NOW, rng=rng, hours=HOURS).astimezone(MOUNTAIN)
    assert 8 <= tomorrow.hour < 14 and tomorrow.day == 2


def test_lifecycle_states() -> None:
    fault = F(NOW, duration_seconds=60)
    assert state_of(fault, NOW - timedelta(seconds=1)) is FaultState.SCHEDULED
    assert state_of(fault, NOW) is FaultState.ACTIVE
    assert state_of(fault, NOW + timedelta(seconds=60)) is FaultState.ENDED
    assert state_of(F(NOW, ended_at=NOW), NOW) is FaultState.ENDED


def test_allowed_ends() -> None:
    scheduled = F(NOW + timedelta(hours=1))
    check_can_end(scheduled, NOW, EndReason.CANCELLED)
    with pytest.raises(ValueError):
        check_can_end(scheduled, NOW, EndReason.REPORTED)
    with pytest.raises(ValueError):
        check_can_end(F(NOW, ended_at=NOW), NOW, EndReason.CANCELLED)


def test_chaos_request_builds_a_schedule_and_params() -> None:
    request = ChaosRequest.model_validate({"withinSeconds": 30, "percent": 20, "mode": "reset"})
    assert request.schedule() == Schedule("within", within_seconds=30)
    assert request.params() == {"percent": 20, "mode": "reset"}
    assert ChaosRequest().schedule() == Schedule("next-day")


@pytest.mark.parametrize(("text", "offset"), [("-07:00", -7), ("+05:30", 5.5), ("UTC", 0)])
def test_parse_timezone(text: str, offset: float) -> None:
    assert NOW.astimezone(parse_timezone(text)).utcoffset() == timedelta(hours=offset)


def test_parse_timezone_accepts_iana_and_refuses_junk() -> None:
    assert parse_timezone("America/Denver").utcoffset(NOW) == timedelta(hours=-7)
    with pytest.raises(SettingsError):
        parse_timezone("Mars/Olympus")


def test_pizza_variants() -> None:
    payload = {"order": {"id": 5}, "iat": 100, "exp": 200}
    old = expired(payload, NOW, 86400)
    assert old["exp"] < NOW.timestamp() and old["exp"] - old["iat"] == 86400
    assert wrong_order(payload)["order"]["id"] == 6


def test_badge_parts_are_cleaned_and_rendered() -> None:
    assert clean("ab-c/../d") == "abcd"
    assert "<b>" not in render("<b>", "1%", "#fff") and "&lt;b&gt;" in render("<b>", "1%", "#fff")
