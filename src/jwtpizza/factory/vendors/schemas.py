"""API models for vendors, login codes and partner connections."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class VendorCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    website: str | None = Field(default=None, max_length=500)
    gitHubUrl: str | None = Field(default=None, max_length=500)


class CodeRequest(BaseModel):
    id: str | None = None


class CodeExchange(BaseModel):
    id: str | None = None
    code: str | None = None


class ConnectRequest(BaseModel):
    purpose: str | None = None


class RatingRequest(BaseModel):
    id: str | None = None
    purpose: str | None = None
    rating: int = Field(ge=0, le=5)
