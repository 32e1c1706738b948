"""Our cached exposition reader yields exactly what prometheus_client's parser yields, on a
real component's exposition with braces, quotes, backslashes and newlines in label values."""

from __future__ import annotations

import math

import pytest
from prometheus_client import Counter
from prometheus_client.parser import text_string_to_metric_families

from jwtpizza.observability.metrics import Metrics
from jwtpizza.ops.monitor.scrape import ExpositionReader, ScrapeFailed, with_target_labels
from jwtpizza.ops.settings import ScrapeTarget

TARGET = ScrapeTarget(job="svc", url="http://svc:3000/metrics", labels={"component": "service"})


def exposition() -> str:
    metrics = Metrics()
    metrics.http_request("POST", "/api/franchise/{franchise_id}/store", 201, 0.03)
    metrics.http_request("GET", "/api/order/menu", 200, 0.002)
    odd = Counter("odd", "odd labels", ("text", "job"), registry=metrics.registry)
    odd.labels('say "hi"\\ then\nbye }{,=', "exported-job").inc(2)
    return metrics.exposition().decode()


def test_the_reader_agrees_with_prometheus_client() -> None:
    text = exposition()
    expected = {
        with_target_labels({"__name__": s.name, **s.labels}, TARGET): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    reader = ExpositionReader(TARGET)
    for _ in range(2):  # the second read comes from the cache
        got = dict(reader.samples(text))
        assert got.keys() == expected.keys()
        for key, value in expected.items():
            assert got[key] == value or (math.isnan(got[key]) and math.isnan(value))
    odd = [dict(k) for k in got if dict(k)["__name__"] == "odd_total"]
    assert odd == [
        {
            "__name__": "odd_total",
            "text": 'say "hi"\\ then\nbye }{,=',
            "job": "svc",
            "exported_job": "exported-job",
            "instance": "svc:3000",
            "component": "service",
        }
    ]


@pytest.mark.parametrize("line", ["not a metric line", 'x{a="1" 1', "x{a=1} 1", "x 1.2.3"])
def test_garbage_fails_the_scrape(line: str) -> None:
    with pytest.raises(ScrapeFailed):
        ExpositionReader(TARGET).samples(f"# TYPE x counter\n{line}\n")
