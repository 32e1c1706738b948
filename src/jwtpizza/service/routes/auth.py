"""Routes under /api/auth: register, login, logout."""

from __future__ import annotations

from fastapi import APIRouter

from jwtpizza.errors import JwtPizzaError, NotFound
from jwtpizza.service.auth import service
from jwtpizza.service.auth.ratelimit import held_when_refused
from jwtpizza.service.auth.schemas import AuthOut, LoginIn, RegisterIn
from jwtpizza.service.routes.deps import ClientAddress, ContextDep, CurrentUser

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("")
async def register(body: RegisterIn, context: ContextDep, address: ClientAddress) -> AuthOut:
    """Register a new diner (a limited number per client address)."""
    async with held_when_refused(context.clock, context.settings.refused_answer_delay_seconds):
        user, token = await service.register(
            db=context.db,
            name=body.name,
            email=body.email,
            password=body.password,
            address=address,
            limiter=context.registrations,
            settings=context.tokens,
            now=context.clock.now(),
        )
    return AuthOut(user=user, token=token)


@router.get("", include_in_schema=False)
async def no_such_endpoint() -> None:
    """The original serves no GET here: clients written for it expect its catch-all's 404
    (Starlette would answer 405)."""
    raise NotFound("unknown endpoint")


@router.put("")
async def login(body: LoginIn, context: ContextDep, address: ClientAddress) -> AuthOut:
    """Log in with email and password."""
    try:
        async with held_when_refused(context.clock, context.settings.refused_answer_delay_seconds):
            user, token = await service.login(
                db=context.db,
                email=body.email,
                password=body.password,
                address=address,
                limiter=context.limiter,
                settings=context.tokens,
                now=context.clock.now(),
            )
    except JwtPizzaError:
        context.metrics.auth_attempt(success=False)
        raise
    context.metrics.auth_attempt(success=True)
    return AuthOut(user=user, token=token)


@router.delete("")
async def logout(context: ContextDep, user: CurrentUser) -> dict[str, str]:
    """Log out: revoke this token."""
    async with context.db.writer() as session:
        await service.logout(session=session, principal=user)
    return {"message": "logout successful"}
