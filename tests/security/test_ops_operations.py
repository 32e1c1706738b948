"""Findings 7 and 8 on operations: order stats are limited, a runbook run by hand answers at
once, the report CLI picks its own file name, and `chaos_active` drops when a fault ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from jwtpizza.cli.main import app as cli
from tests.security.kit import ADMIN, bearer, login
from tests.security.ops_stack import LiveOps
from tests.support.live import LivePair, free_port, serving


def test_7_order_stats_are_limited_per_admin(pair: LivePair) -> None:
    _, admin = login(pair.shop, ADMIN)
    statuses = [
        pair.shop.get("/api/order/stats", params={"from": "2020-01-01T00:00:00Z"},
                      headers=bearer(admin)).status_code
        for _ in range(35)
    ]  # fmt: skip
    assert statuses[:30] == [200] * 30
    assert statuses[30:] == [429] * 5


def test_8_a_runbook_run_by_hand_answers_at_once(pair: LivePair, ops: LiveOps) -> None:
    _, admin = login(pair.shop, ADMIN)
    made = ops.client.post("/api/ops/incidents", json={"title": "by hand"}, headers=bearer(admin))
    assert made.status_code == 201, made.text
    path = f"/api/ops/incidents/{made.json()['id']}/runbooks/FactoryChaosErrors"
    started = ops.client.post(path, headers=bearer(admin), timeout=5)
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    run = ops.client.get(location, headers=bearer(admin))
    assert run.status_code == 200 and run.json()["status"] in ("running", "finished")
    assert ops.client.get("/api/ops/runbook-runs/999", headers=bearer(admin)).status_code == 404


@pytest.fixture
def lying_ops() -> Iterator[str]:
    """A server that answers a report with a file name that climbs out of the folder."""
    app = FastAPI()

    @app.post("/api/ops/incidents/{n}/report")
    async def report(n: int) -> dict[str, object]:
        return {"incidentId": n, "fileName": "../../escaped.md", "markdown": "# hi",
                "status": "resolved"}  # fmt: skip

    with serving(app, free_port()) as url:
        yield url


def test_8_the_report_cli_writes_only_a_name_of_its_own(lying_ops: str, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    result = CliRunner().invoke(
        cli, ["incident", "report", "7", "--out", str(out), "--url", lying_ops, "--token", "t"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "incident-7.md").read_text() == "# hi"
    assert not (tmp_path / "escaped.md").exists()


def chaos_active(pair: LivePair) -> str:
    text = httpx.get(f"{pair.factory_url}/metrics").text
    return next(
        (line.rsplit(" ", 1)[1] for line in text.splitlines()
         if line.startswith("chaos_active{") and 'vendor="demo"' in line and 'type="fail"' in line),
        "absent",
    )  # fmt: skip


def test_8_chaos_active_drops_when_a_fault_ends_with_no_order(pair: LivePair) -> None:
    pair.start_chaos("fail", durationSeconds=1)  # ends by itself
    assert chaos_active(pair) == "1.0"
    time.sleep(1.8)
    assert chaos_active(pair) == "0.0"
    fault = pair.start_chaos("fail")  # ended by its report link
    assert chaos_active(pair) == "1.0"
    followed = httpx.get(
        f"{pair.factory_url}/api/support/{fault['token']}/report/{fault['fixCode']}"
    )
    assert followed.status_code == 200, followed.text
    assert chaos_active(pair) == "0.0"
