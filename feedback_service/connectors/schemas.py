"""Request bodies and answers of the connectors API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from feedback_service.http import Strict
from feedback_service.moments import Moment

Platform = Literal["woocommerce", "shopify"]


class ConnectorIn(Strict):
    platform: Platform
    # Without one a secret is generated (WooCommerce takes any); Shopify shows its own key.
    secret: (
        Annotated[str, StringConstraints(min_length=16, max_length=200, pattern=r"^[\x21-\x7e]+$")]
        | None
    ) = None


class Connector(Strict):
    id: int
    platform: Platform
    endpoint_url: str
    created_at: Moment
    disabled_at: Moment | None


class ConnectorCreated(Connector):
    """The secret is shown once: paste it into WooCommerce's webhook form."""

    secret: str


class ConnectorsPage(Strict):
    items: list[Connector]
