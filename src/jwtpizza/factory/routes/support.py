"""The report link that ends a fault: `/api/support/<fault token>/report/<fix code>`."""

from __future__ import annotations

from fastapi import APIRouter

from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.routes.deps import ContextDep, SessionDep

router = APIRouter(prefix="/api/support", tags=["support"])


@router.get("/{token}/report/{fix_code}")
async def report_problem(
    token: str, fix_code: str, session: SessionDep, context: ContextDep
) -> dict[str, str]:
    """End the fault behind a report link if the fix code is right."""
    message, ended_for = await chaos.report(
        session=session, token=token, fix_code=fix_code, now=context.clock.now()
    )
    context.vendor_cache.forget_on_commit(session)  # the token, not the vendor, is known here
    if ended_for is not None:
        context.chaos_gauge.show(ended_for, None)
    return {"message": message}
