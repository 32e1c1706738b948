"""Vendor accounts, their one-time login codes, and pen-test partner connections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.factory.base import Base, UtcDateTime


class Vendor(Base):
    __tablename__ = "vendor"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(500))
    github_url: Mapped[str | None] = mapped_column(String(500))
    api_key: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UtcDateTime())


class AuthCode(Base):
    """At most one live code per vendor, stored as a hash, with an expiry and an attempt count."""

    __tablename__ = "auth_code"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UtcDateTime())
    expires: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Connection(Base):
    """One row per (vendor, purpose); `partner_id` is null while waiting for a partner."""

    __tablename__ = "connection"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(
        ForeignKey("vendor.id", ondelete="SET NULL"), index=True
    )
    created: Mapped[datetime] = mapped_column(UtcDateTime())
    rating: Mapped[int] = mapped_column(Integer, default=0)
