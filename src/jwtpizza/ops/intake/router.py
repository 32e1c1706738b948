"""`POST /api/ops/alertmanager`: a real Alertmanager's webhook receiver.

Configure Alertmanager with

    receivers:
      - name: jwt-pizza-ops
        webhook_configs:
          - url: http://ops:3300/api/ops/alertmanager?policy=default
            http_config: {authorization: {credentials: <JWTPIZZA_OPS_INTAKE_TOKEN>}}

Each alert becomes an alert transition on the bus (history, incidents) and the group opens,
refreshes or resolves a page under the named escalation policy.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Header, Query

from jwtpizza.errors import Unauthorized, Unavailable
from jwtpizza.ops.deps import ContextDep, bearer_token
from jwtpizza.ops.intake.service import transitions_of
from jwtpizza.ops.notify.payload import WebhookMessage
from jwtpizza.ops.oncall.paging import PagingDep

router = APIRouter(prefix="/api/ops", tags=["intake"])


def check_token(expected: str | None, authorization: str | None) -> None:
    if expected is None:
        raise Unavailable("the Alertmanager intake is off: set JWTPIZZA_OPS_INTAKE_TOKEN")
    presented = bearer_token(authorization) or ""
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized("unauthorized")


@router.post("/alertmanager")
async def alertmanager(
    message: WebhookMessage,
    paging: PagingDep,
    context: ContextDep,
    policy: str = Query(default="default", max_length=100),
    authorization: str | None = Header(default=None, include_in_schema=False),
) -> dict[str, object]:
    """Take one notification of a real Alertmanager (webhook payload version 4)."""
    check_token(paging.oncall_settings.intake_secret(), authorization)
    for transition in transitions_of(message, now=context.clock.now()):
        await context.bus.publish(transition)
    page = await paging.escalator.page(message, policy=policy, source="alertmanager")
    return {"message": "accepted", "alerts": len(message.alerts), "page": page.id if page else None}
