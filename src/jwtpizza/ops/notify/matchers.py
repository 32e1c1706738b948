"""Label matchers with Alertmanager's four operators: `=`, `!=`, `=~`, `!~`.

The text form is Alertmanager's (`severity="critical"`, `job=~"svc|factory"`); regular
expressions are RE2, anchored at both ends, as in Alertmanager and Prometheus (see
`jwtpizza.ops.labelregex`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.labelregex import BadRegex, LabelRegex

_TEXT = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$", re.DOTALL)


class Op(StrEnum):
    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"


@dataclass(frozen=True)
class Matcher:
    """One condition on one label; a missing label reads as the empty string."""

    name: str
    op: Op
    value: str
    _pattern: LabelRegex | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op in (Op.REGEX, Op.NOT_REGEX):
            try:
                pattern = LabelRegex(self.value)
            except BadRegex as exc:
                raise InvalidInput(f"matcher {self.name}: bad regular expression: {exc}") from exc
            object.__setattr__(self, "_pattern", pattern)

    def matches(self, labels: dict[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self._pattern is not None:
            found = self._pattern.matches(actual)
            return found if self.op is Op.REGEX else not found
        return (actual == self.value) if self.op is Op.EQUAL else (actual != self.value)

    def __str__(self) -> str:
        return f"{self.name}{self.op.value}{_quote(self.value)}"

    @property
    def is_regex(self) -> bool:
        return self.op in (Op.REGEX, Op.NOT_REGEX)

    @property
    def is_equal(self) -> bool:
        return self.op in (Op.EQUAL, Op.REGEX)

    @classmethod
    def of(cls, name: str, value: str, *, is_regex: bool, is_equal: bool) -> Matcher:
        """From Alertmanager's API shape (`isRegex`, `isEqual`)."""
        ops = {(False, True): Op.EQUAL, (False, False): Op.NOT_EQUAL}
        ops |= {(True, True): Op.REGEX, (True, False): Op.NOT_REGEX}
        return cls(name, ops[(is_regex, is_equal)], value)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        inner = text[1:-1]
        return re.sub(r"\\(.)", r"\1", inner)
    return text


def parse_matcher(text: str) -> Matcher:
    """`name op value`, the value optionally double-quoted; a clear error otherwise."""
    found = _TEXT.match(text)
    if found is None:
        raise InvalidInput(f"matcher {text!r}: expected name, an operator (=, !=, =~, !~), value")
    name, op, value = found.groups()
    return Matcher(name, Op(op), _unquote(value))


def parse_matchers(items: Any, *, where: str) -> tuple[Matcher, ...]:
    """A YAML list of matcher strings (`matchers:` in Alertmanager's configuration)."""
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise InvalidInput(f"{where}: matchers must be a list of strings like 'severity=\"page\"'")
    return tuple(parse_matcher(item) for item in items)


def matches_all(matchers: tuple[Matcher, ...], labels: dict[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)
