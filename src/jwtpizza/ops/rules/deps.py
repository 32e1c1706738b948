"""The running rule manager, for routes: `app.state.ops.rules` (see `jwtpizza.ops.assembly`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jwtpizza.ops.rules.service import RuleManager


async def get_rules(request: Request) -> RuleManager:
    rules = request.app.state.ops.rules
    assert isinstance(rules, RuleManager)
    return rules


RulesDep = Annotated[RuleManager, Depends(get_rules)]
