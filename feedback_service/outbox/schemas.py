"""Request bodies of the webhooks API."""

from __future__ import annotations

from pydantic import Field

from feedback_service.http import Strict


class WebhookIn(Strict):
    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=20)
