"""The on-call configuration (`deploy/ops/oncall.yml`): users, teams, schedules and
escalation policies. Every name it uses is checked at load, receivers against the
notification configuration, so a typo is an error then and not a silent page later.

    users:     [{name, receiver}]              receiver: a receiver of notify.yml
    teams:     [{name, members: [user], receiver?}]
    schedules: [{name, timezone, layers: [{name, users, start, shift, restrict?}],
                 overrides: [{user, start, end}]}]
    escalation_policies:
      - name: default
        steps: [{notify: {schedule|user|team: name}, wait: 5m}, ...]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from jwtpizza.ops.notify.config import NotifyConfigError, parse_duration
from jwtpizza.ops.oncall.schedule import Layer, Override, Restriction, Schedule


class OncallConfigError(NotifyConfigError):
    """The on-call configuration is refused; the message names the place."""


@dataclass(frozen=True)
class Team:
    name: str
    members: tuple[str, ...]
    receiver: str | None


@dataclass(frozen=True)
class Target:
    kind: str  # schedule, user or team
    name: str


@dataclass(frozen=True)
class Step:
    target: Target
    wait: float


@dataclass(frozen=True)
class Policy:
    name: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class OncallConfig:
    users: dict[str, str]  # user -> receiver
    teams: dict[str, Team]
    schedules: dict[str, Schedule]
    policies: dict[str, Policy]

    def receivers_for(self, target: Target, at: datetime) -> list[tuple[str, str]]:
        """(who, receiver) pairs a step notifies at `at`; empty if a schedule has a gap."""
        if target.kind == "user":
            return [(target.name, self.users[target.name])]
        if target.kind == "schedule":
            user = self.schedules[target.name].on_call(at)
            return [] if user is None else [(user, self.users[user])]
        team = self.teams[target.name]
        if team.receiver:
            return [(team.name, team.receiver)]
        return [(member, self.users[member]) for member in team.members]


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OncallConfigError(f"{where} must be a list")
    return value


def _time(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise OncallConfigError(f"{where}: {value!r} is not an ISO date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _zone(value: Any, where: str) -> tzinfo:
    try:
        return ZoneInfo(str(value or "UTC"))
    except (KeyError, ValueError) as exc:
        raise OncallConfigError(f"{where}: unknown timezone {value!r}") from exc


def _clock_time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise OncallConfigError(f"{where}: {value!r} is not a time like 09:00") from exc


def _layer(spec: dict[str, Any], users: dict[str, str], where: str) -> Layer:
    members = tuple(str(u) for u in _list(spec.get("users"), f"{where}.users"))
    for user in members:
        if user not in users:
            raise OncallConfigError(f"{where}: unknown user {user!r}")
    if not members:
        raise OncallConfigError(f"{where}: a layer needs users")
    restrict = spec.get("restrict")
    window = None
    if restrict is not None:
        window = Restriction(
            _clock_time(restrict.get("start"), f"{where}.restrict.start"),
            _clock_time(restrict.get("end"), f"{where}.restrict.end"),
        )
    shift = parse_duration(spec.get("shift", "7d"), where=f"{where}.shift")
    if shift <= 0:
        raise OncallConfigError(f"{where}.shift must be positive")
    return Layer(
        name=str(spec.get("name", where)),
        users=members,
        start=_time(spec.get("start"), f"{where}.start"),
        shift=timedelta(seconds=shift),
        restrict=window,
    )


def _schedule(spec: dict[str, Any], users: dict[str, str], where: str) -> Schedule:
    name = str(spec.get("name") or "")
    if not name:
        raise OncallConfigError(f"{where}: a schedule needs a name")
    layers = tuple(
        _layer(layer, users, f"schedule {name}.layers[{i}]")
        for i, layer in enumerate(_list(spec.get("layers"), f"schedule {name}.layers"))
    )
    overrides = []
    for i, item in enumerate(_list(spec.get("overrides"), f"schedule {name}.overrides")):
        at = f"schedule {name}.overrides[{i}]"
        if item.get("user") not in users:
            raise OncallConfigError(f"{at}: unknown user {item.get('user')!r}")
        override = Override(
            str(item["user"]), _time(item.get("start"), at), _time(item.get("end"), at)
        )
        if override.end <= override.start:
            raise OncallConfigError(f"{at}: ends before it starts")
        overrides.append(override)
    zone = _zone(spec.get("timezone"), f"schedule {name}")
    return Schedule(name, zone, layers, tuple(overrides))


def _step(spec: dict[str, Any], config: OncallConfig, where: str) -> Step:
    notify = spec.get("notify")
    if not isinstance(notify, dict) or len(notify) != 1:
        raise OncallConfigError(f"{where}: notify must name one schedule, user or team")
    [(kind, name)] = notify.items()
    known: dict[str, set[str]] = {
        "schedule": set(config.schedules),
        "user": set(config.users),
        "team": set(config.teams),
    }
    if kind not in known:
        raise OncallConfigError(f"{where}: notify {kind!r}? (schedule, user or team)")
    if name not in known[kind]:
        raise OncallConfigError(f"{where}: unknown {kind} {name!r}")
    wait = parse_duration(spec.get("wait", "0s"), where=f"{where}.wait")
    return Step(Target(kind, str(name)), wait)


def parse_oncall(data: Any, receivers: set[str]) -> OncallConfig:
    """A checked configuration; `receivers` are the notification receivers' names."""
    if not isinstance(data, dict):
        raise OncallConfigError("the on-call configuration must be a mapping")
    users: dict[str, str] = {}
    for i, user in enumerate(_list(data.get("users"), "users")):
        name, receiver = str(user.get("name", "")), str(user.get("receiver", ""))
        if not name or receiver not in receivers:
            raise OncallConfigError(f"users[{i}] {name!r}: unknown receiver {receiver!r}")
        users[name] = receiver
    teams: dict[str, Team] = {}
    for i, team in enumerate(_list(data.get("teams"), "teams")):
        members = tuple(str(m) for m in _list(team.get("members"), f"teams[{i}].members"))
        if unknown := [m for m in members if m not in users]:
            raise OncallConfigError(f"teams[{i}]: unknown user {unknown[0]!r}")
        receiver = team.get("receiver")
        if receiver is not None and receiver not in receivers:
            raise OncallConfigError(f"teams[{i}]: unknown receiver {receiver!r}")
        teams[str(team.get("name"))] = Team(str(team.get("name")), members, receiver)
    schedules = {
        s.name: s
        for s in (
            _schedule(spec, users, f"schedules[{i}]")
            for i, spec in enumerate(_list(data.get("schedules"), "schedules"))
        )
    }
    config = OncallConfig(users, teams, schedules, {})
    for i, spec in enumerate(_list(data.get("escalation_policies"), "escalation_policies")):
        name = str(spec.get("name") or "")
        steps = tuple(
            _step(step, config, f"policy {name}.steps[{j}]")
            for j, step in enumerate(_list(spec.get("steps"), f"policy {name}.steps"))
        )
        if not name or not steps:
            raise OncallConfigError(f"escalation_policies[{i}]: needs a name and steps")
        config.policies[name] = Policy(name, steps)
    return config


def load_oncall_file(path: Path, receivers: set[str]) -> OncallConfig:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise OncallConfigError(f"{path}: cannot load ({exc})") from exc
    try:
        return parse_oncall(data, receivers)
    except NotifyConfigError as exc:
        raise OncallConfigError(f"{path}: {exc.message}") from exc
