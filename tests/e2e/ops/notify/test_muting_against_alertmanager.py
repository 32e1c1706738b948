"""Silences and inhibition against a real Alertmanager: random alerts and silences are
posted to Debian's `prometheus-alertmanager` and judged by our code; which alerts are
silenced and which inhibited must agree with Alertmanager's own `/api/v2/alerts` status."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jwtpizza.ops.notify.config import load_config
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.matchers import parse_matcher
from jwtpizza.ops.notify.muting import SilenceWindow, inhibited
from tests.support.prometheus import alertmanager as real_alertmanager

pytestmark = pytest.mark.slow

CONFIG = """
route: {receiver: blackhole}
receivers: [{name: blackhole}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity=~"warning|high"']
    equal: [alertname, case]
  - source_matchers: ['severity=~"critical|high"', 'component="factory"']
    target_matchers: ['severity=~"high|warning"']
    equal: [case]
  - source_matchers: ['alertname="TargetDown"']
    target_matchers: ['component!="factory"']
    equal: [component, case]
"""
RULES = load_config(CONFIG).inhibit_rules
NOW = datetime.now(UTC)
cases = itertools.count(1)

VALUES = {
    "alertname": ["TargetDown", "ErrorRate", "Latency"],
    "severity": ["critical", "high", "warning"],
    "component": ["service", "factory"],
}
alert_labels = st.fixed_dictionaries(
    {k: st.sampled_from(v) for k, v in VALUES.items() if k != "component"},
    optional={"component": st.sampled_from(VALUES["component"])},
)


@st.composite
def silence_matchers(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(VALUES)))
    op = draw(st.sampled_from(["=", "!=", "=~", "!~"]))
    value = draw(st.sampled_from([*VALUES[name], "crit.*", "service|factory", ""]))
    return [f'{name}{op}"{value}"']


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with real_alertmanager(tmp_path_factory.mktemp("am"), CONFIG) as url:
        yield url


def post_silence(url: str, matchers: list[str]) -> None:
    body = {
        "matchers": [
            {"name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal}
            for m in map(parse_matcher, matchers)
        ],
        "startsAt": "2020-01-01T00:00:00Z",
        "endsAt": "2099-01-01T00:00:00Z",
        "createdBy": "test",
        "comment": "differential",
    }
    response = httpx.post(f"{url}/api/v2/silences", json=body)
    assert response.status_code == 200, response.text


TWO_HIGH_FACTORY_ALERTS = [
    {"alertname": "ErrorRate", "severity": "high", "component": "factory"},
    {"alertname": "Latency", "severity": "high", "component": "factory"},
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(labels=TWO_HIGH_FACTORY_ALERTS, silences=[])  # both sides of rule 2: no mutual muting
@example(labels=TWO_HIGH_FACTORY_ALERTS[:1], silences=[['severity!~"crit.*"']])
@given(
    labels=st.lists(
        alert_labels, min_size=1, max_size=6, unique_by=lambda d: tuple(sorted(d.items()))
    ),
    silences=st.lists(silence_matchers(), max_size=2),
)
def test_silenced_and_inhibited_agree(
    alertmanager: str, labels: list[dict[str, str]], silences: list[list[str]]
) -> None:
    case = str(next(cases))  # each example's alerts and silences only see each other
    alerts = [Alert({**lab, "case": case}, starts_at=NOW) for lab in labels]
    posted = [{"labels": a.labels, "startsAt": NOW.isoformat()} for a in alerts]
    assert httpx.post(f"{alertmanager}/api/v2/alerts", json=posted).status_code == 200
    windows = []
    for i, matchers in enumerate(silences):
        scoped = [*matchers, f'case="{case}"']
        post_silence(alertmanager, scoped)
        windows.append(
            SilenceWindow(i, tuple(map(parse_matcher, scoped)), NOW, NOW.replace(year=2099))
        )
    theirs: dict[str, Any] = {
        a["fingerprint"]: a["status"]
        for a in httpx.get(
            f"{alertmanager}/api/v2/alerts", params={"filter": f'case="{case}"'}
        ).json()
    }
    assert set(theirs) == {a.fingerprint for a in alerts}
    for alert in alerts:
        status = theirs[alert.fingerprint]
        silenced = any(w.mutes(alert.labels, NOW) for w in windows)
        assert silenced == bool(status["silencedBy"]), (alert.labels, silences)
        assert inhibited(alert, alerts, RULES) == bool(status["inhibitedBy"]), alert.labels
