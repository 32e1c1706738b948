"""Compile a PromQL expression (parsed by `promql_parser`) into an evaluation plan.

The real parser does the syntax; this module checks that the tree stays inside the
evaluated subset and turns it into nested closures, so each evaluation walks no AST:

    plan = compile_expr("sum by (job) (rate(http_requests_total{status=~'5..'}[1m])) > 0")
    vector = plan.vector(store, t_ms)

Subset: instant and range selectors with `=`, `!=`, `=~`, `!~` and `offset`; `rate`, `irate`,
`increase`, `delta`, `*_over_time`, `histogram_quantile`, `absent`, `scalar`, `vector`,
`time`; `sum`, `avg`, `min`, `max`, `count` with `by`/`without`; arithmetic and comparisons
(with `bool`) between scalars and vectors with one-to-one `on`/`ignoring` matching; `and`,
`or`, `unless`; number literals and unary minus. Anything else raises `Unsupported`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import promql_parser as pp

from jwtpizza.ops.labelregex import BadRegex, LabelRegex
from jwtpizza.ops.monitor.store import LOOKBACK_MS, SampleStore, Series
from jwtpizza.ops.promql import functions
from jwtpizza.ops.promql.values import (
    ARITHMETIC,
    COMPARISON,
    NAME,
    SET_OPERATORS,
    Labels,
    Sample,
    Vector,
    drop_name,
    keep_only,
    label,
    without,
)


class Unsupported(ValueError):
    """The expression does not parse, or uses PromQL outside the evaluated subset."""


class EvaluationError(RuntimeError):
    """The expression is valid but cannot be evaluated on this data (e.g. duplicate series
    on the 'one' side of a match), as Prometheus would report it."""


Value = float | Vector
Evaluate = Callable[[SampleStore, int], Any]


@dataclass(frozen=True)
class Plan:
    """A compiled expression: `kind` is `scalar` or `vector`."""

    kind: str
    run: Evaluate
    text: str

    def vector(self, store: SampleStore, t_ms: int) -> Vector:
        """The result as an instant vector (a scalar becomes one sample without labels)."""
        value = self.run(store, t_ms)
        if self.kind == "scalar":
            return [Sample((), float(value))]
        result: Vector = value
        return result


def compile_expr(text: str) -> Plan:
    """Parse and compile, or raise `Unsupported` with the reason."""
    try:
        tree = pp.parse(text)
    except (ValueError, RuntimeError) as error:
        raise Unsupported(f"does not parse: {error}") from error
    kind, run = _compile(tree)
    if kind not in ("scalar", "vector"):
        raise Unsupported(f"a {kind} cannot be the result of a rule")
    return Plan(kind, run, text)


def _compile(node: Any) -> tuple[str, Evaluate]:
    if isinstance(node, pp.ParenExpr):
        return _compile(node.expr)
    if isinstance(node, pp.NumberLiteral):
        number = float(node.val)
        return "scalar", lambda _store, _t: number
    if isinstance(node, pp.VectorSelector):
        return "vector", _instant_selector(node)
    if isinstance(node, pp.UnaryExpr):
        return _negation(node)
    if isinstance(node, pp.AggregateExpr):
        return "vector", _aggregate(node)
    if isinstance(node, pp.BinaryExpr):
        return _binary(node)
    if isinstance(node, pp.Call):
        return _call(node)
    if isinstance(node, pp.MatrixSelector):
        raise Unsupported("a range selector is only allowed as a function argument")
    if isinstance(node, pp.SubqueryExpr):
        raise Unsupported("subqueries are not in the evaluated subset")
    if isinstance(node, pp.StringLiteral):
        raise Unsupported("string literals are not in the evaluated subset")
    raise Unsupported(f"{type(node).__name__} is not in the evaluated subset")


# selectors -------------------------------------------------------------------------------

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
                yield _selector(node.vector_selector)
            continue
        stack.extend(getattr(node, "args", None) or [])
        for attribute in ("expr", "lhs", "rhs", "param"):
            child = getattr(node, attribute, None)
            if child is not None:
                stack.append(child)


def _selector(node: Any) -> Selector:
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


def _instant_selector(node: Any) -> Evaluate:
    selector = _selector(node)

    def run(store: SampleStore, t: int) -> Vector:
        ref = t - selector.offset_ms
        out = []
        for series in selector.series(store):
            found = series.latest(ref, LOOKBACK_MS)
            if found is not None:
                out.append(Sample(series.labels, found[1]))
        return out

    return run


# functions -------------------------------------------------------------------------------


def _call(node: Any) -> tuple[str, Evaluate]:
    name = node.func.name
    args = list(node.args)
    if name in functions.RANGE_FUNCTIONS or name == "quantile_over_time":
        return "vector", _range_call(name, args)
    if name == "histogram_quantile":
        return "vector", _histogram_quantile(args)
    if name == "absent":
        return "vector", _absent(args[0])
    if name == "scalar":
        inner = _expect(args[0], "vector", name)
        return "scalar", lambda store, t: _scalar_of(inner(store, t))
    if name == "vector":
        inner = _expect(args[0], "scalar", name)
        return "vector", lambda store, t: [Sample((), float(inner(store, t)))]
    if name == "time":
        return "scalar", lambda _store, t: t / 1000
    raise Unsupported(f"function {name}() is not in the evaluated subset")


def _scalar_of(vector: Vector) -> float:
    return vector[0].value if len(vector) == 1 else math.nan


def _expect(node: Any, kind: str, where: str) -> Evaluate:
    got, run = _compile(node)
    if got != kind:
        raise Unsupported(f"{where}() expects a {kind}, got a {got}")
    return run


def _range_call(name: str, args: list[Any]) -> Evaluate:
    q_run: Evaluate | None = None
    if name == "quantile_over_time":
        q_run = _expect(args[0], "scalar", name)
        args = args[1:]
    matrix = args[0]
    if not isinstance(matrix, pp.MatrixSelector):
        raise Unsupported(f"{name}() needs a range selector such as x[5m] (no subqueries)")
    selector = _selector(matrix.vector_selector)
    range_ms = int(matrix.range.total_seconds() * 1000)
    reduce = functions.RANGE_FUNCTIONS.get(name)
    keep_name = name in functions.KEEPS_NAME

    def run(store: SampleStore, t: int) -> Vector:
        end = t - selector.offset_ms
        start = end - range_ms
        q = float(q_run(store, t)) if q_run is not None else 0.0
        out = []
        for series in selector.series(store):
            times, values = series.window(start, end)
            if not times:
                continue
            if reduce is None:
                value: float | None = functions.quantile(q, values)
            else:
                value = reduce(times, values, start, end, range_ms)
            if value is not None:
                labels = series.labels if keep_name else drop_name(series.labels)
                out.append(Sample(labels, value))
        return out

    return run


def _histogram_quantile(args: list[Any]) -> Evaluate:
    q_run = _expect(args[0], "scalar", "histogram_quantile")
    vector_run = _expect(args[1], "vector", "histogram_quantile")

    def run(store: SampleStore, t: int) -> Vector:
        q = float(q_run(store, t))
        groups: dict[Labels, tuple[Labels, list[tuple[float, float]]]] = {}
        for sample in vector_run(store, t):
            try:
                bound = float(label(sample.labels, "le"))
            except ValueError:
                continue
            key = without(sample.labels, frozenset({"le"}))
            if key not in groups:
                groups[key] = (without(key, frozenset({NAME})), [])
            groups[key][1].append((bound, sample.value))
        return [
            Sample(labels, functions.bucket_quantile(q, buckets))
            for labels, buckets in groups.values()
        ]

    return run


def _absent(node: Any) -> Evaluate:
    inner = _expect(node, "vector", "absent")
    labels: dict[str, str] = {}
    if isinstance(node, pp.VectorSelector):
        for m in node.matchers.matchers:
            if m.name == NAME:
                continue
            if m.op == pp.MatchOp.Equal and m.name not in labels:
                labels[m.name] = m.value
            else:
                labels.pop(m.name, None)
    result = tuple(sorted(labels.items()))

    def run(store: SampleStore, t: int) -> Vector:
        return [] if inner(store, t) else [Sample(result, 1.0)]

    return run


# aggregation -----------------------------------------------------------------------------

AGGREGATIONS = ("sum", "avg", "min", "max", "count")


def _aggregate(node: Any) -> Evaluate:
    op = str(node.op)
    if op not in AGGREGATIONS:
        raise Unsupported(f"aggregation {op} is not in the evaluated subset")
    inner = _expect(node.expr, "vector", op)
    group_labels = _grouping(node.modifier)

    def run(store: SampleStore, t: int) -> Vector:
        groups: dict[Labels, list[float]] = {}
        for sample in inner(store, t):
            groups.setdefault(group_labels(sample.labels), []).append(sample.value)
        return [Sample(labels, _reduce(op, values)) for labels, values in groups.items()]

    return run


def _grouping(modifier: Any) -> Callable[[Labels], Labels]:
    if modifier is None:
        return lambda _labels: ()
    names = frozenset(modifier.labels)
    if modifier.type == pp.AggModifierType.By:
        return lambda labels: keep_only(labels, names)
    dropped = names | {NAME}
    return lambda labels: without(labels, dropped)


def _reduce(op: str, values: list[float]) -> float:
    if op == "count":
        return float(len(values))
    if op == "sum":
        total = values[0]
        for value in values[1:]:
            total += value
        return total
    if op == "avg":
        return _incremental_mean(values)
    best = values[0]
    for value in values[1:]:
        if math.isnan(best) or (value > best if op == "max" else value < best):
            best = value
    return best


def _incremental_mean(values: list[float]) -> float:
    """Prometheus's `avg`: a running mean that cannot overflow where a sum would."""
    mean, count = values[0], 1.0
    for value in values[1:]:
        count += 1
        if math.isinf(mean):
            if math.isinf(value) and (mean > 0) == (value > 0):
                continue
            if not math.isinf(value) and not math.isnan(value):
                continue
        mean += value / count - mean / count
    return mean


