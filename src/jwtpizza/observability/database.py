"""SQL statements, observed: a span per cursor execution, a sanitized `db` log event at debug
level, and a per-request summary (`sqlCount`, `sqlMs`) the request's `http` event carries.

Hooked on SQLAlchemy's `before_cursor_execute`/`after_cursor_execute`/`handle_error` events
of `engine.sync_engine`. SQLAlchemy's async greenlets share the task's context, so each
statement carries the request id and joins the request's trace.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from jwtpizza.observability.instrument import Observability

_KEY = "jwtpizza_observability"


class SqlSummary:
    """How many statements a request ran and their total time."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0


sql_summary_var: ContextVar[SqlSummary | None] = ContextVar("jwtpizza_sql", default=None)


def watch_engine(engine: AsyncEngine | Engine, *, obs: Observability) -> None:
    """Log and trace every statement this engine runs."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    system = sync_engine.dialect.name

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        span: trace.Span = trace.INVALID_SPAN
        if obs.tracing.enabled:
            span = obs.tracing.tracer.start_span(
                f"db {statement.split(None, 1)[0].upper() if statement else ''}",
                kind=SpanKind.CLIENT,
                attributes={"db.system": system, "db.statement": statement},
            )
        conn.info.setdefault(_KEY, []).append((time.perf_counter(), span))

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        started, span = _pop(conn)
        span.end()
        seconds = time.perf_counter() - started
        summary = sql_summary_var.get()
        if summary is not None:
            summary.count += 1
            summary.seconds += seconds
        if obs.log.wants("debug"):
            obs.log.event(
                "db",
                level="debug",
                sql=statement,
                params=obs.sanitizer.clean_sql_params(statement, parameters),
                rows=getattr(cursor, "rowcount", None),
                durationMs=round(seconds * 1000, 2),
            )

    def on_error(context: Any) -> None:
        conn = context.connection
        if conn is None or not conn.info.get(_KEY):
            return
        started, span = _pop(conn)
        span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
        span.end()
        obs.log.event(
            "db",
            level="error",
            sql=context.statement,
            params=obs.sanitizer.clean_sql_params(str(context.statement), context.parameters),
            error=repr(context.original_exception),
            durationMs=round((time.perf_counter() - started) * 1000, 2),
        )

    event.listen(sync_engine, "before_cursor_execute", before)
    event.listen(sync_engine, "after_cursor_execute", after)
    event.listen(sync_engine, "handle_error", on_error)


def _pop(conn: Any) -> tuple[float, trace.Span]:
    stack: list[tuple[float, trace.Span]] = conn.info.get(_KEY) or [
        (time.perf_counter(), trace.INVALID_SPAN)
    ]
    return stack.pop()
