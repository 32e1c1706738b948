"""Alertmanager's webhook payload (version 4): what our webhook receiver sends and what
the intake accepts from a real Alertmanager. One schema, so both sides agree by construction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.ops.notify.domain import Alert, Status

# Alertmanager writes this for "no end time" (Go's zero time).
ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class WebhookAlert(_Camel):
    status: Status
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime = Field(default=ZERO_TIME, alias="endsAt")
    generator_url: str = Field(default="", alias="generatorURL")
    fingerprint: str = ""

    def to_alert(self) -> Alert:
        ends = None if self.ends_at <= ZERO_TIME else self.ends_at
        if self.status is Status.FIRING and ends is not None and ends <= self.starts_at:
            ends = None
        return Alert(
            labels=dict(self.labels),
            annotations=dict(self.annotations),
            starts_at=self.starts_at,
            ends_at=ends,
            generator_url=self.generator_url,
        )


class WebhookMessage(_Camel):
    version: str = "4"
    group_key: str = Field(alias="groupKey")
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")
    status: Status
    receiver: str
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    common_annotations: dict[str, str] = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str = Field(default="", alias="externalURL")
    alerts: list[WebhookAlert] = Field(min_length=1)


def common(maps: list[dict[str, str]]) -> dict[str, str]:
    """The entries every map shares (Alertmanager's common labels and annotations)."""
    first, *rest = maps
    return {k: v for k, v in first.items() if all(m.get(k) == v for m in rest)}


def build_message(
    *,
    receiver: str,
    group_key: str,
    group_labels: dict[str, str],
    alerts: list[Alert],
    now: datetime,
    external_url: str,
) -> WebhookMessage:
    """The payload for a group of alerts, as Alertmanager would build it at `now`."""
    items = [
        WebhookAlert(
            status=alert.status(now),
            labels=alert.labels,
            annotations=alert.annotations,
            starts_at=alert.starts_at or now,
            ends_at=alert.ends_at or ZERO_TIME,
            generator_url=alert.generator_url,
            fingerprint=alert.fingerprint,
        )
        for alert in alerts
    ]
    firing = any(item.status is Status.FIRING for item in items)
    return WebhookMessage(
        group_key=group_key,
        status=Status.FIRING if firing else Status.RESOLVED,
        receiver=receiver,
        group_labels=group_labels,
        common_labels=common([a.labels for a in alerts]),
        common_annotations=common([a.annotations for a in alerts]),
        external_url=external_url,
        alerts=items,
    )


def merged(carried: WebhookMessage, message: WebhookMessage) -> WebhookMessage:
    """`carried` with `message`'s alerts added or brought up to date (by fingerprint, else
    labels): one message for every alert that several groups sent to one page."""
    alerts = {_identity(a): a for a in carried.alerts}
    alerts.update({_identity(a): a for a in message.alerts})
    items = list(alerts.values())
    firing = any(a.status is Status.FIRING for a in items)
    return carried.model_copy(
        update={
            "alerts": items,
            "status": Status.FIRING if firing else Status.RESOLVED,
            "common_labels": common([a.labels for a in items]),
            "common_annotations": common([a.annotations for a in items]),
        }
    )


def _identity(alert: WebhookAlert) -> str:
    return alert.fingerprint or repr(sorted(alert.labels.items()))


def to_json(message: WebhookMessage) -> dict[str, object]:
    """Alertmanager's field names, times in RFC 3339 (`0001-01-01T00:00:00Z` for no end)."""
    data = message.model_dump(mode="json", by_alias=True)
    for alert in data["alerts"]:
        for key in ("startsAt", "endsAt"):
            alert[key] = alert[key].replace("+00:00", "Z")
    return data
