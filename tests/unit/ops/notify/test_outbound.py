"""The receivers behind one `send`: an `oncall_configs` integration pages through the pager
the notifier passes; an escalation step's own notice (no pager) has no page left to open."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from prometheus_client import CollectorRegistry

from jwtpizza.clock import FakeClock
from jwtpizza.ops.notify.config import load_config
from jwtpizza.ops.notify.delivery import Backoff, Delivered, Deliverer, NotifyMetrics, Outcome
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.outbound import Receivers
from jwtpizza.ops.notify.payload import WebhookMessage, build_message
from jwtpizza.ops.notify.receivers import Notice

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
CONFIG = """
route: {receiver: pager}
receivers:
  - name: pager
    oncall_configs: [{policy: urgent}]
"""


class Pages:
    def __init__(self) -> None:
        self.opened: list[tuple[str, str]] = []

    async def page(self, message: WebhookMessage, *, policy: str) -> object:
        self.opened.append((message.group_key, policy))
        return None


def firing() -> Notice:
    alert = Alert(labels={"alertname": "PizzaFailures"}, starts_at=NOW)
    return Notice(
        build_message(
            receiver="pager",
            group_key="g",
            group_labels={},
            alerts=[alert],
            now=NOW,
            external_url="",
        )
    )


async def test_a_pager_receiver_pages_only_through_the_pager_it_is_given() -> None:
    deliverer = Deliverer(
        clock=FakeClock(NOW), metrics=NotifyMetrics(CollectorRegistry()), backoff=Backoff()
    )
    outcomes: list[Delivered] = []

    async def record(result: Delivered) -> None:
        outcomes.append(result)

    pages = Pages()
    async with httpx.AsyncClient() as client:
        receivers = Receivers(load_config(CONFIG), client=client, deliverer=deliverer)
        receivers.send("pager", firing(), record, pager=pages)
        receivers.send("pager", firing(), record)  # an escalation step's notice
        await deliverer.drain()
    assert pages.opened == [("g", "urgent")]
    assert outcomes == [Delivered("pager", "oncall", Outcome.SUCCESS, 1)] * 2
