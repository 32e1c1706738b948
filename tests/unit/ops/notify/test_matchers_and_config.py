from __future__ import annotations

import pytest

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.notify.config import NotifyConfigError, load_config, parse_duration
from jwtpizza.ops.notify.matchers import Matcher, Op, parse_matcher

CONFIG = """
global: {external_url: http://ops.example}
route:
  receiver: console
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      group_wait: 1s
      continue: true
      routes:
        - matchers: ['component=~"fact.*"']
          receiver: factory-team
    - matchers: ['severity=~"critical|warning"']
      receiver: slack
    - receiver: never
receivers:
  - name: console
    console_configs: [{}]
  - name: pager
    console_configs: [{}]
  - name: factory-team
    console_configs: [{}]
  - name: slack
    console_configs: [{}]
  - name: never
    console_configs: [{}]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
"""


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ('severity="critical"', {"severity": "critical"}, True),
        ("severity=critical", {"severity": "warning"}, False),
        ('severity!="critical"', {}, True),
        ('job=~"svc|factory"', {"job": "factory"}, True),
        ('job=~"fact"', {"job": "factory"}, False),  # anchored at both ends
        ('job!~"fact.*"', {"job": "service"}, True),
        ('summary="say \\"hi\\""', {"summary": 'say "hi"'}, True),
    ],
)
def test_matchers_follow_alertmanager(text: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_matcher(text).matches(labels) is expected


def test_matcher_text_round_trips() -> None:
    matcher = Matcher("job", Op.NOT_REGEX, 'a"b')
    assert parse_matcher(str(matcher)) == matcher


@pytest.mark.parametrize("text", ["=x", "severity", "9x=1", 'a=~"("'])
def test_bad_matchers_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_matcher(text)


def test_routes_take_the_first_match_unless_continue() -> None:
    config = load_config(CONFIG)
    names = [r.receiver for r in config.route.match({"severity": "critical"})]
    assert names == ["pager", "slack"]
    factory = {"severity": "critical", "component": "factory"}
    assert [r.receiver for r in config.route.match(factory)] == ["factory-team", "slack"]
    assert [r.receiver for r in config.route.match({"severity": "info"})] == ["never"]


def test_children_inherit_unset_settings() -> None:
    config = load_config(CONFIG)
    pager = config.route.routes[0]
    assert pager.group_by == ("alertname",)
    assert pager.timers.group_wait == 1.0
    assert pager.routes[0].timers.group_wait == 1.0
    assert config.route.routes[1].timers.group_wait == 10.0
    assert pager.timers.repeat_interval == 4 * 3600
    assert pager.key == '{}/{severity="critical"}'
    assert config.external_url == "http://ops.example"


def test_unknown_receiver_is_named() -> None:
    broken = CONFIG.replace("receiver: slack", "receiver: slak")
    with pytest.raises(NotifyConfigError, match="unknown receiver 'slak'"):
        load_config(broken)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("group_wait: 10s", "group_wait: soon"), "route.group_wait"),
        (
            ("console_configs: [{}]\n  - name: pager", "carrier_configs: [{}]\n  - name: pager"),
            "unknown key 'carrier_configs'",
        ),
        (("  - name: never", "  - name: slack"), "defined twice"),
        (("target_matchers", "other"), "needs source_matchers and target_matchers"),
        (("route:", "route: [\n"), "not valid YAML"),
    ],
)
def test_bad_configuration_names_the_problem(change: tuple[str, str], message: str) -> None:
    with pytest.raises(NotifyConfigError, match=message):
        load_config(CONFIG.replace(*change, 1))


def test_durations() -> None:
    assert parse_duration("1h30m", where="x") == 5400
    assert parse_duration("250ms", where="x") == 0.25
    with pytest.raises(NotifyConfigError):
        parse_duration("5 minutes", where="x")
