"""/openapi.json describes the API; schemathesis fuzzes it against the real server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from feedback_service.routes import routes


async def test_openapi_covers_every_api_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = {
        (route.path_format, method.lower())
        for route in routes
        if route.path_format.startswith("/api/v1")
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert served <= documented, served - documented
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/invitations" in docs.text


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(shop_and_key, live_server: str) -> None:  # type: ignore[no-untyped-def]
    st = Path(sys.executable).with_name("st")
    run = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server}/openapi.json",
            "-H",
            f"Authorization: Bearer {shop_and_key[1]}",
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance",
            "--max-examples",
            "10",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/api/v1/alerts/²"),
        ("PATCH", "/api/v1/alerts/١٢"),
        ("GET", "/api/v1/webhooks/²/deliveries"),
        ("POST", "/api/v1/reviews/³/reply"),
    ],
)
async def test_non_ascii_digits_in_ids_are_a_client_error(
    api: httpx.AsyncClient, method: str, path: str
) -> None:
    """str.isdigit() accepts "²" and "١" but int() refuses "²": found by schemathesis."""
    answer = await api.request(method, path, json={"status": "resolved"})
    assert 400 <= answer.status_code < 500
    assert answer.json()["error"]["code"]


async def test_the_site_icon_is_served(client: httpx.AsyncClient) -> None:
    for path in ("/favicon.ico", "/favicon.svg"):
        answer = await client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
        assert answer.content.startswith(b"<svg") and len(answer.content) < 1000


async def test_docs_show_each_operation_with_its_schemas_and_examples(
    client: httpx.AsyncClient,
) -> None:
    from html_helpers import assert_valid_page

    docs = await client.get("/docs")
    doc = assert_valid_page(docs.text, "/docs")
    spec = (await client.get("/openapi.json")).json()
    titles = [" ".join(h.text_content().split()) for h in doc.iter("h2")]
    for path, methods in spec["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in titles
    invitations = doc.get_element_by_id("post--api-v1-invitations")
    text = invitations.text_content()
    assert "Request body: InvitationIn" in text and '"email": "jane@example.com"' in text
    assert "201 success: Invitation" in text and "422 error: Error" in text
    fields = doc.get_element_by_id("schema-InvitationIn").text_content()
    assert "survey" in fields and "customer" in fields
