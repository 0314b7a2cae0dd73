"""The project's markup checker refuses what Google and the card networks refuse."""

from __future__ import annotations

import pytest
from markup_check import check

RATING = (
    '<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
    '<meta itemprop="ratingValue" content="{rating}"></div>'
)
AUTHOR = (
    '<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
    '<span itemprop="name">{author}</span></div>'
)
REVIEW = (
    '<div itemprop="review" itemscope itemtype="https://schema.org/Review">'
    '<span itemprop="name">Great</span><p itemprop="reviewBody">Boils fast.</p>'
    '<meta itemprop="datePublished" content="{date}">{rating}{author}</div>'
)
AGGREGATE = (
    '<div itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">'
    '<meta itemprop="ratingValue" content="{value}"><meta itemprop="reviewCount" content="{count}">'
    "</div>"
)
HEAD = {
    "og:title": '<meta property="og:title" content="Kettle">',
    "og:type": '<meta property="og:type" content="product">',
    "og:image": '<meta property="og:image" content="https://shop.example/k.jpg">',
    "og:url": '<meta property="og:url" content="https://shop.example/kettle">',
    "og:description": '<meta property="og:description" content="4.5 out of 5">',
    "twitter:card": '<meta name="twitter:card" content="summary_large_image">',
    "twitter:title": '<meta name="twitter:title" content="Kettle">',
}


def block(
    *,
    value: str = "4",
    count: str = "1",
    rating: str | None = "4",
    author: str | None = "Ann",
    date: str = "2026-10-02",
    product: str = "Product",
    reviews: int = 1,
    aggregate: bool = True,
) -> str:
    review = REVIEW.format(
        date=date,
        rating=RATING.format(rating=rating) if rating is not None else "",
        author=AUTHOR.format(author=author) if author is not None else "",
    )
    summary = AGGREGATE.format(value=value, count=count) if aggregate else ""
    return (
        f'<div itemscope itemtype="https://schema.org/{product}">'
        f'<span itemprop="name">Kettle</span>{summary}{review * reviews}</div>'
    )


def head(**changes: str) -> str:
    return "".join({**HEAD, **changes}.values())


def page(body: str, title: str = "Kettle reviews") -> str:
    return f"<html><head><title>{title}</title>{head()}</head><body>{body}</body></html>"


def errors(html: str, kind: str) -> str:
    return "\n".join(check(html, kind).errors)


def test_good_markup_passes_every_kind() -> None:
    assert errors(block(), "reviews") == ""
    assert errors(head(), "head") == ""
    assert errors(page(block()), "page") == ""
    report = check(block(value="4.5", count="2"), "reviews")
    assert report.errors == [] and "4.5 from 2, 1 reviews" in report.text()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (block(rating=""), "reviewRating: ratingValue '' is not a dot-decimal number"),
        (block(rating=None), "reviewRating (a Rating with ratingValue) is missing"),
        (block(rating="6"), "ratingValue 6 is outside [1, 5]"),
        (block(rating="0"), "ratingValue 0 is outside [1, 5]"),
        (block(value="4,5"), "(use a dot, not a comma)"),
        (block(value="9"), "aggregateRating: ratingValue 9 is outside [1, 5]"),
        (block(count="0"), "reviewCount '0' is not a positive integer"),
        (block(count="two"), "reviewCount 'two' is not a positive integer"),
        (block(author=None), "author must be a Person or Organization item"),
        (block(author=""), "author has no name"),
        (block(author="A" * 100), "author name is 100 characters"),
        (block(date=""), "datePublished is missing"),
        (block(date="02/10/2026"), "datePublished '02/10/2026' is not ISO 8601"),
        (block(date="2026-13-45"), "is not ISO 8601"),
        (block(product="Organization"), "self-serving"),
        (block(product="Thing"), "no schema.org Product found"),
        (block().replace("Kettle", ""), "Product has no name"),
        (block(aggregate=False), "aggregateRating is missing"),
        (block(reviews=2), "2 Review items but the count says 1"),
        ("", "the document is empty"),
    ],
)
def test_bad_structured_data_is_refused(html: str, expected: str) -> None:
    assert expected in errors(html, "reviews")


def test_json_ld_must_parse_and_agree_with_the_microdata() -> None:
    json_ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"Product", "name": "Kettle", "aggregateRating": {"@type": "AggregateRating", '
        '"ratingValue": 3, "reviewCount": 7}}</script>'
    )
    assert "Product 'Kettle': microdata" in errors(block() + json_ld, "reviews")
    assert errors(json_ld, "reviews") == ""  # alone, JSON-LD is fine
    broken = '<script type="application/ld+json"></script>'
    assert "JSON-LD script #1 is not valid JSON" in errors(block() + broken, "reviews")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (head(**{"og:title": ""}), '<meta property="og:title"> is missing'),
        (head(**{"og:title": '<meta name="og:title" content="K">'}), "og:title"),
        (head(**{"og:image": '<meta property="og:image" content="">'}), "og:image is empty"),
        (head(**{"og:url": '<meta property="og:url" content="/kettle">'}), "not an absolute"),
        (head(**{"og:type": ""}), '<meta property="og:type"> is missing'),
        (head(**{"twitter:card": ""}), '<meta name="twitter:card"> is missing'),
        (head(**{"twitter:card": '<meta name="twitter:card" content="big">'}), "'big' is not"),
        (head(**{"twitter:title": ""}), '<meta name="twitter:title"> is missing'),
        (
            head(**{"twitter:title": '<meta name="twitter:image" content="k.jpg">'}),
            "twitter:image 'k.jpg' is not an absolute",
        ),
    ],
)
def test_bad_head_tags_are_refused(html: str, expected: str) -> None:
    assert expected in errors(html, "head")


