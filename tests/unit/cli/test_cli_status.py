"""The `jwtpizza up` status panel: what it counts and how it reads."""

from __future__ import annotations

from rich.console import Console

from jwtpizza.cli.status import Snapshot, count_alerts, error_kind, render


def test_open_alerts_are_pending_or_firing_in_either_answer_shape() -> None:
    alerts = [{"state": "firing"}, {"state": "resolved"}, {"state": "pending"}, {"name": "x"}]
    assert count_alerts(alerts) == 3
    assert count_alerts({"alerts": alerts}) == 3
    assert count_alerts({"unexpected": True}) == 0
    assert count_alerts([*alerts, {"rule": "Watchdog", "state": "firing"}]) == 3  # always on


def test_error_kinds_are_5xx_answers_and_error_logs() -> None:
    http = {"type": "http", "method": "POST", "route": "/api/order", "status": 500}
    assert error_kind("service", http) == "service: POST /api/order -> 500"
    assert error_kind("service", {**http, "status": 404}) is None
    crash = {"type": "exception", "level": "error", "msg": "boom"}
    assert error_kind("factory", crash) == "factory: exception boom"
    call = {"type": "factory", "msg": "factory", "level": "error", "method": "POST", "status": 503,
            "url": "http://127.0.0.1:3000/api/order"}  # fmt: skip
    assert error_kind("service", call) == (
        "service: factory POST http://127.0.0.1:3000/api/order -> 503"
    )
    refused = {"type": "factory", "msg": "factory", "level": "error",
               "error": "ConnectError('refused')"}  # fmt: skip
    assert error_kind("service", refused) == "service: factory ConnectError('refused')"


def test_the_panel_shows_every_reading() -> None:
    snapshot = Snapshot(
        requests_per_second=12.5, orders={"fulfilled": 7, "queued": 2, "rejected": 1},
        breaker="open", chaos=["fail (demo)"], open_alerts=None,
        first_errors=["2026-01-02T10:00:00 service: POST /api/order -> 500"],
    )  # fmt: skip
    console = Console(width=120, record=True)
    console.print(render(snapshot))
    text = console.export_text()
    for expected in ("12.5", "7 made, 2 queued, 1 failed", "breaker open, chaos: fail (demo)",
                     "ops not answering", "POST /api/order -> 500"):  # fmt: skip
        assert expected in text, text
