"""Sending the outbox's emails through SMTP_URL, over connections kept open."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from email import policy
from email.generator import BytesGenerator
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr, quote
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


@dataclass(frozen=True)
class Email:
    """An email as SMTP carries it: the envelope and the message's bytes (CRLF lines)."""

    sender: str
    recipient: str
    data: bytes

    @property
    def smtputf8(self) -> bool:
        """An address that is not ASCII travels as UTF-8 (RFC 6531), if the server takes it."""
        return not (self.sender + self.recipient).isascii()


# The compat32 MIME classes and one flattening: EmailMessage's header registry parsed each
# header again and aiosmtplib flattened the message a second time, 3x the CPU an email
# (benchmarks/campaign.py send: the worker's CPU per email).
# 998: the longest line SMTP allows. A long ASCII value (a List-Unsubscribe URL) stays on its
# header's line (at 78 it went to the next one); encoded words are folded by _header.
_LINES = policy.compat32.clone(linesep="\r\n", cte_type="8bit", max_line_length=998)


def build_message(
    payload: dict[str, Any], *, from_name: str, from_email: str, message_id: str, domain: str
) -> Email:
    recipient = parseaddr(payload["to"])[1]
    message = MIMEMultipart("alternative")
    message["From"] = _address(from_name, from_email)
    message["To"] = _address("", recipient)
    message["Subject"] = _header(payload["subject"])
    message["Date"] = formatdate(localtime=False, usegmt=True)
    # Stable across retries: a receiving server can drop a duplicate after a crash.
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = payload.get("locale", "en")
    for name, value in payload.get("headers", {}).items():
        message[name] = _header(value)
    message.attach(MIMEText(payload["text"], "plain", "utf-8"))
    message.attach(MIMEText(payload["html"], "html", "utf-8"))
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_LINES).flatten(message)
    return Email(from_email, recipient, out.getvalue())


def _one_line(value: str) -> str:
    """A header's value never starts a line of its own (no header injection)."""
    return " ".join(value.splitlines())


def _address(name: str, address: str) -> str:
    """`name <address>`, the name in encoded words when it is not ASCII; or, when the address
    is not ASCII, both as UTF-8 bytes (RFC 6532: encoded words may not carry an address)."""
    name = _one_line(name)
    if address.isascii():
        return formataddr((name, address), charset="utf-8")
    written = f'"{quote(name)}" <{address}>' if name else address
    return written.encode().decode("ascii", "surrogateescape")  # written back as the bytes


def _header(value: str) -> str:
    """ASCII as it is; other text as RFC 2047 encoded words, folded to 76 characters."""
    value = _one_line(value)
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep="\r\n", maxlinelen=76)


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

    async def send(self, email: Email) -> None:
        client = self._take()
        if client is not None:
            try:
                await client.sendmail(
                    email.sender, [email.recipient], email.data, mail_options=_options(email)
                )
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
            await client.sendmail(
                email.sender, [email.recipient], email.data, mail_options=_options(email)
            )
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


def _options(email: Email) -> list[str]:
    return ["SMTPUTF8"] if email.smtputf8 else []


def _dropped(exc: BaseException) -> bool:
    """The server closed the connection (or says it is closing it: 421)."""
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return True
    return isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 421
