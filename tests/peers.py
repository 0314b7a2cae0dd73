"""Real peers of the app on loopback for the tests: an SMTP server and a webhook receiver
(their fixtures, `smtp` and `receiver`, are in conftest.py), and free ports to run them on."""

from __future__ import annotations

import asyncio
import json
import socket
from email.message import EmailMessage
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """aiosmtpd in its own thread; keeps every message it is handed."""

    def __init__(self, delay: float = 0.0, port: int | None = None, utf8: bool = False) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[bytes] = []
        self.recipients: list[str] = []
        self.delay = delay
        self.port = port or free_port()
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=utf8
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(envelope.content)
        self.recipients += envelope.rcpt_tos
        return "250 Message accepted"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def parsed(self) -> list[EmailMessage]:
        from email import message_from_bytes, policy

        return [message_from_bytes(m, policy=policy.default) for m in self.messages]

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class WebhookReceiver:
    """The endpoint of a Starlette app (served by the `receiver` fixture) that verifies
    Standard Webhooks signatures."""

    def __init__(self) -> None:
        self.port = free_port()
        self.secret: str | None = None
        self.statuses: list[int] = []  # answers to give, in order; then 200
        self.received: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def subscribe(self, api: httpx.AsyncClient, events: list[str]) -> dict[str, Any]:
        """Registers this receiver with the shop's API for `events`; keeps the secret."""
        answer = await api.post("/api/v1/webhooks", json={"url": self.url, "events": events})
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        assert body["secret"].startswith("whsec_")
        self.secret = body["secret"]
        return body

    async def hook(self, request: Request) -> Response:
        from standardwebhooks.webhooks import Webhook

        body = await request.body()
        verified = False
        if self.secret:
            try:
                Webhook(self.secret).verify(body, dict(request.headers))
                verified = True
            except Exception:
                verified = False
        status = self.statuses.pop(0) if self.statuses else 200
        self.received.append(
            {
                "id": request.headers.get("webhook-id"),
                "verified": verified,
                "json": json.loads(body),
                "status": status,
            }
        )
        return Response(status_code=status)
