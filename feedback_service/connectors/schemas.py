"""Request bodies of the connectors API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from feedback_service.http import Strict


class ConnectorIn(Strict):
    platform: Literal["woocommerce", "shopify"]
    # Without one a secret is generated (WooCommerce takes any); Shopify shows its own key.
    secret: (
        Annotated[str, StringConstraints(min_length=16, max_length=200, pattern=r"^[\x21-\x7e]+$")]
        | None
    ) = None
