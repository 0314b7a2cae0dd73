"""Sending the outbox's emails through SMTP_URL, over connections kept open."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib

SCHEMES = {
    "smtp": (25, False, False),
    "smtps": (465, True, False),
    "smtp+starttls": (587, False, True),
}


class SmtpConfig:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError("SMTP_URL is smtp://, smtps:// or smtp+starttls://user:pass@host:port")
        default_port, self.use_tls, self.start_tls = SCHEMES[parts.scheme]
        self.hostname = parts.hostname
        self.port = parts.port or default_port
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None


def build_message(
    payload: dict[str, Any], *, from_name: str, from_email: str, message_id: str, domain: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((from_name, from_email))
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False, usegmt=True)
    # Stable across retries: a receiving server can drop a duplicate after a crash.
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    for name, value in payload.get("headers", {}).items():
        message[name] = value
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    # After set_content, which drops every Content-* header set before it.
    message["Content-Language"] = payload.get("locale", "en")
    return message


SMTP_TIMEOUT = 30.0
# A connection left idle longer is closed rather than reused: servers drop idle clients
# (Postfix after 300 s), and a reused dead one costs a failed command first.
SMTP_IDLE = 60.0


class SmtpPool:
    """Connections to the SMTP server, each reused from one email to the next: a new one per
    email (connect, EHLO, TLS, login, QUIT) cost more than the email on a campaign."""

    def __init__(self, config: SmtpConfig, *, size: int) -> None:
        self.config = config
        self.size = size  # idle connections kept: the emails a worker sends at once
        self.idle: list[tuple[aiosmtplib.SMTP, float]] = []  # with when each was last used

    async def send(self, message: EmailMessage) -> None:
        client = self._take()
        if client is not None:
            try:
                await client.send_message(message)
            except BaseException as exc:
                client.close()
                if not _dropped(exc):
                    raise
                # The server hung up on the idle connection: once more on a new one.
            else:
                self._give_back(client)
                return
        client = aiosmtplib.SMTP(
            hostname=self.config.hostname,
            port=self.config.port,
            username=self.config.username,
            password=self.config.password,
            use_tls=self.config.use_tls,
            start_tls=self.config.start_tls,
            timeout=SMTP_TIMEOUT,
        )
        try:
            await client.connect()
            await client.send_message(message)
        except BaseException:
            client.close()
            raise
        self._give_back(client)

    def _take(self) -> aiosmtplib.SMTP | None:
        while self.idle:
            client, since = self.idle.pop()
            if client.is_connected and time.monotonic() - since < SMTP_IDLE:
                return client
            client.close()
        return None

    def _give_back(self, client: aiosmtplib.SMTP) -> None:
        if len(self.idle) < self.size:
            self.idle.append((client, time.monotonic()))
        else:
            client.close()

    async def close(self) -> None:
        """QUIT every idle connection."""
        idle, self.idle = self.idle, []
        for client, _ in idle:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def _dropped(exc: BaseException) -> bool:
    """The server closed the connection (or says it is closing it: 421)."""
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return True
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 421
