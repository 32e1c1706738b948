"""Structured JSON logs: one `EventLogger` per component, so several apps can log side by
side in one process.

Every event carries `time`, `level`, `type`, `component`, and the `requestId` and `traceId`
of the request it belongs to. Types used by the library: `http`, `db`, `factory`,
`exception`; components add free ones (`breaker`, `queue`, `chaos`, ...). Every event goes
through the one sanitizer before it is stored, printed or shipped.

Logging stays off the request path: `event()` only records the raw fields with their stamp,
and a writer running after the current request step (`loop.call_soon`) sanitizes them and
hands them to the store and the sinks in a batch. Anything that reads the store first writes
what is pending, so a read never misses an event logged before it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from opentelemetry import trace

from jwtpizza.clock import Clock, SystemClock, json_time
from jwtpizza.observability.log_store import LogStore
from jwtpizza.observability.sanitize import Sanitizer

request_id_var: ContextVar[str | None] = ContextVar("jwtpizza_request_id", default=None)

Sink = Callable[[dict[str, Any]], None]
_LEVEL_NUMBERS = {"debug": 10, "info": 20, "warn": 30, "warning": 30, "error": 40, "off": 100}
_LEVEL_NAMES = {"warning": "warn", "critical": "error"}


def current_trace_id() -> str | None:
    """The 32-hex trace id of the active span, if any."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


_Pending = tuple[datetime, str, str, str, str | None, str | None, dict[str, Any]]


class EventLogger:
    """`log.event("factory", level="warn", status=500, resBody=...)`, sanitized and stored."""

    def __init__(
        self,
        *,
        component: str,
        store: LogStore,
        sanitizer: Sanitizer,
        level: str = "info",
        clock: Clock | None = None,
        stdout: bool = False,
    ) -> None:
        self.component = component
        self.store = store
        self.sanitizer = sanitizer
        self.min_level = _LEVEL_NUMBERS.get(level.lower(), 20)
        self.enabled = self.min_level < 100
        self._clock = clock or SystemClock()
        self._sinks: list[Sink] = []
        if stdout:
            self._sinks.append(self._print)
        self._pending: list[_Pending] = []
        store.before_read = self.flush

    def add_sink(self, sink: Sink) -> None:
        """Also send every finished event here (Loki, tests)."""
        self._sinks.append(sink)

    def wants(self, level: str) -> bool:
        """Whether an event at `level` would be kept (so callers can skip building it)."""
        return _LEVEL_NUMBERS.get(level, 20) >= self.min_level

    def event(self, type_: str, message: str = "", *, level: str = "info", **fields: Any) -> None:
        if not self.wants(level):
            return
        level = _LEVEL_NAMES.get(level, level)
        pending = (
            self._clock.now(),
            level,
            type_,
            message or type_,
            request_id_var.get(),
            current_trace_id(),
            fields,
        )
        self._pending.append(pending)
        if len(self._pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop (CLI, sync tests): write at once
                self.flush()

    def http(self, *, status: int, **fields: Any) -> None:
        level = "error" if status >= 500 else "warn" if status >= 400 else "info"
        self.event("http", level=level, status=status, **fields)

    def exception(self, message: str, error: BaseException, **fields: Any) -> None:
        stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.event("exception", message, level="error", error=repr(error), stack=stack, **fields)

    def flush(self) -> None:
        """Sanitize and write every pending event."""
        pending, self._pending = self._pending, []
        for at, level, type_, message, request_id, trace_id, fields in pending:
            # The stamp's own fields are made here, never from input: they skip the sanitizer
            # (a fresh timestamp would otherwise miss its cache and run every pattern each time).
            event = {
                "time": json_time(at),
                "level": level,
                "type": type_,
                "component": self.component,
                "traceId": trace_id,
                **self.sanitizer.clean({"requestId": request_id, "msg": message, **fields}),
            }
            self.store.add(at, event)
            for sink in self._sinks:
                sink(event)

    def _print(self, event: dict[str, Any]) -> None:
        sys.stdout.write(self.store_line(event) + "\n")

    @staticmethod
    def store_line(event: dict[str, Any]) -> str:
        return json.dumps(event, default=str, separators=(",", ":"))
