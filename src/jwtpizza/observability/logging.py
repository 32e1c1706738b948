"""Structured JSON logs: one `EventLogger` per component, built on structlog without touching
its global configuration, so several apps can log side by side in one process.

Every event carries `time`, `level`, `type`, `component`, and the `requestId` and `traceId`
of the request it belongs to. Types used by the library: `http`, `db`, `factory`,
`exception`; components add free ones (`breaker`, `queue`, `chaos`, ...). Every event goes
through the one sanitizer before it is stored, printed or shipped.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from opentelemetry import trace

from jwtpizza.clock import Clock, SystemClock, json_time
from jwtpizza.observability.log_store import LogStore
from jwtpizza.observability.sanitize import Sanitizer

request_id_var: ContextVar[str | None] = ContextVar("jwtpizza_request_id", default=None)

Sink = Callable[[dict[str, Any]], None]
_STAMPED = ("time", "level", "type", "component", "traceId")
_LEVEL_NUMBERS = {"debug": 10, "info": 20, "warn": 30, "warning": 30, "error": 40, "off": 100}


def current_trace_id() -> str | None:
    """The 32-hex trace id of the active span, if any."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


class _Dispatch:
    """structlog's final "logger": hands the finished event dict to every sink."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = sinks

    def _emit(self, **event: Any) -> None:
        for sink in self.sinks:
            sink(event)

    debug = info = warning = error = critical = msg = _emit


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
        self.enabled = _LEVEL_NUMBERS.get(level.lower(), 20) < 100
        self._clock = clock or SystemClock()
        self._dispatch = _Dispatch([self._store])
        if stdout:
            self._dispatch.sinks.append(self._print)
        self._log = structlog.wrap_logger(
            self._dispatch,
            processors=[self._stamp, self._clean],
            wrapper_class=structlog.make_filtering_bound_logger(
                min(_LEVEL_NUMBERS.get(level.lower(), 20), 50)
            ),
            context_class=dict,
            cache_logger_on_first_use=False,
        )

    def add_sink(self, sink: Sink) -> None:
        """Also send every finished event here (Loki, tests)."""
        self._dispatch.sinks.append(sink)

    def event(self, type_: str, message: str = "", *, level: str = "info", **fields: Any) -> None:
        if not self.enabled:
            return
        method = {"warn": "warning"}.get(level, level)
        getattr(self._log, method)(message or type_, type=type_, **fields)

    def http(self, *, status: int, **fields: Any) -> None:
        level = "error" if status >= 500 else "warn" if status >= 400 else "info"
        self.event("http", level=level, status=status, **fields)

    def exception(self, message: str, error: BaseException, **fields: Any) -> None:
        stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.event("exception", message, level="error", error=repr(error), stack=stack, **fields)

    def _stamp(self, _logger: Any, method: str, event: MutableMapping[str, Any]) -> Any:
        level = {"warning": "warn", "critical": "error"}.get(method, method)
        return {
            "time": json_time(self._clock.now()),
            "level": level,
            "type": event.pop("type", "app"),
            "component": self.component,
            "requestId": request_id_var.get(),
            "traceId": current_trace_id(),
            "msg": event.pop("event", ""),
            **event,
        }

    def _clean(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
        # The stamp's own fields are made here, never from input: they skip the sanitizer
        # (a fresh timestamp would otherwise miss its cache and run every pattern each time).
        fields = dict(event)
        stamp = {key: fields.pop(key) for key in _STAMPED if key in fields}
        return {**stamp, **self.sanitizer.clean(fields)}

    def _store(self, event: dict[str, Any]) -> None:
        self.store.add(self._clock.now(), event)

    def _print(self, event: dict[str, Any]) -> None:
        sys.stdout.write(self.store_line(event) + "\n")

    @staticmethod
    def store_line(event: dict[str, Any]) -> str:
        return json.dumps(event, default=str, separators=(",", ":"))
