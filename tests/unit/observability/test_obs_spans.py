"""The light spans of requests and statements end as the same records the SDK's spans do, in
the recent window and through the OTLP encoder, and keep the sampler's decision."""

from __future__ import annotations

from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, Status, StatusCode

from jwtpizza.observability.settings import ObservabilitySettings
from jwtpizza.observability.tracing import Tracing, extract

PARENT = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}


def exercise(span: trace.Span) -> None:
    """What the middleware and the statement log do to a span, and an error."""
    span.update_name("GET /api/order")
    span.set_attributes({"http.route": "/api/order", "http.response.status_code": 503})
    span.set_attribute("db.rows", 3)
    span.record_exception(RuntimeError("database down"))
    span.set_status(Status(StatusCode.ERROR, "RuntimeError"))
    span.set_status(Status(StatusCode.UNSET))  # ignored, as by the SDK
    span.end()
    span.set_attribute("after", "end")  # ignored once ended
    span.end()


def without_stack(attributes: Any) -> dict[str, Any]:
    return {k: v for k, v in (attributes or {}).items() if k != "exception.stacktrace"}


def record(span: ReadableSpan) -> dict[str, Any]:
    """A finished span as its consumers see it, ids and times aside."""
    return {
        "name": span.name,
        "kind": span.kind,
        "trace": span.context.trace_id if span.context else None,
        "parent": span.parent.span_id if span.parent else None,
        "sampled": span.context.trace_flags.sampled if span.context else None,
        "attributes": dict(span.attributes or {}),
        "events": [(e.name, without_stack(e.attributes)) for e in span.events],
        "status": (span.status.status_code, span.status.description),
        "resource": dict(span.resource.attributes),
        "scope": span.instrumentation_scope.name if span.instrumentation_scope else None,
        "timed": span.start_time is not None and span.end_time is not None,
    }


def both_ways() -> tuple[ReadableSpan, ReadableSpan]:
    """The same request span, once the SDK's way and once the light way."""
    tracing = Tracing(component="service", settings=ObservabilitySettings())
    attributes = {"http.request.method": "GET"}
    sdk = tracing.tracer.start_span(
        "GET", context=extract(PARENT), kind=SpanKind.SERVER, attributes=attributes
    )
    exercise(sdk)
    light = tracing.spans.start(
        "GET", context=extract(PARENT), kind=SpanKind.SERVER, attributes=attributes
    )
    exercise(light)
    first, second = tracing.recent.spans()
    return first, second


def test_a_light_span_ends_as_the_sdks_record() -> None:
    sdk, light = both_ways()
    assert record(light) == record(sdk)
    assert record(light)["parent"] == 0x00F067AA0BA902B7 and record(light)["sampled"]
    assert light.context is not None and sdk.context is not None
    assert light.context.span_id != sdk.context.span_id
    stack = light.events[0].attributes or {}
    assert "database down" in str(stack["exception.stacktrace"])


def test_a_light_span_encodes_for_otlp_as_the_sdks() -> None:
    sdk, light = both_ways()
    encoded = [encode_spans([span]).resource_spans[0] for span in (sdk, light)]
    for message in encoded:
        span = message.scope_spans[0].spans[0]
        span.ClearField("span_id")
        span.ClearField("start_time_unix_nano")
        span.ClearField("end_time_unix_nano")
        for event in span.events:
            event.ClearField("time_unix_nano")
    assert encoded[0] == encoded[1]


def test_a_child_joins_its_parent_and_a_dropped_span_is_not_recorded() -> None:
    tracing = Tracing(component="service", settings=ObservabilitySettings())
    parent = tracing.spans.start("GET", kind=SpanKind.SERVER, attributes={})
    token = otel_context.attach(trace.set_span_in_context(parent))
    child = tracing.spans.start("db SELECT", kind=SpanKind.CLIENT, attributes={"db.system": "x"})
    otel_context.detach(token)
    child.end()
    parent.end()
    ended_child, ended_parent = tracing.recent.spans()
    assert ended_child.parent == ended_parent.context
    assert ended_child.context and ended_parent.context
    assert ended_child.context.trace_id == ended_parent.context.trace_id
    tracing.provider.sampler = ALWAYS_OFF  # type: ignore[misc]
    dropped = tracing.spans.start("GET", kind=SpanKind.SERVER, attributes={})
    assert not dropped.is_recording() and dropped.get_span_context().is_valid
    dropped.end()
    assert len(tracing.recent.spans()) == 2
