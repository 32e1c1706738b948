"""A scenario waits while ops does not answer, instead of ending the run with a traceback."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from jwtpizza.scenarios import load
from jwtpizza.scenarios.runner import _settled
from jwtpizza.scenarios.stack import Stack


def stack_answering(answers: list[httpx.Response]) -> Stack:
    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return Stack(folder=Path("."), service_url="http://service", factory_url="http://factory",
                 ops_url="http://ops", vendor_id="demo", admin_key="k", ops=FastAPI(),
                 http=http)  # fmt: skip


async def test_a_busy_ops_is_not_settled_yet() -> None:
    scenario = load("store-integrity")  # no chaos: settled once every incident resolved
    busy = stack_answering([httpx.Response(503, json={"message": "busy"})])
    assert await _settled(busy, scenario) is False
    done = stack_answering([httpx.Response(200, json=[{"id": 1, "status": "resolved"}])])
    assert await _settled(done, scenario) is True
