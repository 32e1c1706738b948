"""Franchises and their stores."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jwtpizza.service.database import Base


class Franchise(Base):
    __tablename__ = "franchises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    stores: Mapped[list[Store]] = relationship(
        back_populates="franchise",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="Store.id",
    )


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    franchise_id: Mapped[int] = mapped_column(
        ForeignKey("franchises.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    franchise: Mapped[Franchise] = relationship(back_populates="stores")
