"""SQL statements become sanitized `db` log events and spans inside the request's trace."""

from pathlib import Path

from opentelemetry.trace import SpanKind
from sqlalchemy import text

from jwtpizza.db import Database
from jwtpizza.observability.logging import request_id_var

from .support import make_app


async def test_statements_are_logged_with_params_and_traced(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'obs.db'}")
    _app, obs = make_app()
    obs.watch_database(database.write_engine)
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
