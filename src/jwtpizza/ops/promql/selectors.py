"""Selectors: which series an expression reads, as instant vectors (`instant_selector`)
or the ranges a rule reads further back than the raw samples go (`long_range_selectors`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import promql_parser as pp

from jwtpizza.ops.labelregex import BadRegex, LabelRegex
from jwtpizza.ops.monitor.store import LOOKBACK_MS, SampleStore, Series
from jwtpizza.ops.promql.plan import Evaluate, Unsupported
from jwtpizza.ops.promql.values import NAME, Labels, Sample, Vector

Matcher = Callable[[str], bool]


def _matcher(op: Any, value: str) -> Matcher:
    if op == pp.MatchOp.Equal:
        return lambda got: got == value
    if op == pp.MatchOp.NotEqual:
        return lambda got: got != value
    try:
        pattern = LabelRegex(value)
    except BadRegex as error:
        raise Unsupported(f"regular expression {value!r}: {error}") from error
    if op == pp.MatchOp.Re:
        return pattern.matches
    return lambda got: not pattern.matches(got)


@dataclass(frozen=True)
class Selector:
    name: str | None
    matchers: tuple[tuple[str, Matcher], ...]
    offset_ms: int

    def series(self, store: SampleStore) -> Iterator[Series]:
        for series in store.select(self.name):
            if self.matches(series.labels):
                yield series

    def matches(self, labels: Labels) -> bool:
        found = dict(labels)
        if self.name is not None and found.get(NAME) != self.name:
            return False
        return all(match(found.get(name, "")) for name, match in self.matchers)


def long_range_selectors(text: str, longer_than_ms: int) -> Iterator[Selector]:
    """The selectors of `text`'s ranges longer than `longer_than_ms` (which series a rule
    reads further back than the raw samples go)."""
    stack: list[Any] = [pp.parse(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, pp.MatrixSelector):
            if node.range.total_seconds() * 1000 > longer_than_ms:
                yield selector(node.vector_selector)
            continue
        stack.extend(getattr(node, "args", None) or [])
        for attribute in ("expr", "lhs", "rhs", "param"):
            child = getattr(node, attribute, None)
            if child is not None:
                stack.append(child)


def selector(node: Any) -> Selector:
    if node.at is not None:
        raise Unsupported("the @ modifier is not in the evaluated subset")
    if node.matchers.or_matchers:
        raise Unsupported("`or` inside a selector is not in the evaluated subset")
    name = node.name
    matchers = []
    for m in node.matchers.matchers:
        if m.name == NAME and m.op == pp.MatchOp.Equal and name is None:
            name = m.value
            continue
        matchers.append((m.name, _matcher(m.op, m.value)))
    offset = int(node.offset.total_seconds() * 1000) if node.offset is not None else 0
    return Selector(name, tuple(matchers), offset)


def instant_selector(node: Any) -> Evaluate:
    chosen = selector(node)

    def run(store: SampleStore, t: int) -> Vector:
        ref = t - chosen.offset_ms
        out = []
        for series in chosen.series(store):
            found = series.latest(ref, LOOKBACK_MS)
            if found is not None:
                out.append(Sample(series.labels, found[1]))
        return out

    return run
