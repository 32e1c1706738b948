"""Binary operators between compiled operands: arithmetic and comparisons (with `bool`)
between scalars and vectors with one-to-one `on`/`ignoring` matching, and the set
operators `and`, `or`, `unless`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import promql_parser as pp

from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql.plan import Evaluate, EvaluationError
from jwtpizza.ops.promql.values import (
    ARITHMETIC,
    COMPARISON,
    NAME,
    Labels,
    Sample,
    Vector,
    drop_name,
    keep_only,
    without,
)


@dataclass(frozen=True)
class Matching:
    """How two vectors' samples pair up: `on` (names kept) or `ignoring` (names dropped)."""

    on: bool
    names: frozenset[str]

    def signature(self, labels: Labels) -> Labels:
        if self.on:
            return keep_only(labels, self.names)
        return without(labels, self.names | {NAME})


def matching(modifier: Any) -> Matching:
    if modifier is None or modifier.matching is None:
        return Matching(on=False, names=frozenset())
    matching = modifier.matching
    return Matching(
        on=matching.type == pp.LabelModifierType.Include, names=frozenset(matching.labels)
    )


def scalar_operation(op: str, left: Evaluate, right: Evaluate) -> Evaluate:
    if op in ARITHMETIC:
        apply = ARITHMETIC[op]
        return lambda store, t: apply(left(store, t), right(store, t))
    compare = COMPARISON[op]
    return lambda store, t: 1.0 if compare(left(store, t), right(store, t)) else 0.0


def vector_scalar_operation(
    op: str, left: Evaluate, right: Evaluate, *, scalar_left: bool, return_bool: bool
) -> Evaluate:
    arithmetic = op in ARITHMETIC

    def run(store: SampleStore, t: int) -> Vector:
        vector, scalar = (
            (right(store, t), left(store, t)) if scalar_left else (left(store, t), right(store, t))
        )
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


def vector_operation(
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


def set_operation(op: str, left: Evaluate, right: Evaluate, matching: Matching) -> Evaluate:
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
