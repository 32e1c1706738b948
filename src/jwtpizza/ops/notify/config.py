"""The notification configuration, in Alertmanager's YAML shape.

    route:          the routing tree (receiver, matchers, group_by, continue, timers, routes)
    receivers:      named receivers, each with one or more `<kind>_configs`
    inhibit_rules:  source_matchers, target_matchers, equal
    time_intervals: named intervals a route mutes in (`mute_time_intervals`) or is active
                    in only (`active_time_intervals`), see `timeintervals.py`

Loading checks everything before anything is replaced: an unknown receiver, a bad
duration or matcher raises `NotifyConfigError` naming the place, and the caller keeps
the configuration it had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.notify.matchers import Matcher, parse_matchers
from jwtpizza.ops.notify.routing import Route, Timers, label_set
from jwtpizza.ops.notify.timeintervals import (
    TimeInterval,
    TimeIntervalError,
    contains_any,
    parse_time_intervals,
)

KINDS = ("console", "webhook", "email", "slack", "twilio", "ntfy", "oncall")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class NotifyConfigError(InvalidInput):
    """The configuration is refused; the message says where and why."""


@dataclass(frozen=True)
class Integration:
    """One `<kind>_configs` entry of a receiver: its kind and options, as written."""

    kind: str
    options: dict[str, Any]

    @property
    def send_resolved(self) -> bool:
        default = self.kind in ("webhook", "console", "oncall")
        return bool(self.options.get("send_resolved", default))


@dataclass(frozen=True)
class Receiver:
    name: str
    integrations: tuple[Integration, ...]


@dataclass(frozen=True)
class InhibitRule:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


@dataclass(frozen=True)
class NotifyConfig:
    route: Route
    receivers: dict[str, Receiver]
    inhibit_rules: tuple[InhibitRule, ...]
    external_url: str = ""
    time_intervals: dict[str, tuple[TimeInterval, ...]] = field(default_factory=dict)

    def muted(self, route: Route, now: datetime) -> bool:
        """Whether the route sends nothing at `now`: inside one of its mute intervals, or
        outside all of its active intervals."""
        named = self.time_intervals
        if any(contains_any(named[n], now) for n in route.mute_time_intervals):
            return True
        active = route.active_time_intervals
        return bool(active) and not any(contains_any(named[n], now) for n in active)


def parse_duration(value: Any, *, where: str) -> float:
    """Prometheus durations (`30s`, `5m`, `1h30m`) in seconds."""
    text = str(value).strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise NotifyConfigError(f"{where}: {value!r} is not a duration like 30s, 5m or 1h")
    return sum(float(n) * _UNIT[u] for n, u in parts)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NotifyConfigError(f"{where} must be a mapping")
    return value


def _timers(spec: dict[str, Any], parent: Timers, where: str) -> Timers:
    def pick(name: str, inherited: float) -> float:
        return parse_duration(spec[name], where=f"{where}.{name}") if name in spec else inherited

    return Timers(
        group_wait=pick("group_wait", parent.group_wait),
        group_interval=pick("group_interval", parent.group_interval),
        repeat_interval=pick("repeat_interval", parent.repeat_interval),
    )


def _legacy_matchers(spec: dict[str, Any], where: str) -> tuple[Matcher, ...]:
    """`match:` and `match_re:` maps, which Alertmanager still accepts."""
    items = [f'{k}="{v}"' for k, v in _mapping(spec.get("match"), f"{where}.match").items()]
    items += [f'{k}=~"{v}"' for k, v in _mapping(spec.get("match_re"), f"{where}.match_re").items()]
    return parse_matchers(items, where=where)


def _route(spec: Any, parent: Route | None, where: str) -> Route:
    spec = _mapping(spec, where)
    matchers = parse_matchers(spec.get("matchers"), where=where) + _legacy_matchers(spec, where)
    receiver = spec.get("receiver", parent.receiver if parent else None)
    if not receiver:
        raise NotifyConfigError(f"{where}: the root route needs a receiver")
    group_by = spec.get("group_by", parent.group_by if parent else None)
    if group_by is not None and not isinstance(group_by, list | tuple):
        raise NotifyConfigError(f"{where}.group_by must be a list of label names")
    key = "{}" if parent is None else f"{parent.key}/{label_set_of(matchers)}"
    route = Route(
        receiver=str(receiver),
        matchers=matchers if parent else (),
        group_by=tuple(str(g) for g in group_by) if group_by is not None else None,
        timers=_timers(spec, parent.timers if parent else Timers(), where),
        continue_=bool(spec.get("continue", False)),
        key=key,
        mute_time_intervals=_names(spec, "mute_time_intervals", where),
        active_time_intervals=_names(spec, "active_time_intervals", where),
    )
    if parent is None and (route.mute_time_intervals or route.active_time_intervals):
        raise NotifyConfigError(f"{where}: the root route cannot have time intervals")
    children = spec.get("routes") or []
    if not isinstance(children, list):
        raise NotifyConfigError(f"{where}.routes must be a list")
    routes = tuple(_route(c, route, f"{where}.routes[{i}]") for i, c in enumerate(children))
    return replace(route, routes=routes)


def _names(spec: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    names = spec.get(key) or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise NotifyConfigError(f"{where}.{key} must be a list of time interval names")
    return tuple(names)


def label_set_of(matchers: tuple[Matcher, ...]) -> str:
    return "{" + ",".join(str(m) for m in matchers) + "}" if matchers else label_set({})


def _receiver(spec: Any, where: str) -> Receiver:
    spec = _mapping(spec, where)
    name = spec.get("name")
    if not name or not isinstance(name, str):
        raise NotifyConfigError(f"{where}: a receiver needs a name")
    integrations: list[Integration] = []
    for key, entries in spec.items():
        if key == "name":
            continue
        kind = key.removesuffix("_configs")
        if not key.endswith("_configs") or kind not in KINDS:
            known = ", ".join(f"{k}_configs" for k in KINDS)
            raise NotifyConfigError(f"receiver {name}: unknown key {key!r} (known: {known})")
        if not isinstance(entries, list):
            raise NotifyConfigError(f"receiver {name}: {key} must be a list")
        integrations += [Integration(kind, _mapping(e, f"receiver {name}.{key}")) for e in entries]
    return Receiver(name, tuple(integrations))


def _inhibit_rule(spec: Any, where: str) -> InhibitRule:
    spec = _mapping(spec, where)
    source = parse_matchers(spec.get("source_matchers"), where=f"{where}.source_matchers")
    target = parse_matchers(spec.get("target_matchers"), where=f"{where}.target_matchers")
    if not source or not target:
        raise NotifyConfigError(f"{where}: needs source_matchers and target_matchers")
    equal = spec.get("equal") or []
    return InhibitRule(source, target, tuple(str(e) for e in equal))


def parse_config(data: Any) -> NotifyConfig:
    """A checked configuration from parsed YAML."""
    data = _mapping(data, "the configuration")
    receivers_list = data.get("receivers") or []
    if not isinstance(receivers_list, list):
        raise NotifyConfigError("receivers must be a list")
    receivers: dict[str, Receiver] = {}
    for i, spec in enumerate(receivers_list):
        receiver = _receiver(spec, f"receivers[{i}]")
        if receiver.name in receivers:
            raise NotifyConfigError(f"receiver {receiver.name} is defined twice")
        receivers[receiver.name] = receiver
    try:
        intervals = parse_time_intervals(data)
    except TimeIntervalError as exc:
        raise NotifyConfigError(exc.message) from exc
    route = _route(data.get("route"), None, "route")
    for node in route.walk():
        if node.receiver not in receivers:
            raise NotifyConfigError(f"route {node.key}: unknown receiver {node.receiver!r}")
        for name in (*node.mute_time_intervals, *node.active_time_intervals):
            if name not in intervals:
                raise NotifyConfigError(f"route {node.key}: unknown time interval {name!r}")
    rules = data.get("inhibit_rules") or []
    inhibit = tuple(_inhibit_rule(r, f"inhibit_rules[{i}]") for i, r in enumerate(rules))
    external = str(_mapping(data.get("global"), "global").get("external_url", ""))
    return NotifyConfig(route, receivers, inhibit, external, intervals)


def load_config(text: str) -> NotifyConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise NotifyConfigError(f"not valid YAML: {exc}") from exc
    return parse_config(data)


def load_config_file(path: Path) -> NotifyConfig:
    try:
        text = path.read_text()
    except OSError as exc:
        raise NotifyConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return load_config(text)
    except NotifyConfigError as exc:
        raise NotifyConfigError(f"{path}: {exc.message}") from exc
