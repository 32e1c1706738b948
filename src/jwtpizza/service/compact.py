"""A response base that leaves out unset optional fields, as the original's JSON does."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer


class Compact(BaseModel):
    """Fields whose value is None are omitted from the serialized body."""

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """`model` serialized once, by pydantic, without FastAPI validating it a second time
    (declare the route's `response_model` for the docs)."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
