"""API shapes of incidents: declaring, acting on one, and reading it with its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from jwtpizza.ops.incidents.lifecycle import Severity
from jwtpizza.ops.incidents.models import Incident
from jwtpizza.ops.incidents.timeline import Entry


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class IncidentCreate(CamelModel):
    title: str = Field(min_length=1, max_length=200)
    severity: Severity = Severity.HIGH
    commander: str | None = Field(default=None, max_length=200)


class NoteIn(CamelModel):
    text: str = Field(min_length=1, max_length=2000)
    public: bool = False


class LinkIn(CamelModel):
    url: str = Field(min_length=1, max_length=2000)
    title: str = Field(min_length=1, max_length=200)


class RoleIn(CamelModel):
    role: str
    person: str = Field(min_length=1, max_length=200)


class MoveIn(CamelModel):
    why: str = Field(default="", max_length=500)


class EntryOut(CamelModel):
    at: datetime
    source: str
    kind: str
    text: str
    evidence: str | None
    public: bool
    data: dict[str, Any]

    @classmethod
    def of(cls, entry: Entry) -> EntryOut:
        return cls(
            at=entry.at,
            source=entry.source,
            kind=entry.kind,
            text=entry.text,
            evidence=entry.evidence,
            public=entry.public,
            data=dict(entry.data),
        )


class IncidentOut(CamelModel):
    id: int
    title: str
    severity: str
    status: str
    declared_by: str
    declared_at: datetime
    acked_at: datetime | None
    acked_by: str | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    postmortem_at: datetime | None
    root_cause: str | None
    roles: dict[str, str] = Field(default_factory=dict)
    timeline: list[EntryOut] | None = None
    # How many pages escalated the incident's alerts (1 when one fault paged once); shown
    # with one incident, not in the list.
    pages: int | None = None

    @classmethod
    def of(
        cls,
        incident: Incident,
        *,
        roles: dict[str, str] | None = None,
        timeline: list[Entry] | None = None,
        pages: int | None = None,
    ) -> IncidentOut:
        fields = {
            name: getattr(incident, name)
            for name in cls.model_fields
            if name not in ("roles", "timeline", "pages")
        }
        return cls(
            **fields,
            roles=roles or {},
            pages=pages,
            timeline=None if timeline is None else [EntryOut.of(e) for e in timeline],
        )


class ReportOut(CamelModel):
    incident_id: int
    file_name: str
    markdown: str
    status: str
