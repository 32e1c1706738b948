"""Login sessions (one row per issued token, so logout revokes exactly that token) and the
events the login and registration limits count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.db import UtcDateTime
from jwtpizza.service.database import Base


class Session(Base):
    __tablename__ = "sessions"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class LimitEvent(Base):
    """One counted event (a login attempt, a registration) under a hashed limit key, kept in
    the database so that every worker and replica counts against the same allowance. A login
    attempt's row is unsettled while it runs and becomes a failure (settled) unless it
    succeeds, when it is deleted."""

    __tablename__ = "limit_events"
    __table_args__ = (
        Index("ix_limit_events_key_expires_at", "key", "expires_at"),
        Index("ix_limit_events_expires_at", "expires_at"),
        Index("ix_limit_events_attempt", "attempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[str | None] = mapped_column(String(32))
    settled: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
