"""Outgoing HTTP, observed: an httpx transport wrapper for the service's factory client.

`TracedTransport(inner, obs=obs)` starts a client span, injects W3C `traceparent` and the
request id into the request (so the factory's spans join the service's trace), and logs one
sanitized `factory` event with the request and response bodies. It does not judge outcomes:
the factory client knows the protocol and calls `metrics.factory_call(reason, seconds)`;
`reason_for_error` maps transport failures to a reason for it.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from jwtpizza.observability.bodies import body_for_log
from jwtpizza.observability.logging import EventLogger, request_id_var
from jwtpizza.observability.metrics import FactoryReason
from jwtpizza.observability.sanitize import Sanitizer
from jwtpizza.observability.tracing import Tracing, inject


def reason_for_error(error: BaseException) -> FactoryReason:
    """The `reason` label for a call that got no response at all."""
    if isinstance(error, httpx.TimeoutException):
        return FactoryReason.TIMEOUT
    if isinstance(error, httpx.TransportError):
        return FactoryReason.OUTAGE
    return FactoryReason.ERROR


class TracedTransport(httpx.AsyncBaseTransport):
    """Wraps another transport (real or `ASGITransport`); logs under `log_type`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        tracing: Tracing,
        log: EventLogger,
        sanitizer: Sanitizer,
        log_type: str = "factory",
    ) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.tracing, self.log, self.sanitizer = tracing, log, sanitizer
        self.log_type = log_type

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        span = self._start_span(request)
        started = time.perf_counter()
        with trace.use_span(span, end_on_exit=True, record_exception=False):
            inject(request.headers)
            request_id = request_id_var.get()
            if request_id:
                request.headers["x-request-id"] = request_id
            try:
                response = await self.inner.handle_async_request(request)
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                self._log(request, started, error=error)
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            self._log(request, started, response=response, raw=raw)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close the wrapped transport's connections (the client closes only this wrapper)."""
        await self.inner.aclose()

    def _start_span(self, request: httpx.Request) -> trace.Span:
        if not self.tracing.enabled:
            return trace.INVALID_SPAN
        return self.tracing.tracer.start_span(
            f"{request.method} {request.url.host}",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": request.method,
                "url.full": self.sanitizer.clean_text(str(request.url)),
            },
        )

    def _log(
        self,
        request: httpx.Request,
        started: float,
        *,
        response: httpx.Response | None = None,
        raw: bytes = b"",
        error: BaseException | None = None,
    ) -> None:
        if not self.log.enabled:
            return
        fields: dict[str, Any] = {
            "method": request.method,
            "url": str(request.url),
            "reqBody": body_for_log(request.content, request.headers.get("content-type", "")),
            "durationMs": round((time.perf_counter() - started) * 1000, 2),
        }
        if response is None:
            level = "error"
            fields.update(error=repr(error), reason=reason_for_error(error or Exception()).value)
        else:
            status = response.status_code
            level = "error" if status >= 500 else "warn" if status >= 400 else "info"
            encoded = "content-encoding" in response.headers
            content_type = response.headers.get("content-type", "")
            fields.update(
                status=status,
                resBody=f"<{len(raw)} encoded bytes>"
                if encoded
                else body_for_log(raw, content_type),
            )
        self.log.event(self.log_type, level=level, **fields)
