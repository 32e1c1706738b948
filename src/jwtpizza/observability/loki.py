"""Loki push: batched, bounded, and never blocking or failing a request.

`offer(event)` only appends to a bounded deque (a full queue drops the line and counts it in
`log_lines_dropped_total{sink="loki"}`). A background task posts batches as
`{"streams":[{"stream":{labels},"values":[[ns, line, {"traceID": ...}]]}]}` with
`Authorization: Bearer <accountId>:<apiKey>`. Labels stay low-cardinality: component,
source, level, type.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import httpx

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.observability.background import Periodic
from jwtpizza.observability.metrics import Metrics


def loki_body(entries: list[tuple[int, dict[str, Any]]], *, source: str) -> dict[str, Any]:
    """Group events into Loki streams by their labels."""
    streams: dict[tuple[str, ...], list[list[Any]]] = {}
    for ns, event in entries:
        labels = (str(event.get("component")), str(event.get("level")), str(event.get("type")))
        value: list[Any] = [str(ns), json.dumps(event, default=str, separators=(",", ":"))]
        if event.get("traceId"):
            value.append({"traceID": str(event["traceId"])})
        streams.setdefault(labels, []).append(value)
    return {
        "streams": [
            {
                "stream": {"component": c, "source": source, "level": lv, "type": t},
                "values": values,
            }
            for (c, lv, t), values in streams.items()
        ]
    }


class LokiShipper:
    """Buffers sanitized events and pushes them to Loki in the background."""

    def __init__(
        self,
        *,
        url: str,
        authorization: str | None,
        source: str,
        metrics: Metrics,
        batch_size: int = 200,
        queue_size: int = 5000,
        flush_seconds: float = 5.0,
        clock: Clock | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.source = source
        self.metrics = metrics
        self.batch_size = batch_size
        self.dropped = 0
        self.sent = 0
        self._clock = clock or SystemClock()
        self._queue: deque[tuple[int, dict[str, Any]]] = deque()
        self._queue_size = queue_size
        self._headers = {"Authorization": authorization} if authorization else {}
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._periodic = Periodic(self.flush, flush_seconds, self._clock)

    def offer(self, event: dict[str, Any]) -> None:
        """Queue one event; drop and count it if the queue is full. Never blocks."""
        if len(self._queue) >= self._queue_size:
            self._drop(1)
            return
        self._queue.append((int(self._clock.now().timestamp() * 1_000_000_000), event))
        if len(self._queue) >= self.batch_size:
            self._periodic.wake()

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
        await self._client.aclose()

    async def flush(self) -> None:
        """Push everything queued, a batch at a time; a failed batch is dropped and counted."""
        while self._queue:
            count = min(self.batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            try:
                response = await self._client.post(
                    self.url, json=loki_body(batch, source=self.source), headers=self._headers
                )
                response.raise_for_status()
            except httpx.HTTPError:
                self.metrics.push_failed("loki")
                self._drop(len(batch))
                return
            self.sent += len(batch)

    def _drop(self, count: int) -> None:
        self.dropped += count
        self.metrics.log_dropped("loki", count)
