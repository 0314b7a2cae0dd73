"""Questions as the API, the admin and a person's export show them: each with its answers."""

from __future__ import annotations

from feedback_service.orders.models import Product
from feedback_service.questions import schemas
from feedback_service.questions.models import Answer, Question


def answer_out(answer: Answer) -> schemas.QuestionAnswer:
    return schemas.QuestionAnswer.model_validate(
        {
            "id": answer.id,
            "body": answer.body,
            "author_name": answer.author_name,
            "by_shop": answer.by_shop,
            "verified_buyer": answer.customer_id is not None,
            "status": answer.status,
            "rejection_reason": answer.rejection_reason,
            "created_at": answer.created_at,
            "published_at": answer.published_at,
        }
    )


def question_out(question: Question, answers: list[Answer]) -> schemas.Question:
    """The question as the API shows it (its product loaded)."""
    product: Product = question.product
    return schemas.Question.model_validate(
        {
            "id": question.id,
            "sku": product.sku,
            "body": question.body,
            "author_name": question.author_name,
            "language": question.language,
            "status": question.status,
            "rejection_reason": question.rejection_reason,
            "asked_at": question.asked_at,
            "confirmed_at": question.confirmed_at,
            "published_at": question.published_at,
            "answered_at": question.answered_at,
            "buyers_asked_at": question.buyers_asked_at,
            "answers": [answer_out(a) for a in answers],
        }
    )


async def answers_of(questions: list[Question]) -> dict[int, list[Answer]]:
    """Every answer of these questions, the shop's first, then by date."""
    found: dict[int, list[Answer]] = {q.id: [] for q in questions}
    rows = await Answer.filter(question_id__in=list(found)).order_by("-by_shop", "created_at", "id")
    for row in rows:
        found[row.question_id].append(row)
    return found


async def with_answers(question: Question) -> schemas.Question:
    return question_out(question, (await answers_of([question]))[question.id])
