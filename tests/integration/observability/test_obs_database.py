"""SQL statements become sanitized `db` log events (at debug level) and spans inside the
request's trace; at info level a request logs only its summary."""

from pathlib import Path

from httpx import ASGITransport, AsyncClient
from opentelemetry.trace import SpanKind
from sqlalchemy import text

from jwtpizza.db import Database
from jwtpizza.observability.logging import request_id_var

from .support import make_app


async def test_statements_are_logged_with_params_and_traced(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'obs.db'}")
    _app, obs = make_app(log_level="debug")
    obs.watch_database(database)
    token = request_id_var.set("req-db")
    try:
        with obs.tracing.tracer.start_as_current_span("request"):
            async with database.writer() as session:
                await session.execute(text("CREATE TABLE user (email TEXT, password TEXT)"))
                await session.execute(
                    text("INSERT INTO user VALUES (:email, :password)"),
                    {"email": "a@jwt.com", "password": "$2b$10$" + "x" * 53},
                )
    finally:
        request_id_var.reset(token)
        await database.dispose()
    events = [r.fields for r in obs.store if r.fields["type"] == "db"]
    insert = next(e for e in events if e["sql"].startswith("INSERT"))
    assert insert["requestId"] == "req-db"
    assert "a@jwt.com" in str(insert["params"])
    assert "x" * 53 not in str(insert["params"])
    spans = obs.tracing.recent.spans()
    request = next(s for s in spans if s.name == "request")
    db_spans = [s for s in spans if s.kind == SpanKind.CLIENT]
    assert any(s.name == "db INSERT" for s in db_spans)
    assert all(s.context.trace_id == request.context.trace_id for s in db_spans)


async def test_at_info_level_statements_are_counted_on_the_request_not_logged(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'obs.db'}")
    app, obs = make_app()
    obs.watch_database(database)

    @app.get("/two-statements")
    async def two_statements() -> dict[str, str]:
        async with database.writer() as session:
            await session.execute(text("SELECT 1"))
            await session.execute(text("SELECT 2"))
        return {"ok": "yes"}

    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            assert (await client.get("/two-statements")).status_code == 200
    finally:
        await database.dispose()
    assert not [r for r in obs.store if r.fields["type"] == "db"]
    (event,) = [r.fields for r in obs.store if r.fields["type"] == "http"]
    assert event["sqlCount"] >= 2  # BEGIN IMMEDIATE on SQLite's writer is a statement too
    assert event["sqlMs"] > 0


async def test_plain_statements_are_traced_and_counted_like_any(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'obs.db'}")
    app, obs = make_app(log_level="debug")
    obs.watch_database(database)
    async with database.writer() as session:
        await session.execute(text("CREATE TABLE pizza (id INTEGER PRIMARY KEY, name TEXT)"))

    @app.post("/pizza")
    async def add_pizza() -> dict[str, int]:
        async with database.plain_writer() as write:
            await write.insert("INSERT INTO pizza (name) VALUES (?)", "margherita")
            made = await write.insert("INSERT INTO pizza (name) VALUES (?)", "veggie")
            await write.execute("UPDATE pizza SET name = ? WHERE id = ?", "pepperoni", made)
        (found,) = await database.read_plain("SELECT name FROM pizza WHERE id = ?", made)
        assert found == ("pepperoni",)
        await database.read_plain("SELECT count(*) FROM pizza", watched=False)  # not counted
        return {"id": made}

    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            assert (await client.post("/pizza")).status_code == 200
    finally:
        await database.dispose()
    (http,) = [r.fields for r in obs.store if r.fields["type"] == "http"]
    assert http["sqlCount"] == 4 and http["sqlMs"] > 0
    statements = [r.fields for r in obs.store if r.fields["type"] == "db"]
    assert [(e["sql"].split()[0], e["rows"]) for e in statements[-3:]] == [
        ("INSERT", 1),
        ("UPDATE", 1),
        ("SELECT", 1),
    ]
    assert all(e["requestId"] == http["requestId"] for e in statements[-4:])
    spans = obs.tracing.recent.spans()
    (server,) = [s for s in spans if s.kind == SpanKind.SERVER]
    db_spans = [s for s in spans if s.name in ("db INSERT", "db UPDATE", "db SELECT")]
    assert len(db_spans) == 4
    assert all(s.context.trace_id == server.context.trace_id for s in db_spans)
