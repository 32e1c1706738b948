"""API models for orders and verification."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class OrderRequest(BaseModel):
    """Whatever the service sends; `diner` and `order` are signed as given."""

    model_config = ConfigDict(extra="allow")

    diner: dict[str, Any] | None = None
    order: dict[str, Any] | None = None


class VerifyRequest(BaseModel):
    jwt: str | None = None


class PizzaResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    jwt: str
