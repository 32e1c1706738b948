"""A database outage is a 503 with one log line per episode, not a 500 and a traceback per
request; other errors stay 500s with their traceback."""

from __future__ import annotations

import logging
import sqlite3

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from jwtpizza import db_outage
from jwtpizza.http.errors import install_error_handlers


def app_failing_with(exc: Exception, *, raise_app_exceptions: bool = False) -> httpx.AsyncClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/orders")
    async def orders() -> None:
        raise exc

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://service")


async def test_an_outage_is_a_503_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    db_outage.outages = db_outage.OutageLog()
    client = app_failing_with(
        OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "refused"))
    )
    with caplog.at_level(logging.INFO):
        answers = [await client.get("/orders") for _ in range(20)]
    assert {answer.status_code for answer in answers} == {503}
    assert answers[0].json() == {"message": db_outage.MESSAGE}
    assert answers[0].headers["Retry-After"] == "5"
    ours = [record for record in caplog.records if record.name.startswith("jwtpizza")]
    assert [record.name for record in ours] == ["jwtpizza.database"]
    assert ours[0].exc_info is None


async def test_a_bug_stays_a_500_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    client = app_failing_with(ValueError("a bug"))
    with caplog.at_level(logging.INFO):
        assert (await client.get("/orders")).status_code == 500
    ours = [record for record in caplog.records if record.name.startswith("jwtpizza")]
    assert ours[-1].exc_info is not None


def test_a_new_episode_logs_again_with_the_count(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    outages = db_outage.OutageLog(clock=lambda: now[0])
    with caplog.at_level(logging.INFO):
        for step in range(5):
            now[0] = step * 1.0
            outages.record(ConnectionRefusedError("refused"))
        now[0] = 4.0 + db_outage.EPISODE_GAP_SECONDS + 1
        outages.record(ConnectionRefusedError("refused"))
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "previous one refused 5" in messages[1]


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.OperationalError("database or disk is full"),  # a plain write's own driver
        OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error")),
        ConnectionResetError(104, "reset by peer"),
    ],
    ids=["driver", "sqlalchemy", "connection"],
)
async def test_an_outage_is_answered_before_the_server_sees_an_exception(exc: Exception) -> None:
    """Starlette re-raises what reaches its handler for `Exception` (uvicorn then logs a
    traceback per request); an outage is handled before that."""
    db_outage.outages = db_outage.OutageLog()
    client = app_failing_with(exc, raise_app_exceptions=True)
    assert (await client.get("/orders")).status_code == 503
