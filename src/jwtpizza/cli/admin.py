"""`jwtpizza admin`: manage admin accounts."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from jwtpizza.cli.errors import ask_password, existing_database, readable_errors

app = typer.Typer(
    help="Admin accounts of the pizza service.", no_args_is_help=True, rich_markup_mode=None
)


async def _create(
    url: str, name: str, email: str, password: str, rounds: int, minimum: int
) -> None:
    from jwtpizza.db import Database
    from jwtpizza.service.seed import migrate
    from jwtpizza.service.users import service as users
    from jwtpizza.service.users.models import Role
    from jwtpizza.service.users.passwords import hash_password

    users.check_password_policy(password, min_length=minimum)
    password_hash = await hash_password(password, rounds=rounds)
    db = Database(url)
    try:
        await migrate(db)
        async with db.writer() as session:
            await users.create(
                session=session,
                name=name,
                email=email,
                password_hash=password_hash,
                roles=[Role.ADMIN],
            )
    finally:
        await db.dispose()


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(metavar="NAME", hidden=True)],
    email: Annotated[str, typer.Argument(metavar="EMAIL", hidden=True)],
    password: Annotated[
        str | None,
        typer.Option(
            envvar="JWTPIZZA_PASSWORD",
            metavar="PASSWORD",
            help="The new admin's password; prompted for (twice) when omitted.",
        ),
    ] = None,
) -> None:
    """Create an admin called NAME who logs in with EMAIL, in an existing database
    (prompts for the password)."""
    from jwtpizza.cli.service import settings_with

    with readable_errors():
        settings = settings_with()
        url = existing_database(settings.database_url, setting="JWTPIZZA_DATABASE_URL")
        password = password or ask_password("password", confirm=True)
        asyncio.run(
            _create(
                url,
                name,
                email,
                password,
                settings.bcrypt_rounds,
                settings.admin_password_min_length,
            )
        )
    typer.echo(f"admin {email} created")
