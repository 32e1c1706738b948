"""Who is calling: the user behind a valid, unrevoked token, with roles read fresh from the
database on every request (the original froze roles into the token)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jwtpizza.service.users.models import Role


@dataclass(frozen=True)
class Principal:
    id: int
    name: str
    email: str
    issued_at: int
    token_id: str
    roles: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    @property
    def is_admin(self) -> bool:
        return any(role == Role.ADMIN for role, _ in self.roles)

    def franchise_ids(self) -> set[int]:
        return {object_id for role, object_id in self.roles if role == Role.FRANCHISEE}

    def may_manage_franchise(self, franchise_id: int) -> bool:
        return self.is_admin or franchise_id in self.franchise_ids()
