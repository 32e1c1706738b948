"""API shapes for franchises and stores."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.service.compact import Compact

# Franchise and store names are listed to anonymous callers: short names keep pages small.
NAME_MAX = 100


class StoreOut(Compact):
    id: int
    name: str
    totalRevenue: float | None = None


class StoreList(BaseModel):
    stores: list[StoreOut]
    more: bool


class AdminOut(BaseModel):
    id: int
    name: str
    email: str


class FranchiseOut(Compact):
    id: int
    name: str
    admins: list[AdminOut] | None = None
    stores: list[StoreOut]


class FranchiseList(BaseModel):
    franchises: list[FranchiseOut]
    more: bool


class AdminEmail(BaseModel):
    email: str = Field(max_length=255)


class FranchiseCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    admins: list[AdminEmail] = Field(default_factory=list, max_length=20)


class FranchiseCreated(BaseModel):
    name: str
    admins: list[AdminOut]
    id: int


class StoreCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=NAME_MAX)


class StoreCreated(BaseModel):
    id: int
    franchiseId: int
    name: str