# operators -------------------------------------------------------------------------------


def _negation(node: Any) -> tuple[str, Evaluate]:
    kind, inner = _compile(node.expr)
    if kind == "scalar":
        return kind, lambda store, t: -inner(store, t)

    def run(store: SampleStore, t: int) -> Vector:
        return [Sample(drop_name(s.labels), -s.value) for s in inner(store, t)]

    return kind, run


@dataclass(frozen=True)
class Matching:
    """How two vectors' samples pair up: `on` (names kept) or `ignoring` (names dropped)."""

    on: bool
    names: frozenset[str]

    def signature(self, labels: Labels) -> Labels:
        if self.on:
            return keep_only(labels, self.names)
        return without(labels, self.names | {NAME})


def _binary(node: Any) -> tuple[str, Evaluate]:
    op = str(node.op)
    modifier = node.modifier
    return_bool = bool(modifier and modifier.return_bool)
    left_kind, left = _compile(node.lhs)
    right_kind, right = _compile(node.rhs)
    if op in SET_OPERATORS:
        if "scalar" in (left_kind, right_kind):
            raise Unsupported(f"`{op}` needs vectors on both sides")
        return "vector", _set_operation(op, left, right, _matching(modifier))
    if op not in ARITHMETIC and op not in COMPARISON:
        raise Unsupported(f"operator {op} is not in the evaluated subset")
    if left_kind == "scalar" and right_kind == "scalar":
        return "scalar", _scalar_operation(op, left, right)
    if left_kind == "vector" and right_kind == "vector":
        if modifier is not None and modifier.card != pp.VectorMatchCardinality.OneToOne:
            raise Unsupported("group_left/group_right are not in the evaluated subset")
        return "vector", _vector_operation(op, left, right, _matching(modifier), return_bool)
    return "vector", _vector_scalar_operation(
        op, left, right, scalar_left=left_kind == "scalar", return_bool=return_bool
    )


