"""`POST /api/ops/heartbeat`: a real Alertmanager's heartbeat receiver (the Watchdog route);
`GET /api/ops/heartbeat`: the heartbeats ops watches (admin).

    receivers:
      - name: heartbeat
        webhook_configs:
          - url: http://ops:3300/api/ops/heartbeat
            http_config: {authorization: {credentials: <JWTPIZZA_OPS_INTAKE_TOKEN>}}
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from jwtpizza.ops.deps import ContextDep, admin_user
from jwtpizza.ops.heartbeat.watch import HeartbeatWatch, beats_in, take_heartbeats
from jwtpizza.ops.notify.payload import WebhookMessage
from jwtpizza.ops.oncall.intake_auth import intake_caller

router = APIRouter(prefix="/api/ops", tags=["heartbeat"])


async def get_watch(request: Request) -> HeartbeatWatch:
    watch = request.app.state.ops.heartbeat
    assert isinstance(watch, HeartbeatWatch)
    return watch


WatchDep = Annotated[HeartbeatWatch, Depends(get_watch)]


@router.post("/heartbeat", dependencies=[Depends(intake_caller)])
async def heartbeat(
    message: WebhookMessage, watch: WatchDep, context: ContextDep
) -> dict[str, object]:
    """A firing Watchdog in the notification is a beat; anything else is ignored (a resolved
    Watchdog means its source stopped: the beats stop with it)."""
    take_heartbeats(watch, message, context.clock.now())
    return {"message": "accepted", "beat": beats_in(message)}


@router.get("/heartbeat", dependencies=[Depends(admin_user)])
async def heartbeats(watch: WatchDep) -> dict[str, object]:
    """Each watched heartbeat: its last beat and whether it has stopped (paged)."""
    return {"timeoutSeconds": watch.timeout.total_seconds(), "heartbeats": watch.status()}
