"""Alert state (pending or firing, and since when) kept in ops' database.

The leader saves what changed after each evaluation round; a process that becomes leader
(a restart, or a standby taking over) restores it before it evaluates, so a rule that was
firing keeps firing with its first `activeAt` and fired time, and a pending one keeps
counting its `for` from when it started. A round whose save the database refuses is saved
by the next round (the difference is taken from what was last written).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from jwtpizza.db import Database
from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.alerts.models import AlertStateRow
from jwtpizza.ops.errors import refusal
from jwtpizza.ops.rules.alerting import Alert, AlertingRule, Change
from jwtpizza.ops.rules.service import RuleManager, alert_transition, to_datetime

log = logging.getLogger("jwtpizza.ops.alerts")

# What a save compares: the state and its times (a new value alone is not written).
Saved = tuple[str, int, int | None]


def state_key(group: str, rule: str, alert: Alert) -> str:
    text = "\n".join([group, rule, *(f"{k}={v}" for k, v in alert.labels)])
    return hashlib.sha256(text.encode()).hexdigest()


def _ms(at: datetime) -> int:
    return int(at.replace(tzinfo=at.tzinfo or UTC).timestamp() * 1000)


@dataclass(frozen=True)
class _Held:
    group: str
    rule: AlertingRule
    alert: Alert

    def saved(self) -> Saved:
        return (self.alert.state.value, self.alert.active_at, self.alert.fired_at)

    def row(self, key: str) -> AlertStateRow:
        alert = self.alert
        return AlertStateRow(
            key=key,
            group=self.group,
            rule=self.rule.spec.name,
            labels=dict(alert.labels),
            annotations=alert.annotations,
            state=alert.state.value,
            value=alert.value,
            active_at=to_datetime(alert.active_at),
            fired_at=to_datetime(alert.fired_at),
        )


def _held(rules: RuleManager) -> dict[str, _Held]:
    return {
        state_key(group.spec.name, rule.spec.name, alert): _Held(group.spec.name, rule, alert)
        for group in rules.groups
        for rule in group.rules
        if isinstance(rule, AlertingRule)
        for alert in rule.active.values()
        if alert.state in (AlertState.PENDING, AlertState.FIRING)
    }


def firing_transition(rule: str, alert: Alert, at: datetime) -> AlertTransition:
    """A restored firing alert, as the notifier of a new leader takes it up (a firing
    alert has no resolved time)."""
    return alert_transition(rule, Change(alert, AlertState.PENDING, AlertState.FIRING), at)


class AlertStates:
    """Saves and restores the rules' pending and firing alerts."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._written: dict[str, Saved] = {}
        self._refused = False

    async def save(self, rules: RuleManager) -> bool:
        """Write what changed since the last save; False if the database refused it."""
        held = _held(rules)
        now = {key: h.saved() for key, h in held.items()}
        changed = [key for key, saved in now.items() if self._written.get(key) != saved]
        gone = [key for key in self._written if key not in now]
        if not changed and not gone:
            return True
        try:
            async with self._db.writer() as session:
                if gone:
                    await session.execute(delete(AlertStateRow).where(AlertStateRow.key.in_(gone)))
                for key in changed:
                    await session.merge(held[key].row(key))
        except SQLAlchemyError as error:
            if not self._refused:
                log.error("alert state not saved, the next round tries again: %s", refusal(error))
            self._refused = True
            return False
        self._refused = False
        self._written = now
        return True

    async def restore(self, rules: RuleManager) -> list[tuple[str, Alert]]:
        """Replace the rules' alerts by the saved ones; the firing ones (rule name, alert)."""
        async with self._db.reader() as session:
            rows = list(await session.scalars(select(AlertStateRow)))
        by_name = {
            (group.spec.name, rule.spec.name): rule
            for group in rules.groups
            for rule in group.rules
            if isinstance(rule, AlertingRule)
        }
        for rule in by_name.values():
            rule.active.clear()
        firing: list[tuple[str, Alert]] = []
        self._written = {}
        for row in rows:
            found = by_name.get((row.group, row.rule))
            if found is None:  # the rule is gone from the files: the next save deletes it
                self._written[row.key] = (row.state, 0, None)
                continue
            alert = _alert(row)
            found.active[alert.labels] = alert
            self._written[row.key] = (alert.state.value, alert.active_at, alert.fired_at)
            if alert.state is AlertState.FIRING:
                firing.append((found.spec.name, alert))
        if rows:
            log.warning("restored %d pending or firing alerts", len(rows))
        return firing


def _alert(row: AlertStateRow) -> Alert:
    labels = tuple(sorted((str(k), str(v)) for k, v in row.labels.items()))
    return Alert(
        labels=labels,
        annotations={str(k): str(v) for k, v in row.annotations.items()},
        value=row.value,
        active_at=_ms(row.active_at),
        state=AlertState(row.state),
        fired_at=None if row.fired_at is None else _ms(row.fired_at),
    )
