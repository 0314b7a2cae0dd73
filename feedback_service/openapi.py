"""/openapi.json and /docs: every /api/v1 route with its request and response models.

The models are the ones the handlers validate bodies with and write answers with (each
domain's schemas.py): a field added to an answer shows here by itself."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from feedback_service.alerts.schemas import Alert, AlertPatch, AlertRules, AlertsPage
from feedback_service.connectors.schemas import ConnectorCreated, ConnectorIn, ConnectorsPage
from feedback_service.health import Health
from feedback_service.http import Error
from feedback_service.metrics.schemas import Metrics
from feedback_service.orders.schemas import (
    Order,
    OrderIn,
    OrdersBatchIn,
    OrdersBatchResults,
    Product,
    ProductIn,
)
from feedback_service.outbox.schemas import (
    DeliveriesPage,
    Delivery,
    WebhookCreated,
    WebhookIn,
    WebhooksPage,
)
from feedback_service.privacy.services import CustomerExport
from feedback_service.questions.schemas import (
    AnswerIn,
    Question,
    QuestionModerationIn,
    QuestionsPage,
)
from feedback_service.reviews.schemas import (
    ModerationIn,
    OrderDetail,
    ReplyIn,
    Review,
    ReviewImportIn,
    ReviewRequest,
    ReviewRequestIn,
    ReviewsPage,
)
from feedback_service.surveys.schemas import (
    Held,
    Invitation,
    InvitationIn,
    InvitationsBatchIn,
    InvitationsBatchResults,
    ResponsesPage,
    SurveyLinkIn,
)
from feedback_service.templating import render

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
        OrdersBatchIn,
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
        {200: CustomerExport},
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
        InvitationsBatchIn,
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
        "Reviews, newest first (kind=shop: the shop's reviews of itself)",
        None,
        {200: ReviewsPage},
        ["status", "sku", "kind", "cursor"],
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
        {200: Question, 409: Error},
        [],
    ),
    (
        "post",
        "/api/v1/questions/{id}/moderation",
        "Publish or reject a question, or with answer_id a buyer's answer",
        QuestionModerationIn,
        {200: Question, 409: Error},
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
    (
        "patch",
        "/api/v1/alerts/{id}",
        "Acknowledge, assign, resolve",
        AlertPatch,
        {200: Alert},
        [],
    ),
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
                    "503": {
                        "description": "database down",
                        "content": {"application/json": {"schema": _ref(Health)}},
                    },
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
        name: {"fields": _fields(schema, schemas), "example": _json(_example(schema, schemas, 0))}
        for name, schema in sorted(schemas.items())
        if "enum" not in schema  # written out where a field uses it
    }
    return render("docs.html", "en", operations=operations, models=models)


_ANCHOR = str.maketrans("", "", "{}")


def _schema_name(part: dict[str, Any]) -> str | None:
    ref = part.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def _type(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    if "$ref" in schema:
        ref: str = schema["$ref"]
        name = ref.rsplit("/", 1)[-1]
        return _type(schemas[name], schemas) if "enum" in schemas[name] else name
    if "anyOf" in schema:
        return " or ".join(_type(s, schemas) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "prefixItems" in schema:
        return "[" + ", ".join(_type(s, schemas) for s in schema["prefixItems"]) + "]"
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}), schemas)}"
    if schema.get("type") == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]  # True: any value
        return f"map of {_type(values, schemas) if isinstance(values, dict) else 'any'}"
    return str(schema.get("format") or schema.get("type") or "any")


def _fields(schema: dict[str, Any], schemas: dict[str, Any]) -> list[tuple[str, str, bool, str]]:
    required = set(schema.get("required", []))
    return [
        (name, _type(field, schemas), name in required, field.get("description", ""))
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
    if "prefixItems" in schema:
        return [_example(s, schemas, depth) for s in schema["prefixItems"]]
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
