"""Incident vocabulary with no I/O: the lifecycle, severities and roles.

    active ──► mitigated ──► resolved ──► postmortem_written
       │  ◄──────┘ (regressed)  ▲
       └────────────────────────┘

The transitions live in one table; nothing moves an incident along an edge it does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jwtpizza.errors import Conflict, InvalidInput


class IncidentStatus(StrEnum):
    ACTIVE = "active"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    POSTMORTEM_WRITTEN = "postmortem_written"


ALLOWED_TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.ACTIVE: frozenset({IncidentStatus.MITIGATED, IncidentStatus.RESOLVED}),
    IncidentStatus.MITIGATED: frozenset({IncidentStatus.ACTIVE, IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.POSTMORTEM_WRITTEN}),
    IncidentStatus.POSTMORTEM_WRITTEN: frozenset(),
}
OPEN = frozenset({IncidentStatus.ACTIVE, IncidentStatus.MITIGATED})


class IllegalTransition(Conflict):
    """An incident was asked to move along an edge its lifecycle does not have."""


def check_move(current: IncidentStatus, target: IncidentStatus) -> None:
    """Raise `IllegalTransition` unless the lifecycle has the edge `current → target`."""
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "nothing"
        raise IllegalTransition(
            f"a {current} incident cannot become {target} (it can become: {allowed})"
        )


def check_open(status: IncidentStatus, action: str) -> None:
    """Refuse `action` on an incident that is resolved or has its postmortem."""
    if status not in OPEN:
        raise IllegalTransition(f"cannot {action}: the incident is {status}")


class Severity(StrEnum):
    """Reference §4.1's severity table, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    INFORMATIONAL = "informational"


@dataclass(frozen=True)
class SeverityPolicy:
    example: str
    response: str
    expected_resolution: str


SEVERITY_POLICY: dict[Severity, SeverityPolicy] = {
    Severity.CRITICAL: SeverityPolicy("site down", "entire staff paged", "immediate"),
    Severity.HIGH: SeverityPolicy("major subsystem broken", "entire associated team", "immediate"),
    Severity.MODERATE: SeverityPolicy(
        "intermittent loss", "one member of the associated team", "immediate"
    ),
    Severity.LOW: SeverityPolicy("minor, few users", "priority ticket", "24 h"),
    Severity.INFORMATIONAL: SeverityPolicy(
        "benign observation", "non-urgent communication", "1-7 days"
    ),
}

# An alert's `severity` label, as the rules write it, to an incident severity.
_ALERT_SEVERITY = {"critical": Severity.CRITICAL, "page": Severity.CRITICAL, "high": Severity.HIGH}


def severity_of_alert(label: str | None) -> Severity:
    return _ALERT_SEVERITY.get((label or "").lower(), Severity.MODERATE)


def parse_severity(value: str) -> Severity:
    try:
        return Severity(value.lower())
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise InvalidInput(f"severity: unknown severity {value!r} (use one of {known})") from None


ROLES = ("commander", "communications", "scribe", "operations")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role: unknown role {role!r} (use one of {', '.join(ROLES)})")
    return role
