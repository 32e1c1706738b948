"""Senders: how one receiver integration delivers a notice.

Email, Slack, SMS (Twilio) and push (ntfy) go through `apprise`. The generic webhook uses
httpx: apprise's JSON plugin posts its own envelope (`version`, `title`, `message`, `type`)
and cannot post Alertmanager's nested payload (`alerts[]` with labels and times) as is, so
a webhook built on it would not be Alertmanager-compatible.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import apprise
import httpx
from apprise.plugins.slack import NotifySlack
from apprise.plugins.twilio import NotifyTwilio

from jwtpizza.ops.notify.config import Integration, NotifyConfigError
from jwtpizza.ops.notify.domain import Status
from jwtpizza.ops.notify.payload import WebhookMessage, to_json

log = logging.getLogger("jwtpizza.ops.notify")


class DeliveryFailed(Exception):
    """A sender could not deliver; the message names no secret (URLs carry tokens)."""


@dataclass(frozen=True)
class Notice:
    """What a receiver gets: the group's payload and, for a page, its acknowledge link."""

    message: WebhookMessage
    ack_url: str | None = None

    @property
    def resolved(self) -> bool:
        return self.message.status is Status.RESOLVED

    def title(self) -> str:
        """Alertmanager's default subject: `[FIRING:2] HighErrorRate (service critical)`."""
        firing = sum(1 for a in self.message.alerts if a.status is Status.FIRING)
        head = f"[FIRING:{firing}]" if firing else "[RESOLVED]"
        values = " ".join(self.message.group_labels[k] for k in sorted(self.message.group_labels))
        name = self.message.common_labels.get("alertname") or _shared_name(self.message)
        return " ".join(part for part in (head, name, f"({values})" if values else "") if part)

    def body(self) -> str:
        lines = []
        for alert in self.message.alerts:
            summary = alert.annotations.get("summary") or alert.labels.get("alertname", "")
            lines.append(f"{alert.status.value.upper()}: {summary}")
            if runbook := alert.annotations.get("runbook_url"):
                lines.append(f"  runbook: {runbook}")
        if self.ack_url:
            lines.append(f"Acknowledge: {self.ack_url}")
        return "\n".join(lines)


def _shared_name(message: WebhookMessage) -> str:
    """The alert name all alerts share (Alertmanager may leave `commonLabels` out)."""
    names = {alert.labels.get("alertname", "") for alert in message.alerts}
    return names.pop() if len(names) == 1 else ""


class Sender(Protocol):
    kind: str

    async def send(self, notice: Notice) -> None:
        """Deliver or raise `DeliveryFailed`."""
        ...


class Pager(Protocol):
    """The on-call side, reached by an `oncall_configs` receiver (notify never imports it)."""

    async def page(self, message: WebhookMessage, *, policy: str) -> object: ...


class ConsoleSender:
    kind = "console"

    async def send(self, notice: Notice) -> None:
        log.warning("notification %s\n%s", notice.title(), notice.body())


class WebhookSender:
    kind = "webhook"

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self._url = url
        self._client = client

    async def send(self, notice: Notice) -> None:
        payload = to_json(notice.message)
        if notice.ack_url:
            payload["ackURL"] = notice.ack_url
        try:
            response = await self._client.post(self._url, json=payload)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook unreachable ({type(exc).__name__})") from None
        if response.status_code >= 300:
            raise DeliveryFailed(f"webhook answered {response.status_code}")


class AppriseSender:
    """One apprise plugin instance; apprise is blocking, so it runs in a thread."""

    def __init__(self, kind: str, plugin: Any) -> None:
        self.kind = kind
        self._apprise = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
        if not self._apprise.add(plugin):
            raise NotifyConfigError(f"{kind}: apprise refused the configuration")

    async def send(self, notice: Notice) -> None:
        sent = await asyncio.to_thread(
            self._apprise.notify, title=notice.title(), body=notice.body()
        )
        if not sent:
            raise DeliveryFailed(f"{self.kind}: the service did not accept the notification")


class PagerSender:
    kind = "oncall"

    def __init__(self, pager: Pager, policy: str) -> None:
        self._pager = pager
        self._policy = policy

    async def send(self, notice: Notice) -> None:
        await self._pager.page(notice.message, policy=self._policy)


def _require(options: dict[str, Any], kind: str, *names: str) -> list[str]:
    missing = [n for n in names if not options.get(n)]
    if missing:
        raise NotifyConfigError(f"{kind}_configs: missing {', '.join(missing)}")
    return [str(options[n]) for n in names]


