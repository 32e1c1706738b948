"""What a compiled PromQL expression is: a `Plan` of nested closures, and the two errors
compiling or evaluating one can raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql.values import Sample, Vector


class Unsupported(ValueError):
    """The expression does not parse, or uses PromQL outside the evaluated subset."""


class EvaluationError(RuntimeError):
    """The expression is valid but cannot be evaluated on this data (e.g. duplicate series
    on the 'one' side of a match), as Prometheus would report it."""


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
