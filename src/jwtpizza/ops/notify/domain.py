"""The alert as notification sees it, with Alertmanager's identity and status rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

FNV64_OFFSET = 0xCBF29CE484222325
FNV64_PRIME = 0x100000001B3
SEPARATOR = 0xFF


class Status(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


def fingerprint(labels: dict[str, str]) -> str:
    """Prometheus's label-set fingerprint: FNV-1a 64 over sorted names and values, in hex."""
    digest = FNV64_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode():
                digest = ((digest ^ byte) * FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
            digest = ((digest ^ SEPARATOR) * FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


@dataclass(frozen=True)
class Alert:
    """One alert instance; it is resolved once `ends_at` has passed."""

    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")

    def status(self, now: datetime) -> Status:
        if self.ends_at is not None and self.ends_at <= now:
            return Status.RESOLVED
        return Status.FIRING
