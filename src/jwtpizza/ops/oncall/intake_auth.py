"""Who may post to ops' intake (`POST /api/ops/alertmanager` and `POST /api/ops/heartbeat`):
the caller presenting `JWTPIZZA_OPS_INTAKE_TOKEN` as a bearer token."""

from __future__ import annotations

import hmac

from fastapi import Request

from jwtpizza.errors import Unauthorized, Unavailable
from jwtpizza.http.bearer import bearer_token
from jwtpizza.ops.limits import LimitsDep, client_address
from jwtpizza.ops.oncall.notify_oncall import PagingDep


def check_token(expected: str | None, authorization: str | None) -> None:
    if expected is None:
        raise Unavailable("the Alertmanager intake is off: set JWTPIZZA_OPS_INTAKE_TOKEN")
    presented = bearer_token(authorization) or ""
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized("unauthorized")


async def intake_caller(request: Request, paging: PagingDep, limits: LimitsDep) -> None:
    """The token check, before the body is looked at; a wrong token counts against the
    caller's address and is answered late (`jwtpizza.ops.limits`)."""
    async with limits.attempt(client_address(request)):
        check_token(paging.oncall_settings.intake_secret(), request.headers.get("authorization"))
