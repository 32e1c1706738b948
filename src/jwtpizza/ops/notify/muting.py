"""Silences and inhibition: the two ways an alert is muted before it is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from jwtpizza.errors import InvalidInput
from jwtpizza.ops.notify.config import InhibitRule
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.matchers import Matcher, matches_all


@dataclass(frozen=True)
class SilenceWindow:
    """What a stored silence means to the dispatcher: matchers and a time window."""

    id: int
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def mutes(self, labels: dict[str, str], now: datetime) -> bool:
        return self.active(now) and matches_all(self.matchers, labels)


def check_new_silence(
    matchers: tuple[Matcher, ...], starts_at: datetime, ends_at: datetime
) -> None:
    """Alertmanager's rules: at least one matcher, one that rejects the empty string (a
    silence matching every alert is refused), and an end after the start."""
    if not matchers:
        raise InvalidInput("a silence needs at least one matcher")
    if all(m.matches({}) for m in matchers):
        raise InvalidInput("a silence needs a matcher that does not match the empty string")
    if ends_at <= starts_at:
        raise InvalidInput("a silence must end after it starts")


def inhibited(alert: Alert, firing: Iterable[Alert], rules: Iterable[InhibitRule]) -> bool:
    """Muted by a firing source alert of some rule (e.g. its critical twin) with the same
    values of the rule's `equal` labels. As in Alertmanager, an alert never inhibits itself,
    and when the alert matches the rule's source side too, only sources that are not
    themselves targets count (two alerts cannot mute each other)."""
    sources = list(firing)
    for rule in rules:
        if not matches_all(rule.target, alert.labels):
            continue
        two_sided = matches_all(rule.source, alert.labels)
        for source in sources:
            if source.fingerprint == alert.fingerprint:
                continue
            if not matches_all(rule.source, source.labels):
                continue
            if two_sided and matches_all(rule.target, source.labels):
                continue
            if all(source.labels.get(n, "") == alert.labels.get(n, "") for n in rule.equal):
                return True
    return False
