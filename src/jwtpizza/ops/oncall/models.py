"""Pages (one per alert group being escalated, or one per incident for every group that
joined it), each notification they sent, and the acknowledge-link tokens already used."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.db import UtcDateTime
from jwtpizza.ops.base import Base


class Page(Base):
    __tablename__ = "ops_page"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(500), index=True)
    policy: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    next_step: Mapped[int] = mapped_column(Integer)
    next_step_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The open incident whose alerts this page escalates (one page per incident), and the
    # alert groups it carries: group key -> "firing" or "resolved".
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    groups: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)


class PageNotification(Base):
    __tablename__ = "ops_page_notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("ops_page.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(200))
    receiver: Mapped[str] = mapped_column(String(200))
    integration: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class UsedAckToken(Base):
    __tablename__ = "ops_ack_token"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    page_id: Mapped[int] = mapped_column(Integer)
    used_at: Mapped[datetime] = mapped_column(UtcDateTime())
