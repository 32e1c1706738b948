"""Alerting cost: scrape ingestion and rule evaluation per series, and samples held, for the
default rules at 1, 10 and 100 scraped targets' worth of series; evaluation with and without
the SLO rules (deploy/prometheus/rules/slo.yml), and the memory of 30 days of thinned history.

    .venv/bin/python bench/alerting.py [--targets 1 10 100] [--rounds 40]

Each target exposes what a busy pizza service exposes (routes x statuses, latency
histograms, factory outcomes by reason, resilience gauges), built with the service's own
`Metrics`. Rounds are 15 s apart on a virtual clock, so after 20 rounds every 5-minute
window is full; figures are per round (one scrape of every target, one evaluation of every
rule). The history's bytes per series per day are measured with tracemalloc on series
filled for 30 days at the default resolution, then multiplied by the number of series that
keep history (those the rules read over ranges longer than the raw 15 minutes).
The baseline in the same run is the cost of parsing the exposition alone with
prometheus_client's parser, which ingestion builds on.

`--detection` also measures detection latency per chaos type on real processes (the
stack and traffic of tests/e2e/ops/alerts/test_alert_detection.py: one factory, one service per
chaos type, ops in the game-day profile): firing time minus the fault's start in the factory's
event feed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from jwtpizza.observability.metrics import FactoryReason, Metrics
from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.monitor.scrape import ExpositionReader
from jwtpizza.ops.monitor.store import Downsampling, SampleStore
from jwtpizza.ops.rules.loader import load_files
from jwtpizza.ops.rules.service import RuleManager
from jwtpizza.ops.settings import ScrapeTarget, default_rule_files

ROUTES = [
    ("GET", "/api/order/menu"), ("GET", "/api/order"), ("POST", "/api/order"),
    ("PUT", "/api/auth"), ("DELETE", "/api/auth"), ("GET", "/api/user/me"),
    ("GET", "/api/franchise"), ("POST", "/api/franchise/{franchise_id}/store"),
]  # fmt: skip


def busy_service(round_: int) -> str:
    """The exposition of a service after `round_` rounds of traffic."""
    metrics = Metrics()
    for method, route in ROUTES:
        for status in (200, 404, 500):
            for _ in range(1 + round_ % 3):
                metrics.http_request(method, route, status, 0.02 * (1 + round_ % 5))
    for reason in FactoryReason:
        metrics.factory_call(reason, 0.05)
    metrics.breaker_state("factory", "closed")
    metrics.queue("orders", depth=0, oldest_age_seconds=0)
    metrics.integrity({"lost_orders": 0, "orphan_stores": 0})
    return metrics.exposition().decode()


def history_bytes_per_series_day(series: int = 20, days: int = 30) -> float:
    """Bytes the thinned history holds per series per day, measured."""
    step = Downsampling().resolution_ms
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store = SampleStore(retention_ms=0, max_samples_per_series=400, downsampling=Downsampling())
    store.keep_history_of(lambda labels: True)
    keys = [(("__name__", "x_total"), ("i", str(i))) for i in range(series)]
    for t in range(0, days * 86_400_000, step):
        for key in keys:
            store.add(key, t, float(t))
        store.trim(t + 1)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / series / days


def run(targets: int, rounds: int, *, slo: bool = True) -> dict[str, float]:
    store = SampleStore(
        retention_ms=15 * 60 * 1000, max_samples_per_series=400, downsampling=Downsampling()
    )
    manager = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=15)
    files = [f for f in default_rule_files() if slo or not f.endswith("slo.yml")]
    manager.install(load_files(files))
    jobs = [
        ScrapeTarget(job=f"svc-{i}", url=f"http://10.0.0.{i}:3000/metrics") for i in range(targets)
    ]
    readers = [ExpositionReader(target) for target in jobs]
    texts = [busy_service(r) for r in range(4)]
    parse_only = ingest = evaluate = 0.0
    for r in range(rounds):
        t = r * 15_000
        text = texts[r % len(texts)]
        started = time.perf_counter()
        for _ in jobs:
            sum(1 for family in text_string_to_metric_families(text) for _ in family.samples)
        parse_only += time.perf_counter() - started
        started = time.perf_counter()
        for reader in readers:
            for key, value in reader.samples(text):
                store.add(key, t, value)
        store.trim(t)
        ingest += time.perf_counter() - started
        started = time.perf_counter()
        for group in manager.groups:
            manager.step(group, t)
        evaluate += time.perf_counter() - started
    series = store.series_count()
    return {
        "targets": targets,
        "series": series,
        "samples": store.sample_count(),
        "history_series": sum(1 for s in store.select(None) if store.keeps_history(s.labels)),
        "parse_ms": parse_only / rounds * 1000,
        "ingest_ms": ingest / rounds * 1000,
        "eval_ms": evaluate / rounds * 1000,
        "eval_us_per_series": evaluate / rounds / series * 1e6,
        "ingest_us_per_series": ingest / rounds / series * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--detection", action="store_true", help="also run the real stack")
    args = parser.parse_args()
    rules = sum(len(g.rules) for g in load_files(default_rule_files()))
    per_day = history_bytes_per_series_day()
    print(f"{rules} default rules, {args.rounds} rounds 15 s apart (virtual clock)")
    print(f"thinned history: {per_day / 1024:.1f} KiB per series per day (5-minute resolution)\n")
    header = (
        "| targets | series | samples held | parse only ms/round | ingest ms/round "
        "| eval ms/round | eval ms/round without SLO rules | eval µs/series | ingest µs/series "
        "| series with history | 30-day history MiB |"
    )
    print(header)
    print("|" + "---|" * 11)
    for targets in args.targets:
        r = run(targets, args.rounds)
        without = run(targets, args.rounds, slo=False)
        history = r["history_series"] * per_day * 30 / 2**20
        print(
            f"| {targets} | {r['series']:.0f} | {r['samples']:.0f} | {r['parse_ms']:.1f} "
            f"| {r['ingest_ms']:.1f} | {r['eval_ms']:.1f} | {without['eval_ms']:.1f} "
            f"| {r['eval_us_per_series']:.2f} | {r['ingest_us_per_series']:.2f} "
            f"| {r['history_series']:.0f} | {history:.1f} |"
        )
    if args.detection:
        detection()


def detection() -> None:
    """Every chaos type at once on real processes; seconds from fault start to firing."""
    # The stack and traffic are the end-to-end test's own, imported from the checkout.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.e2e.ops.alerts.test_alert_detection import (
        EXPECTED,
        WARM_UP_SECONDS,
        wait_for_detections,
        wait_until_quiet,
    )
    from tests.support.alerting import Mix, Traffic, alerting_stack

    with tempfile.TemporaryDirectory() as folder:
        lanes = [name.replace("-", "_") for name in EXPECTED]
        with alerting_stack(Path(folder), lanes) as stack:
            mix = Mix(menu=1.0, order=1.0, bad_login=5.0)
            traffic = [Traffic(lane.url, mix).start() for lane in stack.lanes.values()]
            try:
                time.sleep(WARM_UP_SECONDS)
                wait_until_quiet(stack)
                for chaos_type, (_alert, params) in EXPECTED.items():
                    lane = stack.lanes[chaos_type.replace("-", "_")]
                    stack.start_chaos(lane, chaos_type, **params)
                seconds = wait_for_detections(stack)
            finally:
                for loop in traffic:
                    loop.stop()
    print("\n| chaos type | alert | detection s (game day: 5 s scrape/eval, for <= 5 s) |")
    print("|---|---|---|")
    for chaos_type, value in seconds.items():
        shown = "not detected" if value is None else f"{value:.1f}"
        print(f"| {chaos_type} | {EXPECTED[chaos_type][0]} | {shown} |")


if __name__ == "__main__":
    main()