def _matching(modifier: Any) -> Matching:
    if modifier is None or modifier.matching is None:
        return Matching(on=False, names=frozenset())
    matching = modifier.matching
    return Matching(
        on=matching.type == pp.LabelModifierType.Include, names=frozenset(matching.labels)
    )


def _scalar_operation(op: str, left: Evaluate, right: Evaluate) -> Evaluate:
    if op in ARITHMETIC:
        apply = ARITHMETIC[op]
        return lambda store, t: apply(left(store, t), right(store, t))
    compare = COMPARISON[op]
    return lambda store, t: 1.0 if compare(left(store, t), right(store, t)) else 0.0


def _vector_scalar_operation(
    op: str, left: Evaluate, right: Evaluate, *, scalar_left: bool, return_bool: bool
) -> Evaluate:
    arithmetic = op in ARITHMETIC

    def run(store: SampleStore, t: int) -> Vector:
        vector, scalar = (right(store, t), left(store, t)) if scalar_left else (
            left(store, t), right(store, t)
        )  # fmt: skip
        out = []
        for sample in vector:
            x, y = (scalar, sample.value) if scalar_left else (sample.value, scalar)
            if arithmetic:
                out.append(Sample(drop_name(sample.labels), ARITHMETIC[op](x, y)))
                continue
            keep = COMPARISON[op](x, y)
            if return_bool:
                out.append(Sample(drop_name(sample.labels), 1.0 if keep else 0.0))
            elif keep:
                out.append(sample)
        return out

    return run


