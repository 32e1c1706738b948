"""The tables of the login-code limit (`ratelimit.py` reads and writes them through the
raw-SQL door); declared here so the migrations' metadata holds every factory table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.factory.base import Base, UtcDateTime


class CodeLimitEvent(Base):
    """One counted code request, under a hashed key (vendor id or client address)."""

    __tablename__ = "code_limit_events"
    __table_args__ = (
        Index("ix_code_limit_events_limit_key_expires_at", "limit_key", "expires_at"),
        Index("ix_code_limit_events_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    limit_key: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CodeLimitLock(Base):
    """The one row every check-and-count locks first, so replicas count one at a time."""

    __tablename__ = "code_limit_lock"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
