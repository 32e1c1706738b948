"""Per-app OpenTelemetry tracing, with W3C trace context in and out.

Each component gets its own `TracerProvider` (the global one is left alone, so two apps in
one process keep their spans apart). The spans of requests and SQL statements are started by
`Tracing.spans` (`observability.spans`): lighter spans, handed to the same processors. Spans
always go to a bounded in-memory window, which tests and the ops side read (a processor of
its own: the SDK's simple processor around an exporter cost a context switch and a list copy
per span); when `otlp_traces_url` is set they are also exported over OTLP/HTTP (protobuf)
with the Grafana Cloud `Authorization` header.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, MutableMapping

from opentelemetry import context as otel_context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from jwtpizza.observability.settings import ObservabilitySettings, bearer
from jwtpizza.observability.spans import SpanEnder

_PROPAGATOR = TraceContextTextMapPropagator()


class RecentSpans(SpanProcessor):
    """Keeps the newest finished (sampled) spans in memory, bounded, for tests and the ops
    side."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._spans: deque[ReadableSpan] = deque(maxlen=self.size)

    def on_end(self, span: ReadableSpan) -> None:
        if span.context is not None and span.context.trace_flags.sampled:
            self._spans.append(span)

    def spans(self) -> list[ReadableSpan]:
        return list(self._spans)

    def clear(self) -> None:
        self._spans.clear()


class Tracing:
    """A component's tracer, its recent spans, and an optional OTLP exporter."""

    def __init__(self, *, component: str, settings: ObservabilitySettings) -> None:
        self.enabled = settings.tracing_enabled
        resource = Resource.create({"service.name": component, "source": settings.source})
        self.provider = TracerProvider(resource=resource)
        self.recent = RecentSpans(settings.trace_store_size)
        processors: list[SpanProcessor] = [self.recent]
        if settings.otlp_traces_url and self.enabled:
            processors.append(BatchSpanProcessor(_otlp_exporter(settings)))
        for processor in processors:
            self.provider.add_span_processor(processor)
        self.tracer: Tracer = self.provider.get_tracer("jwtpizza." + component)
        # The spans of every request and statement: lighter, to the same processors.
        self.spans = SpanEnder(self.provider, processors, "jwtpizza." + component)

    def shutdown(self) -> None:
        self.provider.shutdown()


def _otlp_exporter(settings: ObservabilitySettings) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    auth = bearer(settings.otlp_account, settings.otlp_api_key)
    headers = {"Authorization": auth} if auth else {}
    return OTLPSpanExporter(endpoint=settings.otlp_traces_url, headers=headers)


def inject(headers: MutableMapping[str, str]) -> None:
    """Write the current trace context (`traceparent`) into outgoing headers."""
    _PROPAGATOR.inject(headers)


def extract(headers: Mapping[str, str]) -> otel_context.Context:
    """The trace context an incoming request carried (empty if none)."""
    return _PROPAGATOR.extract(headers)
