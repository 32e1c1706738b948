"""The pizza service built from the environment at import, for servers without an app
factory option (granian); the benchmark's `--server granian` serves it."""

from jwtpizza.service.app import create_app

app = create_app()
