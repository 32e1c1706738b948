"""The pure ASGI middleware that observes every request.

For each HTTP request it: continues (or starts) the trace from the incoming `traceparent`,
sets a request id (incoming `X-Request-Id` or a new one, echoed on the response), records
metrics under the route TEMPLATE, and logs one sanitized `http` event with method, path,
status, authorized, reqBody, resBody, durationMs, and the number and total time of its SQL
statements (sqlCount, sqlMs). Bodies are captured chunk by chunk up
to a cap, so streaming responses pass through untouched. Unhandled exceptions are logged with
their traceback and re-raised for the edge's error handler.
"""

from __future__ import annotations

import os
import time
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jwtpizza.observability.bodies import CappedBody
from jwtpizza.observability.database import SqlSummary, sql_summary_var
from jwtpizza.observability.logging import EventLogger, request_id_var
from jwtpizza.observability.metrics import Metrics
from jwtpizza.observability.settings import ObservabilitySettings
from jwtpizza.observability.tracing import Tracing, extract

UNMATCHED_ROUTE = "unmatched"
QUIET_PATHS = frozenset({"/metrics", "/api/ops/logs"})
# Probes and fixed pages: when they succeed they are counted, but not logged, so a flood of
# them cannot fill the log window a responder searches.
UNLOGGED_READS = frozenset(
    {"/healthz", "/readyz", "/", "/api/docs", "/docs", "/openapi.json", "/favicon.ico"}
)


def route_of(scope: Scope) -> str:
    """The matched route's template, never the raw path (ids would explode cardinality).

    FastAPI's own routes record themselves in the scope; a plain Starlette route (such as
    `/openapi.json`) only records its endpoint, so its template is looked up by that."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    endpoint = scope.get("endpoint")
    for route in getattr(scope.get("app"), "routes", ()) if endpoint else ():
        if getattr(route, "endpoint", None) is endpoint and isinstance(route.path, str):
            return str(route.path)
    return UNMATCHED_ROUTE


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


class _Exchange:
    """What one request and its response looked like, gathered as they stream past."""

    def __init__(self, scope: Scope, cap: int, capture: bool) -> None:
        self.headers = _headers(scope)
        self.capture = capture
        self.request = CappedBody(cap)
        self.response = CappedBody(cap)
        self.status = 500
        self.response_type = ""
        # 32 random hex digits, as `uuid4().hex` gave, for a fifth of its CPU.
        self.request_id = self.headers.get("x-request-id", "")[:64] or os.urandom(16).hex()
        self.sql = SqlSummary()

    def wrap_receive(self, receive: Receive) -> Receive:
        async def wrapped() -> Message:
            message = await receive()
            if self.capture and message["type"] == "http.request":
                self.request.add(message.get("body", b""))
            return message

        return wrapped

    def wrap_send(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._on_start(message)
            elif message["type"] == "http.response.body" and self.capture:
                self.response.add(message.get("body", b""))
            await send(message)

        return wrapped

    def _on_start(self, message: Message) -> None:
        self.status = int(message["status"])
        headers = list(message.get("headers", []))
        for key, value in headers:
            if key.lower() == b"content-type":
                self.response_type = value.decode("latin-1")
        headers.append((b"x-request-id", self.request_id.encode("latin-1")))
        message["headers"] = headers


class ObservabilityMiddleware:
    """Records each request: its metrics, its span and its `http` log event (added by
    `instrument`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        log: EventLogger,
        tracing: Tracing,
        metrics: Metrics,
        settings: ObservabilitySettings,
    ) -> None:
        self.app = app
        self.log, self.tracing, self.metrics, self.settings = log, tracing, metrics, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        capture = self.log.enabled and path not in QUIET_PATHS
        exchange = _Exchange(scope, self.settings.body_cap_bytes, capture)
        request_token = request_id_var.set(exchange.request_id)
        sql_token = sql_summary_var.set(exchange.sql)
        span = self._start_span(scope, exchange)
        context_token = otel_context.attach(trace.set_span_in_context(span))
        started = time.perf_counter()
        try:
            await self.app(scope, exchange.wrap_receive(receive), exchange.wrap_send(send))
        except Exception as error:
            exchange.status = 500
            span.record_exception(error)
            if capture:
                self.log.exception(f"unhandled exception on {scope['method']} {path}", error)
            raise
        finally:
            seconds = time.perf_counter() - started
            self._finish(scope, exchange, span, seconds, capture)
            otel_context.detach(context_token)
            sql_summary_var.reset(sql_token)
            request_id_var.reset(request_token)

    def _start_span(self, scope: Scope, exchange: _Exchange) -> trace.Span:
        if not self.tracing.enabled:
            return trace.INVALID_SPAN
        method = str(scope["method"])
        attributes = {"http.request.method": method}
        route = getattr(scope.get("route"), "path", None)
        if isinstance(route, str):  # known before the app runs (a cached read): named now
            attributes["http.route"] = route
        return self.tracing.spans.start(
            f"{method} {route}" if "http.route" in attributes else method,
            context=extract(exchange.headers),
            kind=SpanKind.SERVER,
            attributes=attributes,
        )

    def _finish(
        self, scope: Scope, exchange: _Exchange, span: trace.Span, seconds: float, logged: bool
    ) -> None:
        method, route, status = str(scope["method"]), route_of(scope), exchange.status
        self.metrics.http_request(method, route, status, seconds)
        self._count_user(exchange)
        if span.is_recording():
            self._name_span(span, method, route, status)
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        routine_read = method in ("GET", "HEAD") and status < 400
        if logged and not (routine_read and scope.get("path") in UNLOGGED_READS):
            self.log.http(**self._http_fields(scope, exchange, route, seconds))

    @staticmethod
    def _name_span(span: trace.Span, method: str, route: str, status: int) -> None:
        if getattr(span, "name", None) != f"{method} {route}":
            span.update_name(f"{method} {route}")
            span.set_attributes({"http.route": route, "http.response.status_code": status})
        else:
            span.set_attribute("http.response.status_code", status)

    def _count_user(self, exchange: _Exchange) -> None:
        authorization = exchange.headers.get("authorization")
        if authorization and exchange.status < 400 and self.settings.active_users_from_tokens:
            # A hash of the credential stands for the user; it never leaves this process.
            self.metrics.user_seen(hash(authorization))

    @staticmethod
    def _http_fields(
        scope: Scope, exchange: _Exchange, route: str, seconds: float
    ) -> dict[str, Any]:
        query = scope.get("query_string", b"").decode("latin-1")
        return {
            "method": scope["method"],
            "path": scope.get("path", "") + (f"?{query}" if query else ""),
            "route": route,
            "status": exchange.status,
            "authorized": "authorization" in exchange.headers,
            "reqBody": exchange.request.for_log(exchange.headers.get("content-type", "")),
            "resBody": exchange.response.for_log(exchange.response_type),
            "durationMs": round(seconds * 1000, 2),
            "sqlCount": exchange.sql.count,
            "sqlMs": round(exchange.sql.seconds * 1000, 2),
        }
