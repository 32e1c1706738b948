"""Incidents, their roles, the alerts that joined them, and their timeline entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.db import UtcDateTime
from jwtpizza.ops.base import Base


class Incident(Base):
    __tablename__ = "ops_incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    # Alerts with the same group join the open incident of that group.
    group_key: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    mitigated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    postmortem_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    root_cause: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)


class IncidentRole(Base):
    __tablename__ = "ops_incident_role"
    __table_args__ = (UniqueConstraint("incident_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("ops_incident.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    person: Mapped[str] = mapped_column(String(200))


class IncidentAlert(Base):
    """An alert (rule and label set) that joined an incident, with its latest state."""

    __tablename__ = "ops_incident_alert"
    __table_args__ = (UniqueConstraint("incident_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("ops_incident.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IncidentEntry(Base):
    """One timeline entry; `key` names the fact, so a fact is recorded once per incident."""

    __tablename__ = "ops_incident_entry"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("ops_incident.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    source: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(2000))
    key: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