def _plugin(url: str, kind: str, cls: Any = None) -> Any:
    """An apprise plugin for `url`, of `cls` when the provider's host is overridden."""
    with warnings.catch_warnings():
        # apprise's email plugin imports the stdlib `imghdr` shim, deprecated since 3.11.
        warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
        if cls is None:
            plugin = apprise.Apprise.instantiate(url)
        else:
            parsed = cls.parse_url(url)
            plugin = cls(**parsed) if parsed else None
    if plugin is None:
        raise NotifyConfigError(f"{kind}_configs: apprise cannot use this configuration")
    return plugin


def email_plugin(options: dict[str, Any]) -> Any:
    """SMTP through apprise's `mailto://` (`mailtos://` when TLS is required)."""
    to, sender, smarthost = _require(options, "email", "to", "from", "smarthost")
    host, _, port = smarthost.rpartition(":")
    if not host or not port.isdigit():
        raise NotifyConfigError("email_configs: smarthost must be host:port")
    user, password = options.get("auth_username"), options.get("auth_password")
    credentials = f"{quote(str(user), safe='')}:{quote(str(password), safe='')}@" if user else ""
    tls = bool(options.get("require_tls", True))  # as Alertmanager: no plaintext by default
    query = {"from": sender, "to": to, "smtp": host, "mode": "starttls" if tls else "insecure"}
    scheme = "mailtos" if tls else "mailto"
    return _plugin(f"{scheme}://{credentials}{host}:{port}?{urlencode(query)}", "email")


def _api_base(options: dict[str, Any], kind: str) -> str | None:
    base = options.get("api_url")
    if base is None:
        return None
    parts = urlsplit(str(base))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NotifyConfigError(f"{kind}_configs: api_url must be an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}"


def slack_plugin(options: dict[str, Any]) -> Any:
    """Slack's incoming webhook (`https://hooks.slack.com/services/A/B/C`). Like Alertmanager's
    `api_url`, the host may be replaced (a Slack-compatible server, or a test's fake)."""
    (webhook,) = _require(options, "slack", "webhook_url")
    parts = urlsplit(webhook)
    tokens = [t for t in parts.path.split("/") if t][-3:]
    if len(tokens) != 3:
        raise NotifyConfigError("slack_configs: webhook_url must end in /services/A/B/C")
    channel = str(options.get("channel", "")).lstrip("#")
    url = "slack://" + "/".join(tokens) + (f"/{quote('#' + channel)}" if channel else "")
    if parts.netloc == "hooks.slack.com":
        return _plugin(url, "slack")
    base = f"{parts.scheme}://{parts.netloc}/services"
    return _plugin(url, "slack", type("SlackAt", (NotifySlack,), {"webhook_url": base}))


def twilio_plugin(options: dict[str, Any]) -> Any:
    """SMS through Twilio's Messages API; `api_url` replaces `https://api.twilio.com`."""
    sid, token, sender, to = _require(options, "twilio", "account_sid", "auth_token", "from", "to")
    url = f"twilio://{quote(sid, safe='')}:{quote(token, safe='')}@{quote(sender)}/{quote(to)}"
    base = _api_base(options, "twilio")
    if base is None:
        return _plugin(url, "twilio")
    messages = base + "/2010-04-01/Accounts/{sid}/Messages.json"
    return _plugin(url, "twilio", type("TwilioAt", (NotifyTwilio,), {"notify_sms_url": messages}))


def ntfy_plugin(options: dict[str, Any]) -> Any:
    """Push through an ntfy server (ntfy.sh or self-hosted)."""
    server, topic = _require(options, "ntfy", "url", "topic")
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NotifyConfigError("ntfy_configs: url must be an http(s) URL")
    scheme = "ntfys" if parts.scheme == "https" else "ntfy"
    query = f"?priority={options['priority']}" if options.get("priority") else ""
    return _plugin(f"{scheme}://{parts.netloc}/{quote(topic)}{query}", "ntfy")


APPRISE_PLUGINS = {
    "email": email_plugin,
    "slack": slack_plugin,
    "twilio": twilio_plugin,
    "ntfy": ntfy_plugin,
}


def build_sender(integration: Integration, *, client: httpx.AsyncClient) -> Sender:
    """The sender for one configured integration other than `oncall_configs` (which pages
    through on-call: see `outbound.Receivers`); a bad configuration raises here, at load."""
    options = integration.options
    if integration.kind == "console":
        return ConsoleSender()
    if integration.kind == "webhook":
        (url,) = _require(options, "webhook", "url")
        return WebhookSender(url, client)
    return AppriseSender(integration.kind, APPRISE_PLUGINS[integration.kind](options))
