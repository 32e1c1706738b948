"""How long assembling an incident's timeline and drafting its postmortem take, for an
incident whose window holds 10k log lines (on the service) and 1k timeline entries.

    .venv/bin/python bench/incidents.py [--logs 10000] [--entries 1000] [--rounds 5]

The ops app runs in process on a temporary SQLite file. Its calls to the service's log
search go through the real `LogStore` filters (as `GET /api/ops/logs` applies them, at most
1,000 records an answer), answered by an `httpx.MockTransport`; the chaos feed and the order
ledger are small fixed answers. Baselines from the same run: reading the 1k entries back from
the database, and the three log searches alone. Figures are the best of `--rounds`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from jwtpizza.clock import FakeClock
from jwtpizza.observability.log_store import LogQuery, LogStore
from jwtpizza.ops.app import create_app
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.lifecycle import Severity
from jwtpizza.ops.incidents.reports.html import render_html
from jwtpizza.ops.incidents.reports.markdown import render
from jwtpizza.ops.incidents.settings import IncidentSettings
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.settings import OpsSettings

SERVICE, FACTORY = "http://service.bench", "http://factory.bench"
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LINK = f"{FACTORY}/api/support/opaque/report/fix12345"
ROUTES = ("/api/order", "/api/order/menu", "/api/franchise", "/api/auth", "/api/user/me")


def fill_logs(count: int) -> LogStore:
    """`count` service records over ten minutes: mostly 200s, some 5xx, factory errors with a
    report link, breaker and queue events."""
    store = LogStore(count)
    for i in range(count):
        at = START + timedelta(seconds=600 * i / count)
        fields: dict[str, Any] = {"time": at.isoformat(), "level": "info", "type": "http",
                                  "method": "POST", "route": ROUTES[i % 5], "status": 200,
                                  "requestId": f"r{i}", "resBody": '{"ok":true}'}  # fmt: skip
        if i % 10 == 0:
            fields.update(level="error", status=500, resBody=f'{{"followLinkToEndChaos":"{LINK}"}}')
        elif i % 97 == 0:
            fields = {"time": at.isoformat(), "level": "warn", "type": "resilience",
                      "msg": "factory breaker closed -> open", "why": "failure rate"}  # fmt: skip
        elif i % 31 == 0:
            fields = {"time": at.isoformat(), "level": "info", "type": "resilience",
                      "msg": "order queued", "order_id": i}  # fmt: skip
        store.add(at, fields)
    return store


def world(store: LogStore) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        path = f"{request.url.scheme}://{request.url.netloc.decode()}{request.url.path}"
        p = request.url.params
        if path == f"{SERVICE}/api/auth":
            return httpx.Response(200, json={"token": "t"})
        if path == f"{SERVICE}/api/ops/logs":
            since = datetime.fromisoformat(p["since"]) if "since" in p else None
            query = LogQuery(since=since, level=p.get("level"), type=p.get("type"),
                             status=p.get("status"), text=p.get("q"),
                             limit=int(p.get("limit", 100)))  # fmt: skip
            return httpx.Response(200, json={"logs": store.query(query)})
        if path == f"{SERVICE}/api/order/stats":
            return httpx.Response(200, json={
                "ordersByStatus": {"fulfilled": 900, "rejected": 100}, "failed": 100,
                "queuedThenFulfilled": 20, "stillOpen": 0, "lost": 0, "affectedDiners": 40,
                "activeDiners": 120,
                "revenue": {"fulfilled": 3.4, "failed": 0.4, "queuedThenFulfilled": 0.1,
                            "open": 0.0},
            })  # fmt: skip
        if path == f"{FACTORY}/api/chaos/events":
            events = [{"id": f"1:{e}", "faultId": 1, "vendorId": "demo", "type": "fail",
                       "event": e, "time": (START + timedelta(seconds=s)).isoformat()}
                      for e, s in (("initiated", 0), ("started", 1), ("reported", 590),
                                   ("ended", 590))]  # fmt: skip
            return httpx.Response(200, json={"now": "x", "events": events})
        if path == f"{FACTORY}/api/ops/logs":
            return httpx.Response(200, json={"logs": []})
        return httpx.Response(404, json={"message": "unknown endpoint"})

    return httpx.MockTransport(handle)


def entries(count: int) -> list[Entry]:
    kinds = [(Source.ALERT, "alert-firing"), (Source.PAGE, "page"), (Source.RESPONDER, "note"),
             (Source.RUNBOOK, "runbook-step")]  # fmt: skip
    return [
        Entry(START + timedelta(seconds=0.5 * i), kinds[i % 4][0], kinds[i % 4][1],
              f"entry {i}: something happened to `route` #{i}", f"bench:{i}",
              evidence=f"{SERVICE}/api/ops/logs?q=r{i}",
              data={"rule": "FactoryChaosErrors", "state": "firing", "value": 1.0, "step": 1,
                    "receiver": "alice", "outcome": "success"} if i % 4 < 2 else {})
        for i in range(count)
    ]  # fmt: skip


async def best(rounds: int, step: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


async def main(logs: int, count: int, rounds: int) -> None:
    clock = FakeClock(START + timedelta(minutes=10))
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            OpsSettings(database_url=f"sqlite+aiosqlite:///{Path(folder) / 'ops.db'}",
                        service_url=SERVICE, factory_url=FACTORY, targets=[], rule_files=[]),
            clock=clock, http_transport=world(fill_logs(logs)), start_loops=False,
            incidents=IncidentSettings(service_email="a@jwt.com",
                                       service_password=SecretStr("x"),
                                       factory_api_key=SecretStr("k"), lookback_seconds=60),
        )  # fmt: skip
        async with app.router.lifespan_context(app):
            desk: IncidentDesk = app.state.ops.incidents
            async with desk.db.writer() as session:
                incident = await incidents.declare(
                    session=session,
                    title="bench",
                    by="bench",
                    severity=Severity.CRITICAL,
                    now=START,
                )
                await incidents.record(session=session, incident=incident, entries=entries(count))
                n = incident.id

            async def read_back() -> object:
                async with desk.db.reader() as session:
                    return await incidents.timeline(session=session, incident_id=n)

            async def searches() -> object:
                return await desk.feeds.logs("service", since=START)

            async def report() -> object:
                draft = await desk.draft(n, finish=False)
                return render(draft), render_html(draft, "pizza_failures_total", [], clock.now())

            rows = [
                ("read 1k entries back (baseline)", await best(rounds, read_back)),
                ("3 log searches over 10k lines (baseline)", await best(rounds, searches)),
                ("assemble the timeline (all feeds)", await best(rounds, lambda: desk.assemble(n))),
                ("draft + Markdown + HTML report", await best(rounds, report)),
            ]
            async with desk.db.reader() as session:
                size = len(await incidents.timeline(session=session, incident_id=n))
    base = rows[0][1]
    print(f"incident with {logs} log lines and {count} entries ({size} after assembly)")
    print(f"{'step':44} {'ms (best)':>10} {'x baseline':>11}")
    for name, ms in rows:
        print(f"{name:44} {ms:10.1f} {ms / base:11.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.logs, args.entries, args.rounds))
