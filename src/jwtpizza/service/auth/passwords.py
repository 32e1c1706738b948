"""Password hashing with bcrypt, off the event loop (bcrypt releases the GIL).

Hashes run on their own threads, one per core, at a lower scheduling priority than the rest
of the process (Linux gives each thread its own nice value): logins use every core nobody
else wants, and a flood of logins or registrations still cannot take a core from the
requests that only read, whose event loop thread the kernel runs first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import bcrypt

# bcrypt only reads the first 72 bytes; longer passwords are refused rather than truncated.
MAX_PASSWORD_BYTES = 72
HASH_THREADS = len(os.sched_getaffinity(0))
# Added to the hashing threads' nice value (0-19: the higher, the sooner they yield).
HASH_NICENESS = 10

_hashers: ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    # Where that is not permitted, the thread keeps the process's priority.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)


def _executor() -> ThreadPoolExecutor:
    """The hashing threads, shared by every event loop of the process (tests run several)."""
    global _hashers
    if _hashers is None:
        _hashers = ThreadPoolExecutor(
            HASH_THREADS, thread_name_prefix="jwtpizza-bcrypt", initializer=_lower_priority
        )
    return _hashers


def _forget_parent_threads() -> None:
    # A forked child (`jwtpizza up` seeds the demo accounts, then forks the service) has none
    # of its parent's threads, but an executor inherited from it would count them as its own
    # and start fewer.
    global _hashers
    _hashers = None


os.register_at_fork(after_in_child=_forget_parent_threads)


def too_long(password: str) -> bool:
    return len(password.encode()) > MAX_PASSWORD_BYTES


async def hash_password(password: str, *, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds=rounds)
    loop = asyncio.get_running_loop()
    hashed = await loop.run_in_executor(_executor(), bcrypt.hashpw, password.encode(), salt)
    return hashed.decode()


async def check_password(password: str, password_hash: str) -> bool:
    """Whether the password matches; an overlong one never does (bcrypt would refuse it)."""
    if too_long(password):
        return False
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _executor(), bcrypt.checkpw, password.encode(), password_hash.encode()
    )
