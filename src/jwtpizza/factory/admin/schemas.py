"""API models for the admin endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class RoleRequest(BaseModel):
    id: str | None = None
    roles: list[str] | None = None


class DeleteRequest(BaseModel):
    id: str | None = None
    deleteType: Literal["connection", "chaos", "all"] | None = None
    purpose: str | None = None


class LogText(BaseModel):
    message: str
