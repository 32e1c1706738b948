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
from typing import Any

import promql_parser as pp

from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql import functions
from jwtpizza.ops.promql.aggregation import AGGREGATIONS, aggregate
from jwtpizza.ops.promql.operators import (
    matching,
    scalar_operation,
    set_operation,
    vector_operation,
    vector_scalar_operation,
)
from jwtpizza.ops.promql.plan import Evaluate, Plan, Unsupported
from jwtpizza.ops.promql.selectors import instant_selector, selector
from jwtpizza.ops.promql.values import (
    ARITHMETIC,
    COMPARISON,
    NAME,
    SET_OPERATORS,
    Labels,
    Sample,
    Vector,
    drop_name,
    label,
    without,
)


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
        return "vector", instant_selector(node)
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
    chosen = selector(matrix.vector_selector)
    range_ms = int(matrix.range.total_seconds() * 1000)
    reduce = functions.RANGE_FUNCTIONS.get(name)
    keep_name = name in functions.KEEPS_NAME

    def run(store: SampleStore, t: int) -> Vector:
        end = t - chosen.offset_ms
        start = end - range_ms
        q = float(q_run(store, t)) if q_run is not None else 0.0
        out = []
        for series in chosen.series(store):
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


def _aggregate(node: Any) -> Evaluate:
    op = str(node.op)
    if op not in AGGREGATIONS:
        raise Unsupported(f"aggregation {op} is not in the evaluated subset")
    return aggregate(op, _expect(node.expr, "vector", op), node.modifier)


# operators -------------------------------------------------------------------------------


def _negation(node: Any) -> tuple[str, Evaluate]:
    kind, inner = _compile(node.expr)
    if kind == "scalar":
        return kind, lambda store, t: -inner(store, t)

    def run(store: SampleStore, t: int) -> Vector:
        return [Sample(drop_name(s.labels), -s.value) for s in inner(store, t)]

    return kind, run


def _binary(node: Any) -> tuple[str, Evaluate]:
    op = str(node.op)
    modifier = node.modifier
    return_bool = bool(modifier and modifier.return_bool)
    left_kind, left = _compile(node.lhs)
    right_kind, right = _compile(node.rhs)
    if op in SET_OPERATORS:
        if "scalar" in (left_kind, right_kind):
            raise Unsupported(f"`{op}` needs vectors on both sides")
        return "vector", set_operation(op, left, right, matching(modifier))
    if op not in ARITHMETIC and op not in COMPARISON:
        raise Unsupported(f"operator {op} is not in the evaluated subset")
    if left_kind == "scalar" and right_kind == "scalar":
        return "scalar", scalar_operation(op, left, right)
    if left_kind == "vector" and right_kind == "vector":
        if modifier is not None and modifier.card != pp.VectorMatchCardinality.OneToOne:
            raise Unsupported("group_left/group_right are not in the evaluated subset")
        return "vector", vector_operation(op, left, right, matching(modifier), return_bool)
    return "vector", vector_scalar_operation(
        op, left, right, scalar_left=left_kind == "scalar", return_bool=return_bool
    )
