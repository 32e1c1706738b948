"""The configured receivers behind one `send`, by name: what the notifier's flushed groups
and on-call's escalation steps go out through.

It is built before both, so the wiring reads top to bottom with no cycle:

    receivers = Receivers(config, client=http, deliverer=deliverer)
    escalator = Escalator(..., deliver=receivers.send)          # steps reach people
    notifier = Notifier(config, receivers=receivers, pager=RecordedPager(escalator), ...)

An `oncall_configs` integration opens a page, so it needs the pager only the notifier holds:
the notifier passes it with each send. An escalation step passes none: the page that
integration would open is the page escalating, which carries the group already.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from jwtpizza.ops.notify.config import Integration, NotifyConfig
from jwtpizza.ops.notify.delivery import Deliverer, OnDelivered
from jwtpizza.ops.notify.receivers import Notice, Pager, PagerSender, Sender, build_sender


@dataclass(frozen=True)
class _Wired:
    integration: Integration
    sender: Sender | None  # None for `oncall_configs`: its sender is made with the pager


class _PagedAlready:
    """An escalation step's notice to a receiver that pages: nothing left to open."""

    kind = "oncall"

    async def send(self, notice: Notice) -> None:
        return None


class Receivers:
    """Each configured receiver's senders; `send` hands a notice to the deliverer."""

    def __init__(
        self, config: NotifyConfig, *, client: httpx.AsyncClient, deliverer: Deliverer
    ) -> None:
        self._client = client
        self._deliverer = deliverer
        self._wired = self._wire(config)

    def _wire(self, config: NotifyConfig) -> dict[str, list[_Wired]]:
        wired = {
            name: [_Wired(i, self._sender(i)) for i in receiver.integrations]
            for name, receiver in config.receivers.items()
        }
        for name, integrations in wired.items():
            for w in integrations:
                self._deliverer.expect(name, w.integration.kind)
        return wired

    def _sender(self, integration: Integration) -> Sender | None:
        if integration.kind == "oncall":
            return None
        return build_sender(integration, client=self._client)

    def reconfigure(self, config: NotifyConfig) -> None:
        """Swap in a configuration's receivers; if any cannot be built the old ones stay."""
        self._wired = self._wire(config)

    def send(
        self,
        receiver: str,
        notice: Notice,
        on_delivered: OnDelivered | None = None,
        *,
        pager: Pager | None = None,
    ) -> None:
        """Deliver through each of the receiver's integrations (a resolved notice only where
        `send_resolved`); an unknown receiver raises `KeyError`."""
        wired = self._wired[receiver]
        senders = [
            w.sender or _pager_sender(w.integration, pager)
            for w in wired
            if w.integration.send_resolved or not notice.resolved
        ]
        self._deliverer.submit(receiver, senders, notice, on_delivered)


def _pager_sender(integration: Integration, pager: Pager | None) -> Sender:
    if pager is None:
        return _PagedAlready()
    return PagerSender(pager, str(integration.options.get("policy", "default")))
