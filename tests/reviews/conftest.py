"""Fixtures of the review tests."""

from __future__ import annotations

import httpx
import pytest
from review_helpers import PRODUCTS


@pytest.fixture
async def catalogue(api: httpx.AsyncClient) -> httpx.AsyncClient:
    """The shop's API with the products of review_helpers.PRODUCTS in its catalogue."""
    for product in PRODUCTS:
        assert (await api.post("/api/v1/products", json=product)).status_code in (200, 201)
    return api
