"""Silences, stored so they outlive a restart and every replica sees the same ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.db import UtcDateTime
from jwtpizza.ops.base import Base


class Silence(Base):
    __tablename__ = "ops_silence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Alertmanager's API shape: [{"name", "value", "isRegex", "isEqual"}, ...]
    matchers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
