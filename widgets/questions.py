"""A product's questions and answers, and the form to ask one: plain data in, HTML out.

Each answered question is a schema.org `Question` with its `Answer`s: the shop's is the
`acceptedAnswer` (author: the shop, an Organization), buyers' are `suggestedAnswer`s. Inside
the reviews block they are the `subjectOf` of its Product; alone, top-level items. Never a
rating: Google's QAPage rich result is for pages about one question, not a product's list,
so this markup describes the product and asks for no snippet of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from schema_markup import author_name
from widgets.data import Product, Shop
from widgets.formatting import Formatter, shop_timezone
from widgets.i18n import normalize_locale
from widgets.rendering import render

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class Answer:
    body: str
    author_name: str  # a buyer's display name; the shop's answer shows the shop's name
    by_shop: bool
    published_at: datetime


@dataclass(frozen=True)
class Question:
    id: int
    body: str
    author_name: str
    language: str
    asked_at: datetime
    answers: tuple[Answer, ...]  # published ones, the shop's first


@dataclass(frozen=True, slots=True)
class AnswerView:
    body: str
    author: str
    by_shop: bool
    iso: str
    text: str


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: int
    lang: str | None
    body: str
    author: str
    iso: str
    text: str
    answers: tuple[AnswerView, ...]


@dataclass(frozen=True, slots=True)
class QuestionsView:
    items: tuple[QuestionView, ...]
    ask_url: str  # the form's action, on this service
    heading: str  # "h2" alone, "h3" under the reviews
    nested: bool  # inside the reviews' Product item: each Question is its subjectOf


def questions_view(
    shop: Shop,
    product: Product,
    questions: Sequence[Question],
    locale: str,
    *,
    heading: str = "h3",
    nested: bool = False,
) -> QuestionsView:
    fmt = Formatter(locale=normalize_locale(locale), tz=shop_timezone(shop.timezone))
    if product.questions_url is None:
        raise ValueError(f"product {product.sku}: questions need its questions_url")
    items = tuple(_question_view(question, shop, fmt) for question in questions if question.answers)
    return QuestionsView(
        items=items,
        ask_url=product.questions_url,
        heading=heading,
        nested=nested,
    )


def _question_view(question: Question, shop: Shop, fmt: Formatter) -> QuestionView:
    asked = fmt.day(question.asked_at)
    # One accepted answer at most (the shop's), first; then the buyers'.
    answers = [a for a in question.answers if a.by_shop][:1]
    answers += [a for a in question.answers if not a.by_shop]
    return QuestionView(
        id=question.id,
        lang=question.language if _LANGUAGE_TAG.fullmatch(question.language or "") else None,
        body=question.body.strip(),
        author=author_name(question.author_name),
        iso=asked.isoformat(),
        text=fmt.long_date(asked),
        answers=tuple(_answer_view(answer, shop, fmt) for answer in answers),
    )


def _answer_view(answer: Answer, shop: Shop, fmt: Formatter) -> AnswerView:
    day = fmt.day(answer.published_at)
    return AnswerView(
        body=answer.body.strip(),
        author=author_name(shop.name if answer.by_shop else answer.author_name),
        by_shop=answer.by_shop,
        iso=day.isoformat(),
        text=fmt.long_date(day),
    )


def render_questions_block(
    shop: Shop, product: Product, questions: Sequence[Question], locale: str
) -> str:
    """The questions fragment on its own (the service's page of the product's questions): the
    answered questions as top-level Question items, and the form; styles inline."""
    view = questions_view(shop, product, questions, locale, heading="h2")
    return render("questions_fragment.html", locale, shop=shop, questions=view)
