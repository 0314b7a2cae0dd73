"""Kinds and states: one StrEnum each, and what is stored is one of its members.

conftest's `db` fixture checks the stored values after every test (tests/state_columns.py);
these tests check the columns, the derived lists and that the check itself can fail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest
from state_columns import STATE_COLUMNS, unknown_states
from tortoise import Tortoise
from tortoise.fields import CharField

from feedback_service.alerts.models import AlertSubject, SubjectKind
from feedback_service.db import APP_LABEL
from feedback_service.orders.models import Product
from feedback_service.reviews import schemas as review_schemas
from feedback_service.reviews.models import RequestOutcome, Review
from feedback_service.shops.models import Shop
from feedback_service.surveys.kinds import KINDS, Kind
from feedback_service.surveys.schemas import InvitationIn

# Columns with such a name that hold something else than one enum's members.
NOT_ONE_ENUM = {
    ("HeldInvitation", "kind"),  # a survey kind, or "review"
    ("OutboxMessage", "kind"),  # email, webhook, or a job a domain registered (outbox.jobs)
    ("ModerationEvent", "reason"),  # a rejection reason (reviews.moderation)
}


def test_every_column_fits_the_values_of_its_enum(database: str) -> None:
    for (model, name), enum in STATE_COLUMNS.items():
        field = model._meta.fields_map[name]
        assert isinstance(field, CharField), (model, name)
        assert max(len(member) for member in enum) <= field.max_length, (model, name)
        assert field.default is None or field.default in tuple(enum), (model, name)


def test_every_kind_or_state_column_has_its_enum(database: str) -> None:
    listed = {(model.__name__, name) for model, name in STATE_COLUMNS}
    for model in Tortoise.apps[APP_LABEL].values():
        for name in ("kind", "status", "state", "outcome", "reason"):
            if name in model._meta.fields_map and (model.__name__, name) not in NOT_ONE_ENUM:
                assert (model.__name__, name) in listed, f"{model.__name__}.{name}"


def test_survey_kinds_are_defined_once() -> None:
    assert set(KINDS) == set(Kind)
    assert all(KINDS[kind].name is kind for kind in Kind)
    survey = InvitationIn.model_json_schema()["$defs"]["Kind"]
    assert survey["enum"] == ["thermometer", "nps", "csat"]


def test_a_review_request_status_names_every_outcome() -> None:
    assert set(RequestOutcome) <= set(get_args(review_schemas.RequestStatus))


async def test_a_value_no_enum_lists_is_found(shop_and_key: tuple[Shop, str]) -> None:
    shop, _ = shop_and_key
    product = await Product.create(shop=shop, sku="S1", name="Mug", url="https://shop.example/")
    review = await Review.create(
        shop=shop, product=product, rating=5, author_name="Ann", submitted_at=datetime.now(UTC)
    )
    assert review.status == "pending" and await unknown_states() == {}
    await Review.filter(id=review.id).update(status="archived")
    assert await unknown_states() == {"review.status": {"archived"}}
    await Review.filter(id=review.id).update(status="published")  # the fixture checks too


@pytest.mark.parametrize(
    ("stored", "kind", "id_"),
    [("response:12", "response", 12), ("review:7", "review", 7)],
)
def test_an_alert_subject_reads_back_as_it_was_stored(stored: str, kind: str, id_: int) -> None:
    about = AlertSubject.parse(stored)
    assert (about.kind, about.id) == (kind, id_)
    assert about.format() == stored == AlertSubject(SubjectKind(kind), id_).format()
