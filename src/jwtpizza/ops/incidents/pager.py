"""How an incident reaches people: the desk and the runbooks page and acknowledge through a
`Pager` given at construction (on-call's, `jwtpizza.ops.incidents.oncall_bridge`)."""

from __future__ import annotations

from typing import Protocol


class Pager(Protocol):
    async def page(self, incident_id: int, text: str) -> None:
        """Page a person about the incident (through the escalation chain)."""

    async def acknowledge(self, incident_id: int, by: str) -> None:
        """Acknowledge the incident's open pages."""
