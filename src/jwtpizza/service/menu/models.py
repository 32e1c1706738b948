"""The menu: the only source of pizza titles and prices."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jwtpizza.service.database import Base

PRICE = Numeric(12, 8)


class MenuItem(Base):
    __tablename__ = "menu_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    image: Mapped[str] = mapped_column(String(1024))
    price: Mapped[Decimal] = mapped_column(PRICE)
    description: Mapped[str] = mapped_column(Text)
