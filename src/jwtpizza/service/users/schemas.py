"""API shapes for users, as the original's JSON."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.service.compact import Compact


class RoleOut(Compact):
    role: str
    objectId: int | None = None


class UserPublic(BaseModel):
    id: int
    name: str
    email: str
    roles: list[RoleOut]


class UserMe(UserPublic):
    iat: int


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    password: str | None = None
    # Required to change your own email or password (not for an admin changing someone else's).
    currentPassword: str | None = Field(default=None, max_length=255)


class UserList(BaseModel):
    users: list[UserPublic]
    more: bool


class UpdatedUser(Compact):
    user: UserPublic
    token: str | None = None
