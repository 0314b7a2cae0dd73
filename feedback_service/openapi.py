"""/openapi.json and /docs: every /api/v1 route with its request and response schemas."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from feedback_service.alerts.api import AlertPatch
from feedback_service.alerts.rules import AlertRules
from feedback_service.connectors.schemas import ConnectorIn
from feedback_service.orders.schemas import MAX_BATCH, OrderIn, ProductIn
from feedback_service.outbox.schemas import WebhookIn
from feedback_service.questions.schemas import (
    AnswerIn,
    QuestionModerationIn,
    QuestionOut,
    QuestionsPage,
)
from feedback_service.reviews.schemas import ModerationIn, ReplyIn, ReviewImportIn, ReviewRequestIn
from feedback_service.surveys.schemas import InvitationIn, SurveyLinkIn
from feedback_service.templating import render

# --- response shapes (documentation of what the handlers return) -------------------------


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class Error(BaseModel):
    error: ErrorBody


class Rating(BaseModel):
    value: float | None
    count: int


class Product(BaseModel):
    sku: str
    name: str
    url: str
    image_url: str | None
    brand: str | None
    gtin: str | None
    category: str | None
    rating: Rating


class OrderCustomer(BaseModel):
    email: str
    name: str
    external_id: str | None
    locale: str


class Order(BaseModel):
    id: str
    number: str | None
    customer: OrderCustomer
    status: Literal["created", "fulfilled", "delivered", "cancelled", "refunded"]
    source: Literal["api", "woocommerce", "shopify", "csv"]
    ordered_at: str
    fulfilled_at: str | None
    delivered_at: str | None


class OrderItem(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price: str | None


class OrderReviewRequest(BaseModel):
    status: str  # scheduled, sent, submitted, cancelled, skipped_unsubscribed, skipped_throttled
    scheduled_for: str
    sent_at: str | None
    reminders_sent: int
    review_ids: list[int]


class OrderDetail(Order):
    items: list[OrderItem]
    review_request: OrderReviewRequest | None


class Connector(BaseModel):
    id: int
    platform: Literal["woocommerce", "shopify"]
    endpoint_url: str
    created_at: str
    disabled_at: str | None


class ConnectorCreated(Connector):
    secret: str


class ConnectorsPage(BaseModel):
    items: list[Connector]


class Email(BaseModel):
    subject: str
    html: str
    text: str
    headers: dict[str, str]


class Invitation(BaseModel):
    id: int
    survey: str
    token: str
    links: dict[str, str]
    unsubscribe_url: str | None = None
    email: Email | None = None


class Held(BaseModel):
    status: Literal["throttled", "unsubscribed"]
    next_allowed_at: str | None = None


class OrdersBatch(BaseModel):
    """Up to 1,000 orders, each as POST /api/v1/orders; each is checked on its own."""

    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_BATCH)


class BatchInvalid(BaseModel):
    status: Literal["invalid"]
    errors: dict[str, str]


class OrderResult(BaseModel):
    id: str | None
    status: Literal["created", "updated", "invalid"]
    errors: dict[str, str] | None = None


class OrdersBatchResults(BaseModel):
    """One result per order, in the order sent."""

    results: list[OrderResult]


class InvitationsBatch(BaseModel):
    """Up to 1,000 invitations, each as POST /api/v1/invitations."""

    invitations: list[InvitationIn] = Field(min_length=1, max_length=MAX_BATCH)


class InvitationCreated(Invitation):
    status: Literal["created"]


class InvitationsBatchResults(BaseModel):
    """One result per invitation, in the order sent."""

    results: list[InvitationCreated | Held | BatchInvalid]


class SurveyResponse(BaseModel):
    id: int
    status: str
    survey: str
    score: int
    label: str
    created_at: str


class ResponsesPage(BaseModel):
    items: list[SurveyResponse]
    next_cursor: str | None


class ReviewRequest(BaseModel):
    id: int
    order_id: str
    token: str
    url: str
    send_at: str
    status: str
    email: Email


class Review(BaseModel):
    id: int
    sku: str
    rating: int
    title: str
    body: str
    author_name: str
    status: str
    verified: bool
    source: str
    submitted_at: str | None
    published_at: str | None


class ReviewsPage(BaseModel):
    items: list[Review]
    next_cursor: str | None


class Alert(BaseModel):
    id: int
    status: str
    rules: list[str]
    opened_at: str | None


class AlertsPage(BaseModel):
    items: list[Alert]
    next_cursor: str | None


class Webhook(BaseModel):
    id: int
    url: str
    events: list[str]
    disabled: bool


class WebhookCreated(Webhook):
    secret: str


class WebhooksPage(BaseModel):
    items: list[Webhook]


class Delivery(BaseModel):
    id: int
    webhook_id: str
    type: str | None
    status: str
    attempts: int
    last_error: str | None


class DeliveriesPage(BaseModel):
    items: list[Delivery]


class Metrics(BaseModel):
    n: int


class Health(BaseModel):
    status: str
    database: str


Model = type[BaseModel]
# (method, path, summary, request body, {status: response}, query parameters)
OPERATIONS: list[tuple[str, str, str, Model | None, dict[int, Model | None], list[str]]] = [
    (
        "post",
        "/api/v1/products",
        "Create or update a product (by sku)",
        ProductIn,
        {201: Product, 200: Product},
        [],
    ),
    ("get", "/api/v1/products/{sku}", "A product with its rating", None, {200: Product}, []),
    (
        "post",
        "/api/v1/orders",
        "Create or update an order and its customer",
        OrderIn,
        {201: Order, 200: Order},
        [],
    ),
    (
        "post",
        "/api/v1/orders/batch",
        "Create or update up to 1,000 orders; one result each, in order",
        OrdersBatch,
        {200: OrdersBatchResults},
        [],
    ),
    (
        "get",
        "/api/v1/orders/{id}",
        "An order: customer, items, status, source and its review request",
        None,
        {200: OrderDetail},
        [],
    ),
    (
        "post",
        "/api/v1/connectors",
        "Connect WooCommerce or Shopify (the secret is shown once)",
        ConnectorIn,
        {201: ConnectorCreated},
        [],
    ),
    ("get", "/api/v1/connectors", "The shop's connectors", None, {200: ConnectorsPage}, []),
    ("delete", "/api/v1/connectors/{id}", "Disable a connector", None, {204: None}, []),
    (
        "get",
        "/api/v1/customers/{email}/export",
        "Everything about one customer (GDPR)",
        None,
        {200: None},
        [],
    ),
    ("delete", "/api/v1/customers/{email}", "Erase one customer (GDPR)", None, {204: None}, []),
    (
        "post",
        "/api/v1/invitations",
        "Invite a customer to a one-click survey",
        InvitationIn,
        {201: Invitation, 200: Held},
        [],
    ),
    (
        "post",
        "/api/v1/invitations/batch",
        "Invite up to 1,000 customers; one result each, in order",
        InvitationsBatch,
        {200: InvitationsBatchResults},
        [],
    ),
    (
        "post",
        "/api/v1/survey-links",
        "A reusable survey link (email signatures)",
        SurveyLinkIn,
        {201: Invitation},
        [],
    ),
    (
        "get",
        "/api/v1/responses",
        "Answers, newest first",
        None,
        {200: ResponsesPage},
        ["survey", "since", "status", "cursor"],
    ),
    (
        "get",
        "/api/v1/metrics",
        "NPS, happiness, CSAT with intervals; loyalty KPIs",
        None,
        {200: Metrics},
        ["survey", "from", "to", "segment", "latest_only"],
    ),
    (
        "post",
        "/api/v1/review-requests",
        "Ask an order's customer for reviews",
        ReviewRequestIn,
        {201: ReviewRequest, 200: ReviewRequest},
        [],
    ),
    (
        "get",
        "/api/v1/reviews",
        "Reviews, newest first",
        None,
        {200: ReviewsPage},
        ["status", "sku", "cursor"],
    ),
    (
        "post",
        "/api/v1/reviews",
        "Import one review",
        ReviewImportIn,
        {201: Review, 200: Review},
        [],
    ),
    (
        "post",
        "/api/v1/reviews/{id}/moderation",
        "Publish or reject a review",
        ModerationIn,
        {200: Review},
        [],
    ),
    ("post", "/api/v1/reviews/{id}/reply", "The shop's public reply", ReplyIn, {200: Review}, []),
    (
        "get",
        "/api/v1/feeds/google-product-reviews.xml",
        "Google Product Ratings feed",
        None,
        {200: None},
        [],
    ),
    (
        "get",
        "/api/v1/questions",
        "Product questions, newest first (without status: every confirmed one)",
        None,
        {200: QuestionsPage},
        ["status", "sku", "cursor"],
    ),
    (
        "post",
        "/api/v1/questions/{id}/answer",
        "The shop's public answer (publishes a question waiting for moderation)",
        AnswerIn,
        {200: QuestionOut, 409: Error},
        [],
    ),
    (
        "post",
        "/api/v1/questions/{id}/moderation",
        "Publish or reject a question, or with answer_id a buyer's answer",
        QuestionModerationIn,
        {200: QuestionOut, 409: Error},
        [],
    ),
    (
        "get",
        "/api/v1/alerts",
        "The triage inbox",
        None,
        {200: AlertsPage},
        ["status", "rule", "order", "cursor"],
    ),
    ("patch", "/api/v1/alerts/{id}", "Acknowledge, assign, resolve", AlertPatch, {200: Alert}, []),
    ("get", "/api/v1/alert-rules", "Which answers open an alert", None, {200: AlertRules}, []),
    ("put", "/api/v1/alert-rules", "Change the alert rules", AlertRules, {200: AlertRules}, []),
    (
        "post",
        "/api/v1/webhooks",
        "Register a webhook endpoint",
        WebhookIn,
        {201: WebhookCreated},
        [],
    ),
    ("get", "/api/v1/webhooks", "Webhook endpoints", None, {200: WebhooksPage}, []),
    (
        "get",
        "/api/v1/webhooks/{id}/deliveries",
        "Deliveries to an endpoint",
        None,
        {200: DeliveriesPage},
        [],
    ),
    (
        "post",
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
        "Deliver again",
        None,
        {202: Delivery},
        [],
    ),
]


def _ref(model: Model) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


@cache
def spec() -> dict[str, Any]:
    models: set[Model] = {Error, Health}
    for _, _, _, body, answers, _ in OPERATIONS:
        if body:
            models.add(body)
        models.update(m for m in answers.values() if m)
    _, definitions = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {
        "/healthz": {
            "get": {
                "summary": "Liveness and database check",
                "security": [],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": _ref(Health)}},
                    },
                    "503": {"description": "database down"},
                },
            }
        }
    }
    for method, path, summary, body, answers, query in OPERATIONS:
        operation: dict[str, Any] = {"summary": summary, "responses": {}}
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in ("sku", "email", "id", "delivery_id")
            if "{" + name + "}" in path
        ] + [
            {"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
            for q in query
        ]
        if parameters:
            operation["parameters"] = parameters
        if body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(body)}},
            }
        for status, model in answers.items():
            answer: dict[str, Any] = {"description": "success" if status < 400 else "error"}
            if model is not None:
                answer["content"] = {"application/json": {"schema": _ref(model)}}
            operation["responses"][str(status)] = answer
        for status in (400, 401, 404, 413, 422, 429):
            operation["responses"][str(status)] = {
                "description": "error",
                "content": {"application/json": {"schema": _ref(Error)}},
            }
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "feedback-service", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"shopKey": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"shopKey": []}],
    }


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(spec())


async def docs(request: Request) -> HTMLResponse:
    """A readable page of the API, rendered on the server from spec() (no CDN, no script)."""
    return HTMLResponse(_docs_page())


@cache
def _docs_page() -> str:
    document = spec()
    schemas: dict[str, Any] = document["components"]["schemas"]
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "anchor": f"{method}-{path}".replace("/", "-").strip("-").translate(_ANCHOR),
            "summary": operation["summary"],
            "parameters": operation.get("parameters", []),
            "body": _schema_name(operation.get("requestBody", {})),
            "answers": [
                (status, answer["description"], _schema_name(answer))
                for status, answer in operation["responses"].items()
            ],
        }
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    models = {
        name: {"fields": _fields(schema), "example": _json(_example(schema, schemas, 0))}
        for name, schema in sorted(schemas.items())
    }
    return render("docs.html", "en", operations=operations, models=models)


_ANCHOR = str.maketrans("", "", "{}")


def _schema_name(part: dict[str, Any]) -> str | None:
    ref = part.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if schema.get("type") == "object" and "additionalProperties" in schema:
        return f"map of {_type(schema['additionalProperties'] or {})}"
    return str(schema.get("format") or schema.get("type") or "any")


def _fields(schema: dict[str, Any]) -> list[tuple[str, str, bool, str]]:
    required = set(schema.get("required", []))
    return [
        (name, _type(field), name in required, field.get("description", ""))
        for name, field in schema.get("properties", {}).items()
    ]


_EXAMPLE_STRINGS = {
    "email": "jane@example.com",
    "date-time": "2026-11-04T10:00:00Z",
    "date": "2026-11-04",
    "uri": "https://shop.example/page",
}


def _example(schema: dict[str, Any], schemas: dict[str, Any], depth: int) -> Any:
    """A plausible value of a JSON schema, for the reader to copy."""
    if "examples" in schema:
        return schema["examples"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _example(schemas[name], schemas, depth + 1) if depth < 5 else {}
    if "anyOf" in schema:
        kinds = [s for s in schema["anyOf"] if s.get("type") != "null"] or schema["anyOf"]
        return _example(kinds[0], schemas, depth)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: _example(field, schemas, depth) for name, field in properties.items()}
    if kind == "array":
        return [_example(schema.get("items", {}), schemas, depth)]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return 4.5
    if kind == "boolean":
        return True
    if kind == "string":
        return _EXAMPLE_STRINGS.get(schema.get("format", ""), "string")
    return None


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
