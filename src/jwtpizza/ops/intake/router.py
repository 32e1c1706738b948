"""`POST /api/ops/alertmanager`: a real Alertmanager's webhook receiver.

Configure Alertmanager with

    receivers:
      - name: jwt-pizza-ops
        webhook_configs:
          - url: http://ops:3300/api/ops/alertmanager?policy=default
            http_config: {authorization: {credentials: <JWTPIZZA_OPS_INTAKE_TOKEN>}}

Each alert becomes an alert transition on the bus (history, incidents) and the group opens,
refreshes or resolves a page under the named escalation policy. The dead man's switch never
pages: a `Watchdog` sent here counts as a heartbeat, as on `POST /api/ops/heartbeat`.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from jwtpizza.errors import Unavailable
from jwtpizza.ops.deps import ContextDep
from jwtpizza.ops.heartbeat.watch import take_heartbeats
from jwtpizza.ops.intake.service import check_size, transitions_of
from jwtpizza.ops.notify.payload import WebhookMessage
from jwtpizza.ops.oncall.intake_auth import intake_caller
from jwtpizza.ops.oncall.notify_oncall import PagingDep

router = APIRouter(prefix="/api/ops", tags=["intake"])


@router.post("/alertmanager", dependencies=[Depends(intake_caller)])
async def alertmanager(
    message: WebhookMessage,
    request: Request,
    paging: PagingDep,
    context: ContextDep,
    policy: str = Query(default="default", max_length=100),
) -> dict[str, object]:
    """Take one notification of a real Alertmanager (webhook payload version 4). Its Watchdog
    alerts are heartbeats, kept by every process. A standby answers the rest with 503, which
    Alertmanager retries: give it every ops process's URL, and the leader (or the standby that
    takes over) takes the notification."""
    rest = take_heartbeats(request.app.state.ops.heartbeat, message, context.clock.now())
    if rest is None:
        return {"message": "accepted", "alerts": 0, "page": None}
    message = rest
    if not context.leadership.is_leader():
        raise Unavailable("this ops is a standby: the leader takes Alertmanager's notifications")
    settings = context.settings
    check_size(
        message, max_alerts=settings.intake_max_alerts, max_groups=settings.intake_max_groups
    )
    for transition in transitions_of(message, now=context.clock.now()):
        await context.bus.publish(transition)
    page = await paging.escalator.page(message, policy=policy, source="alertmanager")
    return {"message": "accepted", "alerts": len(message.alerts), "page": page.id if page else None}
