"""A range query: one expression evaluated at each step of a range of the in-memory window."""

from __future__ import annotations

import math
from typing import Any

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql.engine import compile_expr
from jwtpizza.ops.promql.plan import EvaluationError, Unsupported

MAX_POINTS = 2000


def query_range(
    store: SampleStore, text: str, *, start_ms: int, end_ms: int, step_ms: int
) -> list[dict[str, Any]]:
    """Each result series with its labels and `[t_seconds, value]` points (NaN as null)."""
    if step_ms <= 0 or end_ms < start_ms:
        raise InvalidInput("the range needs start <= end and a positive step")
    if (end_ms - start_ms) // step_ms + 1 > MAX_POINTS:
        raise InvalidInput(f"the range has more than {MAX_POINTS} steps; widen the step")
    try:
        plan = compile_expr(text)
    except Unsupported as error:
        raise InvalidInput(f"query not supported: {error}") from error
    found: dict[tuple[tuple[str, str], ...], list[list[float | None]]] = {}
    try:
        for t in range(start_ms, end_ms + 1, step_ms):
            for sample in plan.vector(store, t):
                value = sample.value if math.isfinite(sample.value) else None
                found.setdefault(sample.labels, []).append([t / 1000, value])
    except EvaluationError as error:
        raise InvalidInput(f"query failed: {error}") from error
    return [{"labels": dict(labels), "points": points} for labels, points in found.items()]
