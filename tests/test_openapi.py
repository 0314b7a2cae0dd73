"""/openapi.json describes the API; schemathesis fuzzes it against the real server."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from question_helpers import confirmation_link

from feedback_service.links import Links
from feedback_service.orders.models import Customer
from feedback_service.questions import services as questions
from feedback_service.questions.models import BuyerInvite, Question
from feedback_service.routes import routes
from feedback_service.settings import Settings
from feedback_service.worker import Worker


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
    # A field of a StrEnum type shows its values, as a Literal's would.
    assert "<td>&#34;thermometer&#34; | &#34;nps&#34; | &#34;csat&#34;</td>" in docs.text


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


# --- every documented route, called for real, its answer checked against the document ------

Call = tuple[str, str, httpx.Response]  # method, the documented path, the answer

WHEN = "2026-03-02T09:30:00+00:00"
PRODUCT = {
    "sku": "tee-1",
    "name": "Organic tee",
    "url": "https://shop.example/tee",
    "image_url": "https://shop.example/tee.jpg",
    "brand": "Acme",
    "gtin": "12345678",
    "category": "shirts",
}


def order_body(order_id: str, email: str) -> dict[str, Any]:
    return {
        "id": order_id,
        "number": f"A-{order_id}",
        "customer": {"email": email, "name": "Ann Lee", "external_id": "c-1", "locale": "en"},
        "items": [{"sku": "tee-1", "quantity": 2, "unit_price": "19.90"}],
        "ordered_at": WHEN,
        "delivered_at": "2026-03-05T12:00:00+00:00",
    }


def review_body(source_id: str, rating: int) -> dict[str, Any]:
    return {
        "sku": "tee-1",
        "rating": rating,
        "title": "Soft and warm",
        "body": "Washes well, the colour stays.",
        "author_name": "Zoé",
        "author_email": "zoe@example.com",
        "language": "fr",
        "source": "judgeme",
        "source_id": source_id,
        "verified": True,
        "order_id": "1001",
        "submitted_at": WHEN,
        "experienced_at": WHEN,
    }


async def walk(api: httpx.AsyncClient, settings: Settings) -> list[Call]:
    """Every /api/v1 route with realistic data, in the order an integrator would go; each
    documented success status at least once (200 and 201 of the upserts)."""
    calls: list[Call] = []

    async def call(method: str, path: str, body: Any = None, **params: Any) -> Any:
        query = params.pop("query", None)
        answer = await api.request(method.upper(), path.format(**params), json=body, params=query)
        assert answer.status_code < 300, (method, path, answer.text)
        calls.append((method, path, answer))
        is_json = answer.headers.get("content-type", "").startswith("application/json")
        return answer.json() if is_json else None

    await call("post", "/api/v1/products", PRODUCT)
    await call("post", "/api/v1/products", PRODUCT)
    await call("get", "/api/v1/products/{sku}", sku="tee-1")
    await call("post", "/api/v1/orders", order_body("1001", "ann@example.com"))
    await call("post", "/api/v1/orders", order_body("1001", "ann@example.com"))
    batch = [order_body("1002", "ann@example.com"), order_body("1001", "ann@example.com")]
    await call("post", "/api/v1/orders/batch", {"orders": [*batch, {"id": "1003"}]})
    await call("get", "/api/v1/orders/{id}", id="1001")
    endpoint = await call(
        "post",
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/hooks", "events": ["response.confirmed", "alert.opened"]},
    )
    asked = {"order_id": "1001", "send_after_days": 0}
    await call("post", "/api/v1/review-requests", asked)
    await call("post", "/api/v1/review-requests", asked)
    await call("get", "/api/v1/orders/{id}", id="1001")

    bob = {"email": "bob@example.com", "name": "Bob Martin", "external_id": "c-2", "locale": "fr"}
    invited = await call(
        "post",
        "/api/v1/invitations",
        {"survey": "nps", "customer": bob, "order_id": "1001", "question": "Would you?"},
    )
    await call("post", "/api/v1/invitations", {"survey": "nps", "customer": bob})
    cleo = {"email": "cleo@example.com", "locale": "en"}
    invitations = [{"survey": "thermometer", "customer": cleo}, {"survey": "csat"}]
    batch_results = await call("post", "/api/v1/invitations/batch", {"invitations": invitations})
    link = await call(
        "post", "/api/v1/survey-links", {"survey": "csat", "question": "Happy?", "locale": "en"}
    )
    # Bob answers 2 and comments (an alert opens); Cleo only opens her link (provisional);
    # someone answers the reusable link (no customer).
    await api.get(invited["links"]["2"])
    confirmed = await api.post(invited["links"]["2"], headers={"Accept": "application/json"})
    assert confirmed.json() == {"status": "confirmed"}
    comment = {"comment": "Colis arrivé en retard, très déçu.", "score": "2"}
    assert (await api.post(f"/s/{invited['token']}/comment", data=comment)).status_code == 200
    await Worker(settings).run_once()  # the comment's alert check (alerts.tasks)
    await api.get(batch_results["results"][0]["links"]["green"])
    await api.get(link["links"]["5"])
    await api.post(link["links"]["5"], headers={"Accept": "application/json"})
    await call("get", "/api/v1/responses")
    await call("get", "/api/v1/responses", query={"status": "provisional", "survey": "thermometer"})
    await call("get", "/api/v1/responses", query={"status": "scanner"})
    await call("get", "/api/v1/metrics")
    await call("get", "/api/v1/metrics", query={"survey": "nps", "segment": "new"})

    alerts = await call("get", "/api/v1/alerts")
    await call("get", "/api/v1/alerts", query={"order": "priority", "status": "open"})
    changed = {"status": "acknowledged", "note": "Called back, new tee sent."}
    await call("patch", "/api/v1/alerts/{id}", changed, id=alerts["items"][0]["id"])
    rules = await call("get", "/api/v1/alert-rules")
    await call("put", "/api/v1/alert-rules", {**rules, "nps_max": 5})
    await call("get", "/api/v1/webhooks")
    deliveries = await call("get", "/api/v1/webhooks/{id}/deliveries", id=endpoint["id"])
    await call(
        "post",
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
        id=endpoint["id"],
        delivery_id=deliveries["items"][0]["id"],
    )

    imported = await call("post", "/api/v1/reviews", review_body("r-1", 5))
    await call("post", "/api/v1/reviews", review_body("r-1", 5))
    rude = await call("post", "/api/v1/reviews", {**review_body("r-2", 1), "published": True})
    review = "/api/v1/reviews/{id}/moderation"
    await call("post", review, {"action": "publish"}, id=imported["id"])
    await call("post", review, {"action": "reject", "reason": "abusive"}, id=rude["id"])
    await call("post", "/api/v1/reviews/{id}/reply", {"body": "Thank you!"}, id=imported["id"])
    await call("get", "/api/v1/reviews")
    await call("get", "/api/v1/reviews", query={"status": "published", "sku": "tee-1"})
    await call("get", "/api/v1/feeds/google-product-reviews.xml")

    # Product questions: Bob's is answered by the shop, Cleo's gets Bob's answer as a buyer
    # (the invitation the admin's "ask buyers" would send), Dan's is rejected.
    asked = {}
    for name, text in (
        ("bob", "Does it shrink at 40 °C?"),
        ("cleo", "Is there a green one?"),
        ("dan", "Cheap watches here!!"),
    ):
        form = {"question": text, "name": name.title(), "email": f"{name}@example.com"}
        sent = await api.post("/w/test-shop/products/tee-1/questions", data=form)
        assert sent.status_code == 303, sent.text
        assert (await api.post(await confirmation_link())).status_code == 303
        asked[name] = (await Question.get(author_email=f"{name}@example.com")).id
    await call("get", "/api/v1/questions")
    await call("get", "/api/v1/questions", query={"status": "pending", "sku": "tee-1"})
    answer = "/api/v1/questions/{id}/answer"
    await call("post", answer, {"body": "No: it is pre-shrunk."}, id=asked["bob"])
    moderate = "/api/v1/questions/{id}/moderation"
    await call("post", moderate, {"action": "publish"}, id=asked["cleo"])
    await call("post", moderate, {"action": "reject", "reason": "spam"}, id=asked["dan"])
    cleos = await Question.get(id=asked["cleo"])
    bob_customer = await Customer.get(email="bob@example.com")
    invite = await BuyerInvite.create(
        question=cleos, customer=bob_customer, sent_at=datetime.now(UTC)
    )
    link = questions.answer_url(Links(settings), invite, cleos.shop_id)
    reply = {"answer": "Not that I know.", "name": "Bob M.", "consent": "yes"}
    assert (await api.post(link, data=reply)).status_code == 303
    published = await call("get", "/api/v1/questions", query={"status": "published"})
    [pending] = [a for q in published["items"] for a in q["answers"] if not a["by_shop"]]
    verdict = {"action": "publish", "answer_id": pending["id"]}
    await call("post", moderate, verdict, id=asked["cleo"])

    await call("post", "/api/v1/connectors", {"platform": "woocommerce"})
    shopify = await call("post", "/api/v1/connectors", {"platform": "shopify", "secret": "s" * 32})
    await call("get", "/api/v1/connectors")
    await call("delete", "/api/v1/connectors/{id}", id=shopify["id"])
    export = await call("get", "/api/v1/customers/{email}/export", email="bob@example.com")
    assert [len(export[k]) for k in ("questions", "question_answers")] == [1, 1]
    await call("delete", "/api/v1/customers/{email}", email="bob@example.com")
    return calls


def answer_validator(spec: dict[str, Any], method: str, path: str, status: int) -> Any:
    """The validator of the schema the document declares for this answer, or None when it
    declares no JSON body."""
    answers = spec["paths"][path][method]["responses"]
    assert str(status) in answers, f"{method.upper()} {path} answered {status}, undocumented"
    content = answers[str(status)].get("content", {}).get("application/json")
    if content is None:
        return None
    schema = {**content["schema"], "components": spec["components"]}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def answer_errors(
    spec: dict[str, Any], method: str, path: str, answer: httpx.Response
) -> list[str]:
    validator = answer_validator(spec, method, path, answer.status_code)
    if validator is None:
        assert not answer.headers.get("content-type", "").startswith("application/json"), path
        return []
    where = f"{method.upper()} {path} {answer.status_code}"
    return [
        f"{where}: {error.message} at {list(error.instance_path)}"
        for error in validator.iter_errors(answer.json())
    ]


async def test_every_documented_route_answers_as_the_document_says(
    api: httpx.AsyncClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    spec = (await client.get("/openapi.json")).json()
    calls = await walk(api, settings)
    errors = [
        e for method, path, answer in calls for e in answer_errors(spec, method, path, answer)
    ]
    assert errors == [], "\n".join(errors)
    seen = {(method, path, str(answer.status_code)) for method, path, answer in calls}
    documented = {
        (method, path, status)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        for status in operation["responses"]
        if status < "300"
    }
    assert documented - seen == set()
    health = await client.get("/healthz")
    assert answer_errors(spec, "get", "/healthz", health) == []


async def test_every_documented_route_refuses_a_missing_key_as_documented(
    client: httpx.AsyncClient, shop_and_key
) -> None:  # type: ignore[no-untyped-def]
    spec = (await client.get("/openapi.json")).json()
    examples = {"{sku}": "tee-1", "{id}": "1", "{email}": "a@b.fr", "{delivery_id}": "1"}
    errors = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        url = path
        for name, value in examples.items():
            url = url.replace(name, value)
        for method in operations:
            answer = await client.request(method.upper(), url, json={})
            assert answer.status_code == 401, (method, path)
            errors += answer_errors(spec, method, path, answer)
    assert errors == [], "\n".join(errors)


async def test_the_check_refuses_an_extra_field_and_a_missing_one(
    api: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    """What the check above would catch if a handler wrote a field the models lack."""
    spec = (await client.get("/openapi.json")).json()
    await api.post("/api/v1/products", json=PRODUCT)
    answer = await api.get("/api/v1/products/tee-1")
    validator = answer_validator(spec, "get", "/api/v1/products/{sku}", 200)
    product = answer.json()
    assert validator.is_valid(product)
    assert not validator.is_valid({**product, "stock": 3})
    assert not validator.is_valid({k: v for k, v in product.items() if k != "rating"})
    assert not validator.is_valid({**product, "rating": {"value": "4.5", "count": 1}})
