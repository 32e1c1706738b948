"""Password hashing with bcrypt, off the event loop (bcrypt releases the GIL).

Hashes run on at most `HASH_SLOTS` threads at a time, one fewer than the cores: a flood of
logins or registrations queues for those slots instead of taking every core from the requests
that only read.
"""

from __future__ import annotations

import asyncio
import os
import weakref

import anyio
import anyio.to_thread
import bcrypt

# bcrypt only reads the first 72 bytes; longer passwords are refused rather than truncated.
MAX_PASSWORD_BYTES = 72
HASH_SLOTS = max(1, len(os.sched_getaffinity(0)) - 1)

# One limiter per event loop (tests run several apps, each on its own loop).
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = anyio.CapacityLimiter(HASH_SLOTS)
    return _slots[loop]


def too_long(password: str) -> bool:
    return len(password.encode()) > MAX_PASSWORD_BYTES


async def hash_password(password: str, *, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds=rounds)
    hashed = await anyio.to_thread.run_sync(
        bcrypt.hashpw, password.encode(), salt, limiter=_limiter()
    )
    return hashed.decode()


async def check_password(password: str, password_hash: str) -> bool:
    """Whether the password matches; an overlong one never does (bcrypt would refuse it)."""
    if too_long(password):
        return False
    return await anyio.to_thread.run_sync(
        bcrypt.checkpw, password.encode(), password_hash.encode(), limiter=_limiter()
    )
