"""API shapes for register, login and logout."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.service.users.schemas import UserPublic


class RegisterIn(BaseModel):
    # Fields are optional here so a missing one gets the original's exact message.
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    password: str | None = None


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str | None = None
    password: str | None = None


class AuthOut(BaseModel):
    user: UserPublic
    token: str
