from datetime import UTC, datetime, timedelta

from jwtpizza.observability.log_store import LogQuery, LogStore

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _store() -> LogStore:
    store = LogStore(20)
    rows = [
        ("info", "http", 200, "/api/order", "listed"),
        ("warn", "http", 404, "/api/franchise/{franchise_id}", "not found"),
        ("error", "factory", 500, None, "chaos reportUrl /api/support/t/report/c"),
        ("info", "db", None, None, "SELECT 1"),
        ("error", "http", 503, "/api/order", "unavailable"),
    ]
    for minute, (level, type_, status, route, msg) in enumerate(rows):
        fields = {"level": level, "type": type_, "status": status, "route": route, "msg": msg}
        store.add(T0 + timedelta(minutes=minute), fields)
    return store


def test_each_severity_keeps_its_share_of_the_window() -> None:
    store = LogStore(10)  # 2 errors, 2 warnings, 6 routine records
    store.add(T0, {"level": "error", "msg": "report link"})
    for second in range(1, 30):
        level = "warn" if second % 2 else "info"
        store.add(T0 + timedelta(seconds=second), {"level": level, "msg": str(second)})
    assert len(store) == 9
    assert [r["msg"] for r in store.query(LogQuery())] == [
        "report link", "18", "20", "22", "24", "26", "27", "28", "29"
    ]  # fmt: skip


def test_level_is_a_minimum() -> None:
    assert [r["status"] for r in _store().query(LogQuery(level="warn"))] == [404, 500, 503]
    assert [r["status"] for r in _store().query(LogQuery(level="error"))] == [500, 503]


def test_type_status_route_text_since_and_limit() -> None:
    store = _store()
    assert len(store.query(LogQuery(type="http"))) == 3
    assert [r["status"] for r in store.query(LogQuery(status="5xx"))] == [500, 503]
    assert [r["status"] for r in store.query(LogQuery(status="404"))] == [404]
    assert len(store.query(LogQuery(route="/api/order"))) == 2
    assert store.query(LogQuery(text="REPORTURL"))[0]["type"] == "factory"
    assert len(store.query(LogQuery(since=T0 + timedelta(minutes=3)))) == 2
    assert [r["msg"] for r in store.query(LogQuery(limit=1))] == ["unavailable"]
