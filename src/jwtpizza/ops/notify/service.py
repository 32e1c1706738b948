"""The notifier: configuration, dispatcher and delivery behind one object the app holds."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from jwtpizza.clock import Clock
from jwtpizza.ops.notify.announced import AnnouncedWindows
from jwtpizza.ops.notify.config import Integration, NotifyConfig, load_config_file
from jwtpizza.ops.notify.delivery import Deliverer, OnDelivered
from jwtpizza.ops.notify.dispatch import Dispatcher, Notification
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.muting import SilenceWindow
from jwtpizza.ops.notify.receivers import Notice, Pager, Sender, build_sender

log = logging.getLogger("jwtpizza.ops.notify")

SilenceSource = Callable[[], Awaitable[list[SilenceWindow]]]


@dataclass(frozen=True)
class _Wired:
    integration: Integration
    sender: Sender


class Notifier:
    """Takes alerts, flushes groups on `tick()`, hands notifications to the deliverer."""

    def __init__(
        self,
        config: NotifyConfig,
        *,
        clock: Clock,
        deliverer: Deliverer,
        client: httpx.AsyncClient,
        silences: SilenceSource,
        pager: Pager | None = None,
    ) -> None:
        self._clock = clock
        self._deliverer = deliverer
        self._client = client
        self._silences = silences
        self._pager = pager
        self._receivers = self._wire(config)
        self.dispatcher = Dispatcher(config)
        # Announced chaos windows, muting as silences do (set by the app when it reads the feed).
        self.announced: AnnouncedWindows | None = None

    @property
    def config(self) -> NotifyConfig:
        return self.dispatcher.config

    def _wire(self, config: NotifyConfig) -> dict[str, list[_Wired]]:
        wired = {
            name: [
                _Wired(i, build_sender(i, client=self._client, pager=self._pager))
                for i in receiver.integrations
            ]
            for name, receiver in config.receivers.items()
        }
        for name, senders in wired.items():
            for w in senders:
                self._deliverer.expect(name, w.sender.kind)
        return wired

    def reconfigure(self, config: NotifyConfig) -> None:
        """Swap in a configuration; if any receiver cannot be built the old one stays."""
        receivers = self._wire(config)
        self._receivers = receivers
        self.dispatcher.reconfigure(config, self._clock.now())

    def reload(self, path: Path) -> None:
        self.reconfigure(load_config_file(path))
        log.warning("notification configuration loaded from %s", path)

    def has_receiver(self, name: str) -> bool:
        return name in self._receivers

    def receive(self, alert: Alert) -> None:
        self.dispatcher.ingest(alert, self._clock.now())

    async def tick(self) -> list[Notification]:
        """Flush what is due now and start delivering it; returns what was sent."""
        now = self._clock.now()
        mutes = await self._silences()
        if self.announced is not None:
            mutes += self.announced.windows(now)
        due = self.dispatcher.due(now, mutes)
        for notification in due:
            self.send(notification.receiver, Notice(notification.message))
        return due

    def send(self, receiver: str, notice: Notice, on_delivered: OnDelivered | None = None) -> None:
        wired = self._receivers[receiver]
        senders = [w.sender for w in wired if w.integration.send_resolved or not notice.resolved]
        self._deliverer.submit(receiver, senders, notice, on_delivered)
