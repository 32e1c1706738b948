"""The shipped deploy/ops files load, agree with each other, and route by the course's
severities."""

from __future__ import annotations

import pytest

from jwtpizza.ops.notify.config import load_config_file
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.config import load_oncall_file
from jwtpizza.ops.oncall.settings import OncallSettings

NOTIFY = load_config_file(NotifySettings().notify_config)


@pytest.mark.parametrize(
    ("severity", "receiver"),
    [
        ("critical", "pager"),
        ("high", "pager"),
        ("moderate", "pager-primary"),
        ("low", "console"),
        ("informational", "console"),
    ],
)
def test_severities_route_as_the_course_says(severity: str, receiver: str) -> None:
    [route] = NOTIFY.route.match({"alertname": "X", "severity": severity})
    assert route.receiver == receiver


def test_the_chain_is_primary_then_secondary_then_team() -> None:
    oncall = load_oncall_file(OncallSettings().oncall_config, set(NOTIFY.receivers))
    steps = [(s.target.kind, s.target.name, s.wait) for s in oncall.policies["default"].steps]
    assert steps == [
        ("schedule", "primary", 300),
        ("schedule", "secondary", 300),
        ("team", "jwt-pizza-devops", 0),
    ]


@pytest.mark.parametrize("severity", ["critical", "high", "moderate"])
def test_host_alerts_reach_the_console_and_page_nobody(severity: str) -> None:
    labels = {"alertname": "HostCpuHigh", "severity": severity, "scope": "host"}
    [route] = NOTIFY.route.match(labels)
    assert route.receiver == "console"


@pytest.mark.parametrize(("kind", "severity", "receiver"),
                         [("page", "high", "pager"), ("ticket", "low", "console")])  # fmt: skip
def test_burn_rate_pages_page_and_tickets_reach_the_console(
    kind: str, severity: str, receiver: str
) -> None:
    labels = {"alertname": "OrderSuccessBudgetBurn", "severity": severity, "scope": "slo",
              "sloth_severity": kind}  # fmt: skip
    [route] = NOTIFY.route.match(labels)
    assert route.receiver == receiver


def test_the_watchdog_goes_to_the_heartbeat_receiver_which_sends_nothing() -> None:
    rules = (
        NotifySettings().notify_config.parents[1] / "prometheus/rules/watchdog.yml"
    ).read_text()
    assert "alert: Watchdog" in rules and "severity: none" in rules
    [route] = NOTIFY.route.match({"alertname": "Watchdog", "severity": "none", "heartbeat": "true"})
    assert route.receiver == "heartbeat"
    assert NOTIFY.receivers["heartbeat"].integrations == ()
