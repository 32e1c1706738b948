"""Password checks: libxcrypt, where a login's check goes on this machine, answers exactly
as the bcrypt package does, for any password and any hash."""

from __future__ import annotations

import warnings

import bcrypt
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtpizza.service.users.passwords import (
    MAX_PASSWORD_BYTES,
    bcrypt_check,
    check_password,
    checker,
)

passwords = st.binary(max_size=MAX_PASSWORD_BYTES) | st.text(max_size=24).map(str.encode).filter(
    lambda b: len(b) <= MAX_PASSWORD_BYTES
)


def test_logins_are_checked_by_libxcrypt_here() -> None:
    # Debian always has libcrypt1; were the probe to fail, logins would cost 15% more CPU.
    assert checker() is not bcrypt_check


@settings(max_examples=60, deadline=None)
@given(password=passwords, guess=passwords)
def test_libxcrypt_agrees_with_the_bcrypt_package(password: bytes, guess: bytes) -> None:
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(rounds=4))
    assert checker()(password, hashed) is True
    assert checker()(guess, hashed) is bcrypt.checkpw(guess, hashed)


def test_a_password_is_read_past_a_nul_byte() -> None:
    hashed = bcrypt.hashpw(b"pizza\0topping", bcrypt.gensalt(rounds=4))
    assert checker()(b"pizza\0topping", hashed)
    assert not checker()(b"pizza", hashed)  # C would have stopped reading at the NUL
    assert not checker()(b"pizza\0toppinG", hashed)


def test_a_hash_that_is_not_bcrypt_matches_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # libxcrypt itself, to make hashes of the schemes it knows besides bcrypt

    older = [crypt.crypt("pizza", salt) for salt in ("$1$md5salt$", "$6$shasalt$")]
    assert all(crypt.crypt("pizza", h) == h for h in older)  # each the right password's
    for hashed in (b"", b"nonsense", b"$2b$04$short", *(h.encode() for h in older)):
        assert not checker()(b"pizza", hashed)
        assert not bcrypt_check(b"pizza", hashed)


async def test_check_password_off_the_loop() -> None:
    hashed = bcrypt.hashpw(b"diner", bcrypt.gensalt(rounds=4)).decode()
    assert await check_password("diner", hashed)
    assert not await check_password("dinner", hashed)
    assert not await check_password("d" * (MAX_PASSWORD_BYTES + 1), hashed)
