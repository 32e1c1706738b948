"""Notification and on-call wired together for one ops app.

    paging = build_paging(db=..., clock=..., registry=..., chaos_events=feeds.chaos_events)
    bus.subscribe(paging.on_transition)     # our rules' firing and resolved alerts
    await paging.tick()                     # flush due groups, run due escalation steps
    paging.reload()                         # re-read notify.yml and oncall.yml

A route whose receiver has `oncall_configs` opens a page; the page's steps reach people
through the same receivers. The Alertmanager intake opens pages directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request
from prometheus_client import CollectorRegistry
from sqlalchemy.exc import SQLAlchemyError

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.errors import refusal
from jwtpizza.ops.notify import silence_store
from jwtpizza.ops.notify.announced import AnnouncedWindows, ReadFeed
from jwtpizza.ops.notify.config import NotifyConfig, load_config_file
from jwtpizza.ops.notify.delivery import Deliverer, NotifyMetrics
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.outbound import Receivers
from jwtpizza.ops.notify.payload import WebhookMessage
from jwtpizza.ops.notify.service import Notifier
from jwtpizza.ops.notify.settings import NotifySettings
from jwtpizza.ops.oncall.config import OncallConfig, load_oncall_file
from jwtpizza.ops.oncall.models import Page
from jwtpizza.ops.oncall.service import (
    RECORD_RETRY_MAX_SECONDS,
    AckLinks,
    Escalator,
    IncidentOf,
)
from jwtpizza.ops.oncall.settings import OncallSettings

log = logging.getLogger("jwtpizza.ops.oncall")


def load_configs(
    notify_settings: NotifySettings, oncall_settings: OncallSettings
) -> tuple[NotifyConfig, OncallConfig]:
    """Both files, checked against each other; raises without changing anything."""
    notify = load_config_file(notify_settings.notify_config)
    return notify, load_oncall_file(oncall_settings.oncall_config, set(notify.receivers))


class RecordedPager:
    """What an `oncall_configs` receiver pages through: the escalator, with opening the page
    retried until ops' database records it (a full disk delays a page, never drops it).
    Opening is idempotent: a retry after a half-done attempt finds the group's open page."""

    def __init__(self, escalator: Escalator, clock: Clock) -> None:
        self._escalator = escalator
        self._clock = clock

    async def page(self, message: WebhookMessage, *, policy: str) -> Page | None:
        delay = 1.0
        while True:
            try:
                return await self._escalator.page(message, policy=policy)
            except SQLAlchemyError as error:
                log.error(
                    "page for %s not recorded, retrying: %s", message.group_key, refusal(error)
                )
            await self._clock.sleep(delay)
            delay = min(delay * 2, RECORD_RETRY_MAX_SECONDS)


@dataclass
class Paging:
    notify_settings: NotifySettings
    oncall_settings: OncallSettings
    notifier: Notifier
    escalator: Escalator
    deliverer: Deliverer
    http: httpx.AsyncClient
    public_url: str
    announced: AnnouncedWindows

    def reload(self) -> None:
        """Take new configurations; on any error the running ones stay."""
        notify, oncall = load_configs(self.notify_settings, self.oncall_settings)
        self.notifier.reconfigure(notify)
        self.escalator.config = oncall
        log.warning("paging configuration reloaded")

    async def tick(self) -> None:
        await self.notifier.tick()
        await self.escalator.escalate_due()

    def on_transition(self, transition: AlertTransition) -> None:
        """Our rules' firing and resolved alerts go to the notifier; pending ones are not
        sent, and an Alertmanager's were grouped and routed by it already (the intake pages)."""
        if transition.source != "rules":
            return
        if transition.state is AlertState.FIRING:
            ends = None
        elif transition.state is AlertState.RESOLVED:
            ends = transition.resolved_at or transition.at
        else:
            return
        self.notifier.receive(
            Alert(
                labels={"alertname": transition.rule, **transition.labels},
                annotations=dict(transition.annotations),
                starts_at=transition.fired_at or transition.active_at or transition.at,
                ends_at=ends,
                generator_url=f"{self.public_url}/api/ops/alerts",
            )
        )

    async def close(self) -> None:
        await self.deliverer.close()
        await self.http.aclose()


def build_paging(
    *,
    db: Database,
    clock: Clock,
    registry: CollectorRegistry,
    chaos_events: ReadFeed,
    notify_settings: NotifySettings | None = None,
    oncall_settings: OncallSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    listen_url: str = "http://127.0.0.1:3300",
    incident_of: IncidentOf | None = None,
) -> Paging:
    """Load both configurations (a bad one stops the start, naming the problem).
    Links point at `OncallSettings.public_url`, else at `listen_url`; `incident_of` finds the
    open incident a group's alerts joined (its page is the incident's); faults announced on
    `chaos_events` mute the notifier as silences do."""
    notify_settings = notify_settings or NotifySettings()
    oncall_settings = oncall_settings or OncallSettings()
    notify, oncall = load_configs(notify_settings, oncall_settings)
    http = httpx.AsyncClient(transport=transport, timeout=notify_settings.delivery_timeout_seconds)
    deliverer = Deliverer(
        clock=clock, metrics=NotifyMetrics(registry), backoff=notify_settings.backoff()
    )
    public_url = (oncall_settings.public_url or listen_url).rstrip("/")
    grace = notify_settings.announce_grace_seconds
    announced = AnnouncedWindows(read=chaos_events, clock=clock, grace=grace)
    receivers = Receivers(notify, client=http, deliverer=deliverer)
    escalator = Escalator(
        db=db,
        clock=clock,
        deliver=receivers.send,
        config=oncall,
        links=ack_links(oncall_settings, public_url),
        incident_of=incident_of,
    )
    notifier = Notifier(
        notify,
        receivers=receivers,
        clock=clock,
        silences=lambda: silence_store.active_windows(db, clock.now()),
        pager=RecordedPager(escalator, clock),
        announced=announced,
    )
    return Paging(
        notify_settings,
        oncall_settings,
        notifier,
        escalator,
        deliverer,
        http,
        public_url,
        announced,
    )


def ack_links(settings: OncallSettings, public_url: str) -> AckLinks | None:
    """Acknowledge links under `public_url`, signed with the ack secret (none without it)."""
    key = settings.ack_key()
    if key is None:
        log.warning("JWTPIZZA_OPS_ACK_SECRET is not set: pages carry no acknowledge link")
        return None
    return AckLinks(key, public_url, settings.ack_link_ttl_seconds)


async def get_paging(request: Request) -> Paging:
    paging = request.app.state.ops.paging
    assert isinstance(paging, Paging)
    return paging


PagingDep = Annotated[Paging, Depends(get_paging)]
