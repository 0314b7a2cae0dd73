"""A product's answered questions as plain data for the `widgets` renderers."""

from __future__ import annotations

import widgets
from feedback_service.orders.models import Product
from feedback_service.questions.models import Answer, AnswerStatus, Question, QuestionStatus

SHOWN = 20  # the most recently answered questions of a product a block shows


async def answered_questions(product: Product) -> list[widgets.Question]:
    """The product's published questions that have a published answer, most recently
    answered first, each with its published answers (the shop's first)."""
    questions = (
        await Question.filter(
            product_id=product.id, status=QuestionStatus.PUBLISHED, answered_at__not_isnull=True
        )
        .order_by("-answered_at", "-id")
        .limit(SHOWN)
    )
    if not questions:
        return []
    answers: dict[int, list[widgets.Answer]] = {q.id: [] for q in questions}
    rows = await Answer.filter(
        question_id__in=list(answers), status=AnswerStatus.PUBLISHED
    ).order_by("-by_shop", "published_at", "id")
    for row in rows:
        assert row.published_at is not None
        answers[row.question_id].append(
            widgets.Answer(
                body=row.body,
                author_name=row.author_name,
                by_shop=row.by_shop,
                published_at=row.published_at,
            )
        )
    return [
        widgets.Question(
            id=q.id,
            body=q.body,
            author_name=q.author_name,
            language=q.language,
            asked_at=q.asked_at,
            answers=tuple(answers[q.id]),
        )
        for q in questions
        if answers[q.id]
    ]
