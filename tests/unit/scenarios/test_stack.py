"""The notification and on-call files a scenario writes, read by ops's own parsers: the
primary reached by each contact in turn (SMS, then a push to the same person), then the
secondary and the team; a person's pages also by email and ntfy when asked."""

from __future__ import annotations

from datetime import UTC, datetime

import yaml

from jwtpizza.ops.notify.config import load_config
from jwtpizza.ops.oncall.config import parse_oncall
from jwtpizza.scenarios import Timing, load
from jwtpizza.scenarios.stack import Channels, notify_yaml, oncall_yaml

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


def test_sms_then_push_to_the_same_person_then_the_secondary() -> None:
    responder = load("unannounced-chaos").responder
    notify = load_config(notify_yaml(Timing(20), responder, Channels()))
    oncall = parse_oncall(yaml.safe_load(oncall_yaml(Timing(20), responder)),
                          set(notify.receivers))  # fmt: skip
    steps = oncall.policies["default"].steps
    reached = [oncall.receivers_for(step.target, NOW) for step in steps]
    assert reached == [
        [("primary", "primary-sms")], [("primary", "primary-push")],
        [("secondary", "secondary-phone")], [("devops", "team-room")],
    ]  # fmt: skip
    assert [step.wait for step in steps[:3]] == [3.0, 3.0, 3.0]  # 1 min at x20


def test_one_contact_by_default_and_pages_by_email_and_ntfy_when_asked() -> None:
    responder = load("factory-fail").responder
    channels = Channels(email="o'neil@example.com", smtp="127.0.0.1:2525",
                        ntfy="http://127.0.0.1:8080/jwt-pizza")  # fmt: skip
    notify = load_config(notify_yaml(Timing(1), responder, channels))
    oncall = parse_oncall(yaml.safe_load(oncall_yaml(Timing(1), responder)),
                          set(notify.receivers))  # fmt: skip
    assert oncall.users == {"primary": "primary-phone", "secondary": "secondary-phone"}
    kinds = [i.kind for i in notify.receivers["primary-phone"].integrations]
    assert kinds == ["console", "email", "ntfy"]
    email = notify.receivers["primary-phone"].integrations[1].options
    assert email["to"] == "o'neil@example.com" and email["smarthost"] == "127.0.0.1:2525"
    assert notify.receivers["team-room"].integrations[2].options == {
        "url": "http://127.0.0.1:8080", "topic": "jwt-pizza"}  # fmt: skip
