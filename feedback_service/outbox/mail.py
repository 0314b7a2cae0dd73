"""Sending one email from the outbox through SMTP_URL."""

from __future__ import annotations

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


async def send(config: SmtpConfig, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=config.hostname,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.use_tls,
        start_tls=config.start_tls,
        timeout=SMTP_TIMEOUT,
    )
