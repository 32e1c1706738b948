"""The mail port: a `Mailer` protocol, an SMTP adapter and a console adapter for demo mode."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol

from pydantic import SecretStr


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, body: str) -> None:
        """Deliver one plain-text message or raise."""
        ...


class ConsoleMailer:
    """Demo mode: the message is printed (the code is visible to whoever runs the factory)."""

    async def send(self, *, to: str, subject: str, body: str) -> None:
        print(f"[factory mail] to={to} subject={subject!r}\n{body}", flush=True)


class SmtpMailer:
    """SMTP through the standard library, in a thread so the event loop never blocks."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        user: str | None = None,
        password: SecretStr | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._user, self._password, self._starttls = user, password, starttls
        self._timeout = timeout

    def _send_blocking(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._user and self._password:
                smtp.login(self._user, self._password.get_secret_value())
            smtp.send_message(message)

    async def send(self, *, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        await asyncio.to_thread(self._send_blocking, message)
