"""API shapes for the menu."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class MenuItemOut(BaseModel):
    id: int
    title: str
    image: str
    price: float
    description: str


class MenuItemCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=255)
    description: str = Field(default="", max_length=4000)
    image: str = Field(default="", max_length=1024)
    # The column is NUMERIC(12, 8): four integer digits and eight decimals.
    price: Decimal = Field(ge=0, lt=10_000, max_digits=12, decimal_places=8)
