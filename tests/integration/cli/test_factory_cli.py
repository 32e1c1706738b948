"""`jwtpizza chaos ...` and `jwtpizza factory rotate-key` against a real factory database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jwtpizza.cli.main import app
from jwtpizza.db import Database
from jwtpizza.factory import control
from jwtpizza.factory.chaos.service import events
from jwtpizza.factory.demo import ensure_demo_vendor
from jwtpizza.factory.settings import FactorySettings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FactorySettings:
    # The CLI reads its settings from the environment, as in production.
    monkeypatch.setenv("JWTPIZZA_FACTORY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'f.db'}")
    monkeypatch.setenv("JWTPIZZA_FACTORY_PUBLIC_BASE_URL", "http://factory.test")
    settings = FactorySettings()
    asyncio.run(ensure_demo_vendor(settings))
    return settings


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_chaos_start_status_stop(env: FactorySettings) -> None:
    out = run("chaos", "start", "fail", "--now", "--show-fix")
    assert "chaos fail for demo" in out and "http://factory.test/api/support/" in out
    assert "active" in run("chaos", "status", "--vendor", "demo")
    assert "chaos stopped" in run("chaos", "stop")
    assert "No chaos currently executing" in run("chaos", "stop")


def test_chaos_start_schedules(env: FactorySettings) -> None:
    run("chaos", "start", "flaky", "--within", "5m", "--percent", "20")
    run(
        "chaos",
        "start",
        "outage",
        "--at",
        "2030-01-01T08:00:00-07:00",
        "--duration",
        "12m",
        "--mode",
        "reset",
    )
    run("chaos", "start", "throttle", "--window", "2030-01-01T08:00:00Z/2030-01-01T09:00:00Z")
    run("chaos", "start", "badjwt")  # default: tomorrow's window
    rows = asyncio.run(control.chaos_status(env, vendor_id="demo"))
    assert rows[0]["type"] == "badjwt" and rows[0]["state"] == "scheduled"


def test_chaos_rejects_bad_input(env: FactorySettings) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["chaos", "start", "meteor"]).exit_code != 0
    assert runner.invoke(app, ["chaos", "start", "fail", "--now", "--within", "5m"]).exit_code != 0
    assert (
        runner.invoke(app, ["chaos", "start", "fail", "--vendor", "ghost", "--now"]).exit_code == 1
    )


def test_scoreboard_and_rotate_key(env: FactorySettings) -> None:
    run("chaos", "start", "fail", "--now")
    assert "demo" in run("chaos", "scoreboard")
    first = asyncio.run(control.rotate_key(env))
    assert "new signing key" in run("factory", "rotate-key")
    assert first not in run("factory", "rotate-key")


def test_an_announced_chaos_is_marked_announced_on_the_chaos_feed(env: FactorySettings) -> None:
    out = run("chaos", "start", "fail", "--now", "--announce")
    assert "(announced)" in out

    async def feed() -> list[tuple[str, bool]]:
        db = Database(env.database_url, pooled=False)
        try:
            async with db.reader() as session:
                found = await events(
                    session=session, now=datetime.now(UTC), vendor_id="demo", since=None
                )
        finally:
            await db.dispose()
        return [(e.event, e.announced) for e in found]

    assert asyncio.run(feed()) == [("initiated", True), ("started", True)]
    run("chaos", "start", "fail", "--now")  # replaces it, unannounced
    assert [a for e, a in asyncio.run(feed()) if e == "started"] == [True, False]
