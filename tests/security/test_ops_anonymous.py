"""Finding 2: anonymous callers cannot stall ops. The status page is built once per few seconds
in a fixed number of queries, and reads are limited per address; one intake call opens few
incidents; a loop of wrong intake tokens or bad ack links gets a late refusal, then 429."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.security.kit import at_once
from tests.security.ops_stack import LiveOps, live_ops
from tests.support.live import LivePair

HOLD = 0.3  # how late these tests' ops answers a refusal


@pytest.fixture
def strict_ops(tmp_path: Path, pair: LivePair) -> Iterator[LiveOps]:
    with live_ops(
        tmp_path, pair, status_cache_seconds=1.0, public_reads_per_minute=30,
        refused_per_minute=5, refused_answer_delay_seconds=HOLD,
    ) as running:  # fmt: skip
        yield running


def notification(groups: int, alerts: int) -> dict[str, Any]:
    """An Alertmanager notification of critical alerts spread over `groups` incident groups."""
    now = datetime.now(UTC).isoformat()
    return {
        "version": "4", "groupKey": "{}:{}", "status": "firing", "receiver": "ops",
        "alerts": [
            {"status": "firing", "startsAt": now,
             "labels": {"alertname": f"Attack{i}", "severity": "critical",
                        "incident_group": f"g{i % groups}"}}
            for i in range(alerts)
        ],
    }  # fmt: skip


def open_incidents(ops: LiveOps) -> int:
    return sum(i["status"] != "resolved" for i in ops.client.get("/api/status").json()["incidents"])


def test_2_one_intake_call_cannot_open_incidents_by_the_hundred(strict_ops: LiveOps) -> None:
    for groups, alerts in ((200, 200), (4, 4), (1, 101)):
        refused = strict_ops.client.post("/api/ops/alertmanager", headers=strict_ops.intake(),
                                         json=notification(groups, alerts))  # fmt: skip
        assert refused.status_code == 400, refused.text
        assert refused.json()["message"].startswith("alerts:")
    accepted = strict_ops.client.post(
        "/api/ops/alertmanager", headers=strict_ops.intake(), json=notification(3, 30)
    )
    assert accepted.status_code == 200, accepted.text
    time.sleep(1.2)  # the status page's cache
    assert open_incidents(strict_ops) <= 3


def test_2_the_status_page_costs_a_fixed_number_of_queries(strict_ops: LiveOps) -> None:
    for _ in range(4):  # 12 incidents
        strict_ops.client.post(
            "/api/ops/alertmanager", headers=strict_ops.intake(), json=notification(3, 3)
        ).raise_for_status()
    engine = strict_ops.app.state.ops.context.db.read_engine.sync_engine
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    time.sleep(1.2)
    event.listen(engine, "before_cursor_execute", count)
    try:
        statuses = at_once(strict_ops.url, [("GET", "/api/status", {})] * 25)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statuses == [200] * 25
    # One build for all 25 callers, in one query for the 12 incidents (room for one more
    # statement from ops' own loops meanwhile).
    assert len(statements) <= 2, statements


def test_2_status_reads_are_limited_per_address(strict_ops: LiveOps) -> None:
    statuses = [strict_ops.client.get("/api/status").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    started = time.monotonic()
    assert strict_ops.client.get("/status").status_code == 429
    assert time.monotonic() - started >= HOLD * 0.9


def refused_loop(ops: LiveOps, send: Any) -> list[tuple[int, float]]:
    """Six attempts in a row: each one's status and how long its answer took."""
    answers = []
    for _ in range(6):
        started = time.monotonic()
        answers.append((send().status_code, time.monotonic() - started))
    return answers


def test_2_wrong_intake_tokens_are_answered_late_then_limited(strict_ops: LiveOps) -> None:
    def send() -> httpx.Response:
        return strict_ops.client.post("/api/ops/alertmanager", json=notification(1, 1),
                                      headers={"Authorization": "Bearer guess"})  # fmt: skip

    answers = refused_loop(strict_ops, send)
    assert [status for status, _ in answers] == [401] * 5 + [429]
    assert all(took >= HOLD * 0.9 for _, took in answers)
    assert open_incidents(strict_ops) == 0


def test_2_bad_ack_links_are_answered_late_then_limited(strict_ops: LiveOps) -> None:
    def send() -> httpx.Response:
        answer = strict_ops.client.post("/api/ops/ack/bad.link")
        return (
            strict_ops.client.get("/api/ops/ack/bad.link") if answer.status_code == 405 else answer
        )

    answers = refused_loop(strict_ops, send)
    assert [status for status, _ in answers][5] == 429
    assert all(400 <= status < 500 for status, _ in answers)
    assert all(took >= HOLD * 0.9 for _, took in answers)
