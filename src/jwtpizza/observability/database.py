"""SQL statements, observed: a span per cursor execution, a sanitized `db` log event at debug
level, and a per-request summary (`sqlCount`, `sqlMs`) the request's `http` event carries.

Hooked on SQLAlchemy's `before_cursor_execute`/`after_cursor_execute`/`handle_error` events
of `engine.sync_engine`, and told directly of the statements a `PlainWrite` sends past
SQLAlchemy. SQLAlchemy's async greenlets share the task's context, so each statement carries
the request id and joins the request's trace.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from jwtpizza.observability.logging import EventLogger
from jwtpizza.observability.sanitize import Sanitizer
from jwtpizza.observability.tracing import Tracing

_KEY = "jwtpizza_observability"


class SqlSummary:
    """How many statements a request ran and their total time."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0


sql_summary_var: ContextVar[SqlSummary | None] = ContextVar("jwtpizza_sql", default=None)


class StatementLog:
    """What is done for each statement: a span, the request's summary, a debug `db` event
    (and an error event for a failure). A `StatementWatch` for plain writes; `watch_engine`
    feeds it SQLAlchemy's cursor events."""

    def __init__(
        self, *, tracing: Tracing, log: EventLogger, sanitizer: Sanitizer, system: str
    ) -> None:
        self._tracing, self._log, self._sanitizer = tracing, log, sanitizer
        self._system = system

    def started(self, statement: str) -> tuple[float, trace.Span]:
        span: trace.Span = trace.INVALID_SPAN
        if self._tracing.enabled:
            span = self._tracing.spans.start(
                f"db {statement.split(None, 1)[0].upper() if statement else ''}",
                kind=SpanKind.CLIENT,
                attributes={"db.system": self._system, "db.statement": statement},
            )
        return time.perf_counter(), span

    def ended(
        self,
        token: tuple[float, trace.Span],
        statement: str,
        parameters: Any,
        *,
        rows: int | None,
        error: BaseException | None = None,
    ) -> None:
        started, span = token
        seconds = time.perf_counter() - started
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            span.end()
            self._log.event(
                "db",
                level="error",
                sql=statement,
                params=self._sanitizer.clean_sql_params(statement, parameters),
                error=repr(error),
                durationMs=round(seconds * 1000, 2),
            )
            return
        span.end()
        summary = sql_summary_var.get()
        if summary is not None:
            summary.count += 1
            summary.seconds += seconds
        if self._log.wants("debug"):
            self._log.event(
                "db",
                level="debug",
                sql=statement,
                params=self._sanitizer.clean_sql_params(statement, parameters),
                rows=rows,
                durationMs=round(seconds * 1000, 2),
            )


def watch_engine(engine: AsyncEngine | Engine, *, log: StatementLog) -> None:
    """Log and trace every statement this engine runs."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        conn.info.setdefault(_KEY, []).append(log.started(statement))

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        log.ended(_pop(conn), statement, parameters, rows=getattr(cursor, "rowcount", None))

    def on_error(context: Any) -> None:
        conn = context.connection
        if conn is None or not conn.info.get(_KEY):
            return
        log.ended(
            _pop(conn),
            str(context.statement),
            context.parameters,
            rows=None,
            error=context.original_exception,
        )

    event.listen(sync_engine, "before_cursor_execute", before)
    event.listen(sync_engine, "after_cursor_execute", after)
    event.listen(sync_engine, "handle_error", on_error)


def _pop(conn: Any) -> tuple[float, trace.Span]:
    stack: list[tuple[float, trace.Span]] = conn.info.get(_KEY) or [
        (time.perf_counter(), trace.INVALID_SPAN)
    ]
    return stack.pop()
