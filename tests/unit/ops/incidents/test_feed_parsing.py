from datetime import UTC, datetime, timedelta
from typing import Any

from jwtpizza.ops.incidents.feed_parsing import (
    chaos_entries,
    faults_from,
    log_entries,
    report_link_in,
)
from jwtpizza.ops.incidents.timeline import Entry, Source, merge, new_entries

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
LINK = "http://127.0.0.1:4000/api/support/abc123/report/x9y8z7w6"


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def entry(key: str, seconds: float, source: str = Source.LOG) -> Entry:
    return Entry(at=T0 + timedelta(seconds=seconds), source=source, kind="k", text=key, key=key)


def test_merge_keeps_one_entry_per_fact_at_its_earliest_time_in_order() -> None:
    merged = merge([entry("b", 5), entry("a", 3)], [entry("b", 1), entry("c", 3, Source.CHAOS)])
    assert [(e.key, (e.at - T0).seconds) for e in merged] == [("b", 1), ("c", 3), ("a", 3)]
    assert [e.key for e in new_entries({"b"}, merged)] == ["c", "a"]


def chaos_event(fault: int, event: str, seconds: float, **extra: Any) -> dict[str, Any]:
    return {"id": f"{fault}:{event}", "faultId": fault, "vendorId": "demo", "type": "fail",
            "event": event, "time": at(seconds), **extra}  # fmt: skip


def test_faults_are_assembled_from_the_chaos_feed() -> None:
    events = [
        chaos_event(1, "initiated", -60), chaos_event(1, "started", 0),
        chaos_event(1, "reported", 90), chaos_event(1, "ended", 90, reason="reported"),
        chaos_event(2, "initiated", 500),
    ]  # fmt: skip
    first, second = faults_from(events)
    assert first.started_at == T0 and first.end_reason == "reported"
    assert first.overlaps(T0 + timedelta(seconds=30), T0 + timedelta(seconds=40))
    assert not first.overlaps(T0 + timedelta(seconds=91), T0 + timedelta(seconds=99))
    assert second.started_at is None and not second.overlaps(T0, T0 + timedelta(hours=1))
    entries = chaos_entries(events, {1}, "http://factory")
    assert [e.kind for e in entries] == [
        "chaos-initiated", "chaos-started", "chaos-reported", "chaos-ended"
    ]  # fmt: skip
    assert entries[1].evidence is not None
    assert entries[1].evidence.startswith("http://factory/api/chaos/events?since=")


def http_log(seconds: float, status: int, route: str, body: str = "") -> dict[str, Any]:
    return {"time": at(seconds), "level": "error" if status >= 500 else "info", "type": "http",
            "method": "POST", "route": route, "status": status, "resBody": body,
            "requestId": f"req-{seconds}"}  # fmt: skip


def test_logs_give_the_first_report_link_first_5xx_breaker_and_queue() -> None:
    body = f'{{"message":"Failed to fulfill order at factory","followLinkToEndChaos":"{LINK}"}}'
    logs = [
        {"time": at(0.5), "level": "info", "type": "resilience", "msg": "queue drained",
         "previous_depth": 1},  # an in-flight order in normal operation: not an event
        http_log(1, 200, "/api/order"),
        http_log(2, 500, "/api/order", body),
        http_log(3, 500, "/api/order", body),
        http_log(4, 503, "/api/franchise"),
        {"time": at(5), "level": "warn", "type": "resilience",
         "msg": "factory breaker closed -> open", "why": "failure rate 100%"},
        {"time": at(6), "level": "info", "type": "resilience", "msg": "order queued",
         "order_id": 7},
        {"time": at(7), "level": "info", "type": "resilience", "msg": "order queued",
         "order_id": 8},
        {"time": at(9), "level": "info", "type": "resilience", "msg": "queue drained",
         "previous_depth": 2},
        {"time": at(10), "level": "info", "type": "resilience", "msg": "queue drained",
         "previous_depth": 1},
    ]  # fmt: skip
    entries = merge(log_entries(logs, "service", "http://shop"))
    kinds = [(e.kind, (e.at - T0).seconds) for e in entries]
    assert kinds == [
        ("report-link", 2), ("first-5xx", 4), ("breaker", 5), ("queue-engaged", 6),
        ("queue-drained", 9),
    ]  # fmt: skip
    assert entries[0].data["url"] == LINK
    assert entries[0].evidence == (
        "http://shop/api/ops/logs?since=2026-11-25T14%3A00%3A01%2B00%3A00&limit=20&q=req-2"
    )
    assert entries[2].data["state"] == "open"


def test_a_report_link_in_a_successful_answer_is_not_an_error_log() -> None:
    ok = http_log(1, 200, "/api/order", f'{{"followLinkToEndChaos":"{LINK}"}}')
    assert report_link_in(ok) == LINK
    assert log_entries([ok], "service", "http://shop") == []


def test_the_factorys_refusal_by_design_is_no_symptom() -> None:
    oven = '{"message":"Unable to satisfy pizza order. The oven is full."}'
    refused_call = {"time": at(1), "level": "error", "type": "factory", "status": 503,
                    "resBody": oven, "requestId": "req-1"}  # fmt: skip
    logs = [
        refused_call,
        http_log(1, 500, "/api/order", '{"message":"Failed to fulfill order at factory"}'),
        http_log(8, 500, "/api/order", '{"message":"Failed to fulfill order at factory"}'),
    ]
    [first] = log_entries(logs, "service", "http://shop")
    assert (first.kind, (first.at - T0).seconds) == ("first-5xx", 8)
    factory_side = http_log(1, 503, "/api/order", oven)
    assert log_entries([factory_side], "factory", "http://factory") == []
