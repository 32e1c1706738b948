"""The self-describing endpoint list served at /api/docs, in the original's shape.

The list (method, path, requiresAuth, description, example curl, sample response) is data,
kept in `api_docs.json` beside this module.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter

from jwtpizza.service.routes.deps import ContextDep

router = APIRouter(tags=["docs"])


@cache
def endpoints() -> list[dict[str, Any]]:
    text = resources.files("jwtpizza.service").joinpath("api_docs.json").read_text("utf-8")
    entries: list[dict[str, Any]] = json.loads(text)
    return entries


# Any method answers, as the original mounted its docs with `use`; only GET is in OpenAPI.
@router.api_route("/api/docs", methods=["POST", "PUT", "DELETE"], include_in_schema=False)
@router.get("/api/docs")
async def api_docs(context: ContextDep) -> dict[str, Any]:
    """The endpoint list, with the service's version."""
    body: dict[str, Any] = {"version": context.settings.version, "endpoints": endpoints()}
    if context.settings.docs_show_config:
        body["config"] = {"factory": context.settings.factory_url}
    return body
