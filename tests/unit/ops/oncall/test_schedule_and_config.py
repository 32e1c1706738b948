from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from jwtpizza.ops.notify.config import NotifyConfigError
from jwtpizza.ops.oncall import tokens
from jwtpizza.ops.oncall.config import Target, parse_oncall

ONCALL = """
users:
  - {name: alice, receiver: alice-push}
  - {name: bob, receiver: bob-sms}
  - {name: carol, receiver: carol-mail}
teams:
  - {name: devops, members: [alice, bob, carol]}
schedules:
  - name: primary
    timezone: America/Denver
    layers:
      - name: weekly
        users: [alice, bob]
        start: 2026-03-02T16:00:00Z
        shift: 7d
      - name: office-hours
        users: [carol]
        start: 2026-03-02T00:00:00Z
        shift: 1d
        restrict: {start: "09:00", end: "17:00"}
    overrides:
      - {user: bob, start: 2026-03-05T00:00:00Z, end: 2026-03-05T06:00:00Z}
escalation_policies:
  - name: default
    steps:
      - {notify: {schedule: primary}, wait: 5m}
      - {notify: {user: bob}, wait: 5m}
      - {notify: {team: devops}}
"""
RECEIVERS = {"alice-push", "bob-sms", "carol-mail"}


def config(text: str = ONCALL):  # type: ignore[no-untyped-def]
    return parse_oncall(yaml.safe_load(text), RECEIVERS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "who"),
    [
        ("2026-03-02T15:59:59", None),  # before the first handoff
        ("2026-03-03T03:00:00", "alice"),  # night in Denver: the weekly layer
        ("2026-03-03T17:00:00", "carol"),  # 10:00 in Denver: office hours win
        ("2026-03-05T03:00:00", "bob"),  # override
        ("2026-03-09T14:59:59", "alice"),  # 08:59 MDT (DST began on the 8th)
        ("2026-03-10T03:00:00", "bob"),  # handed off a week after the start
    ],
)
def test_who_is_on_call(at: str, who: str | None) -> None:
    assert config().schedules["primary"].on_call(utc(at)) == who


def test_shifts_list_every_handoff() -> None:
    primary = config().schedules["primary"]
    start = utc("2026-03-03T00:00:00")
    shifts = primary.shifts(start, start + timedelta(hours=25))
    assert [(at.isoformat(), who) for at, who in shifts] == [
        ("2026-03-03T00:00:00+00:00", "alice"),
        ("2026-03-03T16:00:00+00:00", "carol"),
        ("2026-03-04T00:00:00+00:00", "alice"),
    ]


def test_steps_resolve_to_receivers() -> None:
    c = config()
    at = utc("2026-03-03T03:00:00")
    assert c.receivers_for(Target("schedule", "primary"), at) == [("alice", "alice-push")]
    assert c.receivers_for(Target("team", "devops"), at) == [
        ("alice", "alice-push"),
        ("bob", "bob-sms"),
        ("carol", "carol-mail"),
    ]
    assert [s.wait for s in c.policies["default"].steps] == [300, 300, 0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("receiver: bob-sms", "receiver: bob-pager"), "unknown receiver 'bob-pager'"),
        (("users: [alice, bob]", "users: [alice, dave]"), "unknown user 'dave'"),
        (("{schedule: primary}", "{schedule: secondary}"), "unknown schedule 'secondary'"),
        (("America/Denver", "Mars/Olympus"), "unknown timezone"),
        (("shift: 7d", "shift: weekly"), "shift"),
    ],
)
def test_bad_oncall_config_names_the_problem(change: tuple[str, str], message: str) -> None:
    with pytest.raises(NotifyConfigError, match=message):
        config(ONCALL.replace(*change))


NOW = datetime(2026, 3, 3, tzinfo=UTC)


def test_ack_tokens_verify_and_carry_their_claim() -> None:
    token = tokens.issue(b"k", page_id=7, target="alice", now=NOW, ttl=60)
    claim = tokens.verify(b"k", token, now=NOW + timedelta(seconds=59))
    assert (claim.page_id, claim.target) == (7, "alice")


@pytest.mark.parametrize(
    ("secret", "later", "message"),
    [(b"other", 0, "not valid"), (b"k", 60, "expired")],
)
def test_forged_or_expired_tokens_are_refused(secret: bytes, later: int, message: str) -> None:
    token = tokens.issue(b"k", page_id=7, target="alice", now=NOW, ttl=60)
    with pytest.raises(tokens.BadAckToken, match=message):
        tokens.verify(secret, token, now=NOW + timedelta(seconds=later))


def test_a_tampered_token_is_refused() -> None:
    token = tokens.issue(b"k", page_id=7, target="alice", now=NOW, ttl=60)
    forged = tokens.issue(b"k", page_id=8, target="alice", now=NOW, ttl=60)
    spliced = forged.split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(tokens.BadAckToken):
        tokens.verify(b"k", spliced, now=NOW)
