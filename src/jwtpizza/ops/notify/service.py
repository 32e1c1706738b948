"""The notifier: configuration and dispatcher behind one object the app holds; what it
flushes goes out through the receivers (`outbound.Receivers`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from jwtpizza.clock import Clock
from jwtpizza.ops.notify.announced import AnnouncedWindows
from jwtpizza.ops.notify.config import NotifyConfig, NotifyConfigError
from jwtpizza.ops.notify.dispatch import Dispatcher, Notification
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.muting import SilenceWindow
from jwtpizza.ops.notify.outbound import Receivers
from jwtpizza.ops.notify.receivers import Notice, Pager

SilenceSource = Callable[[], Awaitable[list[SilenceWindow]]]


class Notifier:
    """Takes alerts and flushes their groups on `tick()` through the receivers; an
    `oncall_configs` receiver pages through `pager`."""

    def __init__(
        self,
        config: NotifyConfig,
        *,
        receivers: Receivers,
        clock: Clock,
        silences: SilenceSource,
        pager: Pager | None = None,
        announced: AnnouncedWindows | None = None,
    ) -> None:
        _check_paging(config, pager)
        self._receivers = receivers
        self._clock = clock
        self._silences = silences
        self._pager = pager
        # Announced chaos windows, muting as silences do.
        self._announced = announced
        self.dispatcher = Dispatcher(config)

    @property
    def config(self) -> NotifyConfig:
        return self.dispatcher.config

    def reconfigure(self, config: NotifyConfig) -> None:
        """Swap in a configuration, the receivers' too; if any receiver cannot be built the
        old one stays."""
        _check_paging(config, self._pager)
        self._receivers.reconfigure(config)
        self.dispatcher.reconfigure(config, self._clock.now())

    def receive(self, alert: Alert) -> None:
        self.dispatcher.ingest(alert, self._clock.now())

    async def tick(self) -> list[Notification]:
        """Flush what is due now and start delivering it; returns what was sent."""
        now = self._clock.now()
        mutes = await self._silences()
        if self._announced is not None:
            mutes += self._announced.windows(now)
        due = self.dispatcher.due(now, mutes)
        for notification in due:
            notice = Notice(notification.message)
            self._receivers.send(notification.receiver, notice, pager=self._pager)
        return due


def _check_paging(config: NotifyConfig, pager: Pager | None) -> None:
    pages = any(i.kind == "oncall" for r in config.receivers.values() for i in r.integrations)
    if pages and pager is None:
        raise NotifyConfigError("oncall_configs: on-call paging is not available here")
