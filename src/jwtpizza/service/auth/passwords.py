"""Password hashing with bcrypt, off the event loop (bcrypt releases the GIL)."""

from __future__ import annotations

import anyio.to_thread
import bcrypt

# bcrypt only reads the first 72 bytes; longer passwords are refused rather than truncated.
MAX_PASSWORD_BYTES = 72


async def hash_password(password: str, *, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds=rounds)
    hashed = await anyio.to_thread.run_sync(bcrypt.hashpw, password.encode(), salt)
    return hashed.decode()


async def check_password(password: str, password_hash: str) -> bool:
    return await anyio.to_thread.run_sync(bcrypt.checkpw, password.encode(), password_hash.encode())
