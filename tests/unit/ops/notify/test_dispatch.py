from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jwtpizza.ops.notify.config import load_config
from jwtpizza.ops.notify.dispatch import Dispatcher
from jwtpizza.ops.notify.domain import Alert, Status
from jwtpizza.ops.notify.matchers import parse_matcher
from jwtpizza.ops.notify.muting import SilenceWindow
from jwtpizza.ops.notify.payload import to_json

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

CONFIG = """
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
receivers:
  - name: team
    webhook_configs: [{url: http://127.0.0.1:9/hook}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, component]
"""


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def alert(
    name: str = "HighErrorRate", *, start: float = 0, end: float | None = None, **labels: str
) -> Alert:
    return Alert(
        labels={"alertname": name, "severity": "critical", **labels},
        annotations={"summary": f"{name} is firing"},
        starts_at=at(start),
        ends_at=None if end is None else at(end),
    )


def dispatcher() -> Dispatcher:
    return Dispatcher(load_config(CONFIG))


def test_a_group_waits_then_notifies_once_with_its_alerts() -> None:
    d = dispatcher()
    d.ingest(alert(component="service"), at(0))
    d.ingest(alert(component="factory", start=5), at(5))
    assert d.due(at(29), []) == []
    [sent] = d.due(at(30), [])
    assert sent.receiver == "team"
    message = sent.message
    assert message.group_key == '{}:{alertname="HighErrorRate"}'
    assert message.group_labels == {"alertname": "HighErrorRate"}
    assert message.common_labels == {"alertname": "HighErrorRate", "severity": "critical"}
    assert [a.labels["component"] for a in message.alerts] == ["factory", "service"]
    assert d.due(at(31), []) == []


def test_nothing_new_waits_for_repeat_interval() -> None:
    d = dispatcher()
    d.ingest(alert(), at(0))
    assert len(d.due(at(30), [])) == 1
    assert d.due(at(330), []) == []  # group_interval tick, nothing changed
    assert len(d.due(at(30 + 3600), [])) == 1  # repeat_interval passed


def test_a_new_alert_waits_for_the_next_group_interval() -> None:
    d = dispatcher()
    d.ingest(alert(component="service"), at(0))
    d.due(at(30), [])
    d.ingest(alert(component="factory", start=40), at(40))
    assert d.due(at(100), []) == []
    [sent] = d.due(at(330), [])
    assert len(sent.message.alerts) == 2


def test_resolution_is_sent_once_then_forgotten() -> None:
    d = dispatcher()
    d.ingest(alert(), at(0))
    d.due(at(30), [])
    d.ingest(alert(end=100), at(100))
    [sent] = d.due(at(330), [])
    assert sent.message.status is Status.RESOLVED
    data = to_json(sent.message)
    assert data["alerts"][0]["endsAt"] == "2026-03-01T10:01:40Z"
    assert d.due(at(630), []) == []
    assert d.alerts() == []


def test_an_old_alert_in_a_new_group_is_sent_at_once() -> None:
    d = dispatcher()
    d.ingest(alert(start=-120), at(0))
    assert len(d.due(at(0), [])) == 1


def test_silenced_alerts_are_left_out() -> None:
    d = dispatcher()
    silence = SilenceWindow(1, (parse_matcher('component="factory"'),), at(0), at(60))
    d.ingest(alert(component="factory"), at(0))
    assert d.due(at(30), [silence]) == []
    [sent] = d.due(at(330), [silence])  # silence expired at 60s
    assert sent.message.alerts[0].labels["component"] == "factory"


def test_a_critical_alert_inhibits_its_warning_twin_only() -> None:
    d = dispatcher()
    d.ingest(alert(component="factory"), at(0))
    d.ingest(alert(severity="warning", component="factory"), at(0))
    d.ingest(alert(severity="warning", component="service"), at(0))
    [sent] = d.due(at(30), [])
    shown = sorted((a.labels["severity"], a.labels["component"]) for a in sent.message.alerts)
    assert shown == [("critical", "factory"), ("warning", "service")]


def test_payload_has_alertmanagers_fields() -> None:
    d = dispatcher()
    d.ingest(alert(), at(0))
    [sent] = d.due(at(30), [])
    data = to_json(sent.message)
    assert set(data) >= {
        "version",
        "groupKey",
        "truncatedAlerts",
        "status",
        "receiver",
        "groupLabels",
        "commonLabels",
        "commonAnnotations",
        "externalURL",
        "alerts",
    }
    assert data["version"] == "4"
    [item] = data["alerts"]
    assert set(item) == {
        "status",
        "labels",
        "annotations",
        "startsAt",
        "endsAt",
        "generatorURL",
        "fingerprint",
    }
    assert item["startsAt"] == "2026-03-01T10:00:00Z"
    assert item["endsAt"] == "0001-01-01T00:00:00Z"
    assert len(item["fingerprint"]) == 16
