"""Vendor accounts, email-code login, chaos initiation and pen-test partners."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Response

from jwtpizza.errors import JwtPizzaError, Unauthorized
from jwtpizza.factory.accounts import Vendor
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.schemas import ChaosRequest
from jwtpizza.factory.routes.deps import (
    ClientAddressDep,
    ContextDep,
    OptionalAdminDep,
    ReaderDep,
    SessionDep,
    VendorDep,
)
from jwtpizza.factory.vendors import service as vendors
from jwtpizza.factory.vendors.schemas import (
    CodeExchange,
    CodeRequest,
    ConnectRequest,
    RatingRequest,
    VendorCreate,
)

router = APIRouter(prefix="/api/vendor", tags=["vendor"])
SUBJECT = "BYU CS 329 JWT Pizza Factory"


@router.get("")
async def get_me(vendor: VendorDep, session: ReaderDep, context: ContextDep) -> dict[str, Any]:
    """The calling vendor, with its chaos state (never the fix code)."""
    return await vendors.view(
        session=session, vendor=vendor, now=context.clock.now(), with_key=True
    )


@router.get("/{vendor_id}")
async def exists(vendor_id: str, session: ReaderDep) -> dict[str, bool]:
    """Whether a vendor with this id exists."""
    return {"exists": await session.get(Vendor, vendor_id) is not None}


@router.post("")
async def create_vendor(
    body: VendorCreate, session: SessionDep, context: ContextDep, admin: OptionalAdminDep
) -> dict[str, Any]:
    """Create a vendor account: an admin with any email; anyone else only as
    `<id>@<configured domain>`, where the login code that gives the API key is sent."""
    if admin is None:
        body = body.model_copy(
            update={
                "email": vendors.self_registered_email(body, context.settings.vendor_email_domain)
            }
        )
    vendor = await vendors.create(session=session, vendor_in=body, now=context.clock.now())
    return await vendors.view(session=session, vendor=vendor, now=context.clock.now())


@router.put("")
async def update_vendor(
    body: VendorCreate, caller: VendorDep, session: SessionDep, context: ContextDep
) -> dict[str, Any]:
    """Update a vendor's details (yourself, or anyone as an admin); null clears a field."""
    vendor = await vendors.update(session=session, caller=caller, vendor_in=body)
    context.vendor_cache.forget_on_commit(session, vendor.id)
    return await vendors.view(
        session=session, vendor=vendor, now=context.clock.now(), with_key=vendor.id == caller.id
    )


@router.post("/code")
async def send_code(
    body: CodeRequest, session: SessionDep, context: ContextDep, address: ClientAddressDep
) -> dict[str, Any]:
    """Email a one-time login code to the vendor (a few per vendor and address at a time)."""
    settings = context.settings
    if body.id:
        await context.code_limiter.hit(vendor_id=body.id, address=address)
    vendor, code = await vendors.issue_code(
        session=session,
        vendor_id=body.id,
        now=context.clock.now(),
        ttl_seconds=settings.code_ttl_seconds,
    )
    email = vendor.email or f"{vendor.id}@{settings.vendor_email_domain or 'byu.edu'}"
    minutes = round(settings.code_ttl_seconds / 60)
    text = f"Your JWT Pizza Factory code is {code}. It expires in {minutes} minutes."
    try:
        await context.mailer.send(to=email, subject=SUBJECT, body=text)
    except Exception as exc:
        raise JwtPizzaError(f"Unable to send authorization code to {email}") from exc
    return {"email": email}


@router.post("/auth")
async def exchange_code(body: CodeExchange, context: ContextDep) -> dict[str, Any]:
    """Exchange a login code for the vendor, including its API key."""
    now = context.clock.now()
    # Its own transaction, committed even on a miss, so failed attempts are counted.
    async with context.db.writer() as session:
        vendor = await vendors.redeem_code(
            session=session,
            vendor_id=body.id,
            code=body.code,
            now=now,
            max_attempts=context.settings.code_max_attempts,
        )
        if vendor is not None:
            return await vendors.view(session=session, vendor=vendor, now=now, with_key=True)
    raise Unauthorized("Invalid code")


@router.post("/connect")
async def request_partner(
    body: ConnectRequest, vendor: VendorDep, session: SessionDep, context: ContextDep
) -> dict[str, Any]:
    """Ask for a pen-test partner; paired with the first vendor waiting for the same purpose."""
    await vendors.connect(
        session=session, vendor=vendor, purpose=body.purpose, now=context.clock.now()
    )
    return await vendors.view(
        session=session, vendor=vendor, now=context.clock.now(), with_key=True
    )


@router.put("/connect")
async def rate_partner(body: RatingRequest, vendor: VendorDep, session: SessionDep) -> Response:
    """Rate your pen-test partner from 1 to 5 stars (empty response, as the original)."""
    await vendors.rate(
        session=session, vendor=vendor, partner_id=body.id, purpose=body.purpose, rating=body.rating
    )
    return Response(status_code=200)


@router.put("/chaos/{chaos_type}")
async def initiate_chaos(
    chaos_type: str,
    vendor: VendorDep,
    session: SessionDep,
    context: ContextDep,
    body: ChaosRequest | None = Body(default=None),
) -> dict[str, str]:
    """Schedule chaos of a type for yourself (default: a random time tomorrow 08:00-14:00)."""
    request = body or ChaosRequest()
    spec = chaos.FaultSpec(
        type=chaos.parse_type(chaos_type),
        schedule=request.schedule(),
        duration_seconds=request.duration_seconds,
        params=request.params(),
    )
    await chaos.start_fault(
        session=session,
        vendor_id=vendor.id,
        spec=spec,
        now=context.clock.now(),
        rng=context.rng,
        hours=context.hours,
        outage_seconds=context.settings.outage_default_seconds,
    )
    context.vendor_cache.forget_on_commit(session, vendor.id)
    return {"message": "Chaos initiated"}
