"""Load Prometheus rule files (`groups:` of alerting and recording rules) into checked,
compiled specs.

A file is read completely and every rule compiled before anything is returned, so a bad
file raises `RuleFileInvalid` (naming the file, group, rule and reason) and the caller keeps
the rules it had. Unknown keys are refused, as Prometheus refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml

from jwtpizza.ops.errors import RuleFileInvalid, UnsupportedExpression
from jwtpizza.ops.promql.engine import compile_expr
from jwtpizza.ops.promql.plan import Plan, Unsupported
from jwtpizza.ops.rules.templates import Template, TemplateError, compile_template

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
ZERO = re.compile(r"^0+(ms|s|m|h|d|w|y)?$")
LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
GROUP_KEYS = {"name", "interval", "rules", "limit"}
RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
RECORD_KEYS = {"record", "expr", "labels"}


@dataclass(frozen=True)
class AlertRuleSpec:
    """One alerting rule, compiled: its expression plan and label/annotation templates."""

    name: str
    expr: str
    plan: Plan
    for_seconds: float
    keep_firing_for_seconds: float
    labels: Mapping[str, Template]
    annotations: Mapping[str, Template]


@dataclass(frozen=True)
class RecordRuleSpec:
    """One recording rule: its result is stored as the series `name` with `labels` set
    (Prometheus does not expand templates in a recording rule's labels)."""

    name: str
    expr: str
    plan: Plan
    labels: Mapping[str, str]


RuleSpec = AlertRuleSpec | RecordRuleSpec


@dataclass(frozen=True)
class GroupSpec:
    name: str
    file: str
    interval_seconds: float | None
    rules: tuple[RuleSpec, ...]

    @property
    def alerting(self) -> tuple[AlertRuleSpec, ...]:
        return tuple(rule for rule in self.rules if isinstance(rule, AlertRuleSpec))


def duration_seconds(text: Any, what: str) -> float:
    """A Prometheus duration such as `30s`, `5m` or `1h30m` (`0` and `0s` are zero)."""
    if ZERO.match(str(text)):
        return 0.0
    try:
        return promql_parser.parse_duration(str(text)).total_seconds()
    except (ValueError, RuntimeError) as error:
        raise ValueError(f"{what}: {text!r} is not a duration such as 30s or 5m") from error


def load_files(paths: list[str], *, max_for_seconds: float | None = None) -> list[GroupSpec]:
    """Every group of every file; group names must be unique within a file."""
    groups: list[GroupSpec] = []
    for path in paths:
        try:
            text = Path(path).read_text()
        except OSError as error:
            raise RuleFileInvalid(f"{path}: cannot read: {error.strerror}") from error
        groups.extend(load_text(text, source=path, max_for_seconds=max_for_seconds))
    return groups


def load_text(text: str, *, source: str, max_for_seconds: float | None = None) -> list[GroupSpec]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RuleFileInvalid(f"{source}: not valid YAML: {error}") from error
    if document is None:
        return []
    if not isinstance(document, dict) or set(document) - {"groups"}:
        raise RuleFileInvalid(f"{source}: a rule file is a mapping with one key, `groups`")
    groups = document.get("groups") or []
    if not isinstance(groups, list):
        raise RuleFileInvalid(f"{source}: `groups` must be a list")
    specs = [_group(group, source, max_for_seconds) for group in groups]
    names = [spec.name for spec in specs]
    for name in names:
        if names.count(name) > 1:
            raise RuleFileInvalid(f"{source}: group {name!r} is defined more than once")
    return specs


def _group(raw: Any, source: str, max_for: float | None) -> GroupSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise RuleFileInvalid(f"{source}: every group needs a `name`")
    where = f"{source}: group {raw['name']!r}"
    if unknown := set(raw) - GROUP_KEYS:
        raise RuleFileInvalid(f"{where}: unknown key(s) {sorted(unknown)}")
    try:
        interval = duration_seconds(raw["interval"], "interval") if "interval" in raw else None
    except ValueError as error:
        raise RuleFileInvalid(f"{where}: {error}") from error
    rules = raw.get("rules") or []
    if not isinstance(rules, list):
        raise RuleFileInvalid(f"{where}: `rules` must be a list")
    return GroupSpec(
        name=raw["name"],
        file=source,
        interval_seconds=interval,
        rules=tuple(_rule(rule, where, max_for) for rule in rules),
    )


def _rule(raw: Any, where: str, max_for: float | None) -> RuleSpec:
    if not isinstance(raw, dict):
        raise RuleFileInvalid(f"{where}: every rule is a mapping")
    if "record" in raw and "alert" in raw:
        raise RuleFileInvalid(f"{where}: a rule has `record` or `alert`, not both")
    if "record" in raw:
        return _record(raw, where)
    name = raw.get("alert")
    if not isinstance(name, str) or not NAME.match(name):
        raise RuleFileInvalid(f"{where}: every rule needs an `alert` name like PizzaFailures")
    where = f"{where}, rule {name!r}"
    if unknown := set(raw) - RULE_KEYS:
        raise RuleFileInvalid(f"{where}: unknown key(s) {sorted(unknown)}")
    try:
        plan = _plan(raw)
        hold = duration_seconds(raw.get("for", "0s"), "for")
        keep = duration_seconds(raw.get("keep_firing_for", "0s"), "keep_firing_for")
        labels = _templates(raw.get("labels"), "labels")
        annotations = _templates(raw.get("annotations"), "annotations")
    except Unsupported as error:
        raise UnsupportedExpression(f"{where}: expr {error}") from error
    except (ValueError, TemplateError) as error:
        raise RuleFileInvalid(f"{where}: {error}") from error
    return AlertRuleSpec(
        name=name,
        expr=str(raw["expr"]),
        plan=plan,
        for_seconds=hold if max_for is None else min(hold, max_for),
        keep_firing_for_seconds=keep,
        labels=labels,
        annotations=annotations,
    )


def _record(raw: dict[str, Any], where: str) -> RecordRuleSpec:
    name = raw["record"]
    if not isinstance(name, str) or not NAME.match(name):
        raise RuleFileInvalid(f"{where}: recording rule {name!r} is not a valid metric name")
    where = f"{where}, recording rule {name!r}"
    if unknown := set(raw) - RECORD_KEYS:
        raise RuleFileInvalid(f"{where}: unknown key(s) {sorted(unknown)}")
    try:
        plan = _plan(raw)
        labels = _static_labels(raw.get("labels"))
    except Unsupported as error:
        raise UnsupportedExpression(f"{where}: expr {error}") from error
    except ValueError as error:
        raise RuleFileInvalid(f"{where}: {error}") from error
    return RecordRuleSpec(name=name, expr=str(raw["expr"]), plan=plan, labels=labels)


def _plan(raw: dict[str, Any]) -> Plan:
    if not isinstance(raw.get("expr"), str | int | float) or str(raw["expr"]).strip() == "":
        raise ValueError("`expr` is required")
    return compile_expr(str(raw["expr"]))


def _static_labels(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("`labels` must be a mapping of names to text")
    for key in raw:
        if not isinstance(key, str) or not LABEL.match(key) or key == "__name__":
            raise ValueError(f"labels: {key!r} is not a label name a rule can set")
    return {key: str(value) for key, value in raw.items()}


def _templates(raw: Any, what: str) -> dict[str, Template]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"`{what}` must be a mapping of names to text")
    compiled = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not LABEL.match(key):
            raise ValueError(f"{what}: {key!r} is not a valid label name")
        if what == "labels" and key in ("__name__", "alertname"):
            raise ValueError(f"labels: {key} cannot be set by a rule")
        try:
            compiled[key] = compile_template(str(value))
        except TemplateError as error:
            raise ValueError(f"{what}.{key}: {error}") from error
    return compiled
