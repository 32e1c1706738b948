"""Row ids as the API accepts them: positive and within the 32-bit INTEGER every backend
stores, so an absurd id is a 400 that names it rather than a driver overflow (a 500)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**31 - 1

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]

# A franchise id in a path whose answer turns on the caller's right to it: one that cannot
# exist (0, -1) is refused like any franchise not theirs (403), as the original did, rather
# than as invalid input.
FranchisePathId = Annotated[int, Path(ge=-MAX_ID - 1, le=MAX_ID)]
