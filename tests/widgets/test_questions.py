"""The questions section: plain data in, HTML out; one accepted answer at most, the buyers'
suggested, nothing unanswered shown, hostile text inert, and valid Question microdata."""

from __future__ import annotations

from pathlib import Path

from markup_helpers import assert_markup_ok, microdata, visible_text
from widget_samples import HOSTILE, PAGE, PRODUCT, REVIEWS, SHOP, SUMMARY, when

import widgets
from widgets import Answer, Question


def question(id: int, *answers: Answer, body: str = "Does it whistle?") -> Question:
    return Question(
        id=id, body=body, author_name="Zoé", language="en", asked_at=when(2), answers=answers
    )


SHOP_ANSWER = Answer(body="Yes, loudly.", author_name="", by_shop=True, published_at=when(3))
BUYER_ANSWER = Answer(body="Mine does.", author_name="Bob B.", by_shop=False, published_at=when(4))


def test_the_shop_answer_is_accepted_buyers_suggested_and_unanswered_ones_hidden(
    tmp_path: Path,
) -> None:
    asked = [
        question(1, BUYER_ANSWER, SHOP_ANSWER, SHOP_ANSWER),
        question(2, BUYER_ANSWER, body="Is it heavy?"),
        question(3, body="Never answered?"),
    ]
    html = widgets.render_questions_block(SHOP, PRODUCT, asked, "en")
    assert_markup_ok(html, "questions", tmp_path)
    first, second = microdata(html)
    assert first["acceptedAnswer"]["author"] == {"@type": "Organization", "name": "Maison Dupont"}
    assert first["suggestedAnswer"]["author"]["name"] == "Bob B." and first["answerCount"] == "2"
    assert "acceptedAnswer" not in second and second["suggestedAnswer"]["text"] == "Mine does."
    assert "Never answered?" not in html
    assert 'action="https://reviews.example.com/w/demo-shop/products/KETTLE-1/questions"' in html
    assert "<script" not in html


def test_under_the_reviews_questions_are_the_products_subject(tmp_path: Path) -> None:
    html = widgets.render_reviews_block(
        SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, "fr", questions=[question(1, SHOP_ANSWER)]
    )
    assert_markup_ok(html, "reviews", tmp_path)
    [product] = microdata(html)
    assert product["subjectOf"]["name"] == "Does it whistle?"
    assert "Questions et réponses" in visible_text(html) and "Poser une question" in html
    without = widgets.render_reviews_block(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, "fr")
    assert 'id="fs-questions"' not in without  # no loader, no section


def test_hostile_questions_and_answers_are_inert(tmp_path: Path) -> None:
    hostile = Answer(body=HOSTILE, author_name=HOSTILE * 3, by_shop=False, published_at=when(5))
    html = widgets.render_questions_block(SHOP, PRODUCT, [question(1, hostile, body=HOSTILE)], "fr")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "\u202e" not in html and "\x00" not in html and "\x1b" not in html
    assert_markup_ok(html, "questions", tmp_path)
    [item] = microdata(html)
    assert len(item["suggestedAnswer"]["author"]["name"]) < 100