def _vector_operation(
    op: str, left: Evaluate, right: Evaluate, matching: Matching, return_bool: bool
) -> Evaluate:
    arithmetic = op in ARITHMETIC

    def result_labels(labels: Labels) -> Labels:
        if arithmetic or return_bool:
            labels = drop_name(labels)
        if matching.on:
            return keep_only(labels, matching.names)
        return without(labels, matching.names)

    def run(store: SampleStore, t: int) -> Vector:
        right_by_signature: dict[Labels, Sample] = {}
        for sample in right(store, t):
            signature = matching.signature(sample.labels)
            if signature in right_by_signature:
                raise EvaluationError(
                    f"found duplicate series for the match group {dict(signature)} on the right "
                    "hand-side of the operation; many-to-many matching not allowed"
                )
            right_by_signature[signature] = sample
        out, matched = [], set()
        for sample in left(store, t):
            signature = matching.signature(sample.labels)
            other = right_by_signature.get(signature)
            if other is None:
                continue
            if arithmetic:
                value, keep = ARITHMETIC[op](sample.value, other.value), True
            else:
                value, keep = sample.value, COMPARISON[op](sample.value, other.value)
            if return_bool:
                value, keep = (1.0 if keep else 0.0), True
            if not keep:
                continue
            if signature in matched:
                raise EvaluationError(
                    "multiple matches for labels: many-to-one matching must be explicit"
                )
            matched.add(signature)
            out.append(Sample(result_labels(sample.labels), value))
        return out

    return run


def _set_operation(op: str, left: Evaluate, right: Evaluate, matching: Matching) -> Evaluate:
    def run(store: SampleStore, t: int) -> Vector:
        lhs: Vector = left(store, t)
        rhs: Vector = right(store, t)
        right_signatures = {matching.signature(s.labels) for s in rhs}
        if op == "and":
            return [s for s in lhs if matching.signature(s.labels) in right_signatures]
        if op == "unless":
            return [s for s in lhs if matching.signature(s.labels) not in right_signatures]
        left_signatures = {matching.signature(s.labels) for s in lhs}
        return lhs + [s for s in rhs if matching.signature(s.labels) not in left_signatures]

    return run