def test_missing_description_only_warns() -> None:
    report = check(head(**{"og:description": ""}), "head")
    assert report.errors == [] and "og:description is missing" in report.text()


def test_a_page_needs_a_title_and_its_review_text_in_the_html() -> None:
    assert "<title> is missing or empty" in errors(page(block(), title=""), "page")
    injected = (  # review text that only a script would show
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"Product", "name": "Kettle", "aggregateRating": {"@type": "AggregateRating", '
        '"ratingValue": 4, "reviewCount": 1}, "review": {"@type": "Review", "reviewBody": '
        '"Only in JSON", "datePublished": "2026-10-02", "reviewRating": {"@type": "Rating", '
        '"ratingValue": 4}, "author": {"@type": "Person", "name": "Ann"}}}</script>'
    )
    assert errors(injected, "reviews") == ""
    assert "reviewBody 'Only in JSON' is not page text" in errors(page(injected), "page")


# ---- questions and answers --------------------------------------------------------------

ANSWER = (
    '<div itemprop="{role}" itemscope itemtype="https://schema.org/{kind}">'
    '<p itemprop="text">{text}</p><meta itemprop="dateCreated" content="{date}">'
    '<span itemprop="author" itemscope itemtype="https://schema.org/Organization">'
    '<span itemprop="name">{author}</span></span>{extra}</div>'
)


def question(
    *,
    name: str = "Does it fit a 40 cm shelf?",
    count: str | None = "1",
    answers: tuple[str, ...] = ("acceptedAnswer",),
    text: str = "Yes, it is 38 cm wide.",
    date: str = "2026-10-03",
    author: str = "Kettle Shop",
    kind: str = "Answer",
    extra: str = "",
    nested: bool = False,
) -> str:
    parts = "".join(
        ANSWER.format(role=role, kind=kind, text=text, date=date, author=author, extra=extra)
        for role in answers
    )
    counted = f'<meta itemprop="answerCount" content="{count}">' if count is not None else ""
    asker = (
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">Zoé</span></span><meta itemprop="dateCreated" content="2026-10-01">'
    )
    scope = ' itemprop="subjectOf"' if nested else ""
    return (
        f'<div{scope} itemscope itemtype="https://schema.org/Question">'
        f'<p itemprop="name">{name}</p>{asker}{counted}{parts}</div>'
    )


def in_product(html: str) -> str:
    """The block's Product with `html` added as its last child."""
    product = block()
    return product.removesuffix("</div>") + html + "</div>"


def test_good_questions_pass_alone_and_inside_a_product() -> None:
    assert errors(question(), "questions") == ""
    two = question(answers=("acceptedAnswer", "suggestedAnswer"), count="2")
    assert errors(two, "questions") == ""
    inside = in_product(question(nested=True))
    report = check(inside, "reviews")
    assert report.errors == [] and len(report.questions) == 1
    assert errors(page(inside), "page") == ""


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (question(name=""), "Question has no name"),
        (question(count=None), "answerCount is missing"),
        (question(count="2"), "answerCount 2 but 1 Answers"),
        (question(count="one"), "answerCount 'one' is not a whole number"),
        (question(answers=(), count="0"), "needs an acceptedAnswer or a suggestedAnswer"),
        (
            question(answers=("acceptedAnswer", "acceptedAnswer"), count="2"),
            "2 acceptedAnswer items (one at most)",
        ),
        (question(text=""), "Answer #1: text is missing"),
        (question(author=""), "Answer #1: author has no name"),
        (question(date="03/10/2026"), "dateCreated '03/10/2026' is not ISO 8601"),
        (question(kind="Comment"), "is not a schema.org Answer item"),
        (
            question(
                extra='<div itemprop="aggregateRating" itemscope itemtype="https://schema.org/'
                'AggregateRating"><meta itemprop="ratingValue" content="5">'
                '<meta itemprop="ratingCount" content="3"></div>'
            ),
            "an Answer carries no aggregateRating",
        ),
        (block(), "no schema.org Question found"),
    ],
)
def test_bad_questions_are_refused(html: str, expected: str) -> None:
    assert expected in errors(html, "questions")


def test_a_question_inside_a_product_is_checked_too() -> None:
    inside = in_product(question(nested=True, count="3"))
    assert "answerCount 3 but 1 Answers" in errors(inside, "reviews")
    hidden = page(block()).replace(
        "</body>",
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"Question", "name": "Only in JSON?", "answerCount": 1, "author": {"@type": "Person", '
        '"name": "Zoé"}, "acceptedAnswer": {"@type": "Answer", "text": "Yes", "dateCreated": '
        '"2026-10-02", "author": {"@type": "Organization", "name": "Shop"}}}</script></body>',
    )
    assert "'Only in JSON?' is not page text" in errors(hidden, "page")
