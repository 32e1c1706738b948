"""Pizzas kept by idempotency key, so a retried order returns the same pizza."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.factory.base import Base, UtcDateTime


class Pizza(Base):
    __tablename__ = "pizza"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor.id", ondelete="CASCADE"), primary_key=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    jwt: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
