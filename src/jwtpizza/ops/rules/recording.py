"""One recording rule, evaluated as Prometheus's `RecordingRule.Eval` and group loop do it.

At each evaluation time `ts` the expression's result is written back to the store at `ts`
as the series named by `record`, with the rule's labels set on each sample (a label whose
value is empty is removed). Rules later in the same group, and alerting rules, see the new
samples at once. A series the rule wrote last time but not this time gets a stale marker;
a failed evaluation writes nothing and marks nothing stale.
"""

from __future__ import annotations

from jwtpizza.ops.monitor.store import SampleStore, labels_of
from jwtpizza.ops.promql.values import NAME, Labels, Sample
from jwtpizza.ops.rules.loader import RecordRuleSpec


class DuplicateSeries(RuntimeError):
    """Two result samples map to one series once the rule's labels are applied."""


class RecordingRule:
    def __init__(self, spec: RecordRuleSpec) -> None:
        self.spec = spec
        self.last_error: str | None = None
        self.last_evaluation_ms: int | None = None
        self.last_duration_seconds: float = 0.0
        self.written: set[Labels] = set()

    def relabel(self, result: list[Sample]) -> list[tuple[Labels, float]]:
        """The result's samples under their recorded names and labels."""
        out: dict[Labels, float] = {}
        for sample in result:
            builder = {**dict(sample.labels), **self.spec.labels, NAME: self.spec.name}
            labels = labels_of(builder)
            if labels in out:
                raise DuplicateSeries(
                    "vector contains metrics with the same labelset after applying rule labels"
                )
            out[labels] = sample.value
        return list(out.items())

    def record(self, store: SampleStore, ts: int, result: list[Sample]) -> None:
        """Write one evaluation's result at `ts`; stale-mark the series that vanished."""
        samples = self.relabel(result)
        for labels, value in samples:
            store.add(labels, ts, value)
        written = {labels for labels, _ in samples}
        store.mark_stale(self.written - written, ts)
        self.written = written
