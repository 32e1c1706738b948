"""Password hashing with bcrypt, off the event loop (bcrypt releases the GIL).

Hashes run on their own threads, one per core, at a lower scheduling priority than the rest
of the process (Linux gives each thread its own nice value): logins use every core nobody
else wants, and a flood of logins or registrations still cannot take a core from the
requests that only read, whose event loop thread the kernel runs first.

A login's check goes to the system's libxcrypt (`crypt_rn`, Debian's libcrypt1) where it is
there and hashes bcrypt exactly as the bcrypt package does: at the same cost it takes about
15% less CPU (`bench/passwords.py`), and a login is mostly that check. ctypes releases the
GIL for the call. New hashes, and any check libxcrypt cannot do, use the bcrypt package.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import functools
import hmac
import os
import threading
from collections.abc import Callable
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
        _executor(), _check, password.encode(), password_hash.encode()
    )


def _check(password: bytes, hashed: bytes) -> bool:
    # On a hashing thread: the first call finds, loads and probes libxcrypt (about 5 ms,
    # `find_library` runs ldconfig), which the event loop would otherwise wait for.
    return checker()(password, hashed)


Checker = Callable[[bytes, bytes], bool]
_CRYPT_DATA_SIZE = 32768  # sizeof(struct crypt_data) in <crypt.h>
_BCRYPT_PREFIXES = (b"$2a$", b"$2b$", b"$2y$")


@functools.cache
def checker() -> Checker:
    """libxcrypt's check where it is present and agrees with the bcrypt package on a probe
    hash, else the bcrypt package's."""
    try:
        crypt_rn = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1").crypt_rn
    except (OSError, AttributeError):  # no libcrypt, or an older one without crypt_rn
        return bcrypt_check
    crypt_rn.restype = ctypes.c_char_p
    crypt_rn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]

    def libxcrypt_check(password: bytes, hashed: bytes) -> bool:
        # C would stop reading a password at a NUL byte; libxcrypt also knows older schemes
        # (MD5, SHA-crypt) that the bcrypt package would refuse.
        if b"\0" in password or not hashed.startswith(_BCRYPT_PREFIXES):
            return bcrypt_check(password, hashed)
        data = ctypes.create_string_buffer(_CRYPT_DATA_SIZE)
        computed = crypt_rn(password, hashed, data, _CRYPT_DATA_SIZE)
        return computed is not None and hmac.compare_digest(computed, hashed)

    probe = bcrypt.hashpw(b"probe", bcrypt.gensalt(rounds=4))
    if libxcrypt_check(b"probe", probe) and not libxcrypt_check(b"probf", probe):
        return libxcrypt_check
    return bcrypt_check


def bcrypt_check(password: bytes, hashed: bytes) -> bool:
    try:
        return bcrypt.checkpw(password, hashed)
    except ValueError:  # not a bcrypt hash
        return False
