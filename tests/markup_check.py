"""The project's own check of review markup against Google's and the card networks' rules.

    check(html, kind) -> Report          kind: "reviews" | "head" | "page" | "questions"

  reviews    a reviews fragment: schema.org Product > AggregateRating + Review > Rating with a
             Person (or Organization) author, as microdata or JSON-LD (both must then agree)
  head       the <head> fragment: Open Graph and Twitter Card meta tags
  page       a full page: both of the above, a <title>, and every reviewBody in the HTML text
  questions  a questions fragment: schema.org Question items (no Product needed)

Wherever they are (top level, or a Product's subjectOf), Question items must follow the
Q&A rules: a name, an answerCount that counts their Answers, at most one acceptedAnswer,
each Answer with text, an author and an ISO dateCreated, and no rating of any kind.

Rules from Google Search Central (review snippet and product structured data), ogp.me and
X's card documentation. `assert_markup_ok` runs this check, then the team's shared checker
(../shared/tools/check_markup.py) as well where it exists (CI has it).
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import extruct
import lxml.html

SHARED_CHECKER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_markup.py"

PRODUCT_TYPES = {"Product", "ProductGroup", "ProductModel", "IndividualProduct", "SomeProducts"}
# Google refuses ratings a business marks up about itself on its own site.
SELF_SERVING_TYPES = {
    "Organization",
    "LocalBusiness",
    "Corporation",
    "OnlineBusiness",
    "OnlineStore",
    "Store",
    "Restaurant",
}
AUTHOR_TYPES = {"Person", "Organization"}
RATING_PROPERTIES = ("aggregateRating", "reviewRating", "review", "reviews")
MAX_AUTHOR_NAME = 100
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
TWITTER_CARDS = {"summary", "summary_large_image", "app", "player"}
OG_REQUIRED = ("og:title", "og:type", "og:image", "og:url")
TWITTER_REQUIRED = ("twitter:card", "twitter:title")

Item = dict[str, Any]


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    products: list[tuple[str, Item]] = field(default_factory=list)  # (syntax, Product)
    questions: list[tuple[str, Item]] = field(default_factory=list)  # (syntax, Question)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def text(self) -> str:
        return "\n".join(
            [f"error: {m}" for m in self.errors]
            + [f"warning: {m}" for m in self.warnings]
            + [f"note: {m}" for m in self.notes]
        )


# ---- reading extruct's output -------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    """extruct gives one nested item as a dict and several as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def first(value: Any) -> Any:
    values = as_list(value)
    return values[0] if values else None


def types_of(item: Any) -> set[str]:
    if not isinstance(item, dict):
        return set()
    return {str(kind).rsplit("/", 1)[-1] for kind in as_list(item.get("@type"))}


def squash(text: Any) -> str:
    return " ".join(str(text or "").split())


def short(text: Any, size: int = 40) -> str:
    text = squash(text)
    return text if len(text) <= size else text[:size] + "..."


def number(value: Any) -> float | None:
    """A dot-decimal number (microdata gives strings), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        return float(value.strip())
    return None


def positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value) or None
    return None


def is_iso_date(value: Any) -> bool:
    text = str(value).strip()
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return bool(ISO_8601.fullmatch(text))


def reviews_of(item: Item) -> list[Any]:
    return as_list(item.get("review")) + as_list(item.get("reviews"))


# ---- Product, AggregateRating, Review, Rating ------------------------------------------


def check_rating_value(item: Item, what: str, report: Report) -> float | None:
    """ratingValue: a dot-decimal number within [worstRating, bestRating] (default 1..5)."""
    raw = first(item.get("ratingValue"))
    best = number(first(item.get("bestRating"))) if item.get("bestRating") is not None else 5.0
    worst = number(first(item.get("worstRating"))) if item.get("worstRating") is not None else 1.0
    if best is None or worst is None or worst >= best:
        report.error(f"{what}: bestRating/worstRating must be numbers, worst below best")
        return None
    value = number(raw)
    if raw is None:
        report.error(f"{what}: ratingValue is missing")
    elif value is None:
        hint = " (use a dot, not a comma)" if "," in str(raw) else ""
        report.error(f"{what}: ratingValue {raw!r} is not a dot-decimal number{hint}")
    elif not worst <= value <= best:
        report.error(f"{what}: ratingValue {raw} is outside [{worst:g}, {best:g}]")
    else:
        return value
    return None


def check_aggregate(aggregate: Any, what: str, report: Report) -> tuple[float | None, int | None]:
    """(ratingValue, count) of an AggregateRating, each None when unusable."""
    if "AggregateRating" not in types_of(aggregate):
        report.error(f"{what}: aggregateRating is not an AggregateRating item")
        return None, None
    value = check_rating_value(aggregate, what, report)
    counts = {k: first(aggregate[k]) for k in ("reviewCount", "ratingCount") if k in aggregate}
    if not counts:
        report.error(f"{what}: needs ratingCount or reviewCount")
        return value, None
    for key, raw in counts.items():
        if positive_int(raw) is None:
            report.error(f"{what}: {key} {raw!r} is not a positive integer")
    return value, positive_int(counts.get("reviewCount", counts.get("ratingCount")))


def check_author(review: Item, what: str, report: Report) -> None:
    author = first(review.get("author"))
    if not isinstance(author, dict):
        report.error(f"{what}: author must be a Person or Organization item, got {short(author)!r}")
        return
    if not types_of(author) & AUTHOR_TYPES:
        report.error(f"{what}: author type {sorted(types_of(author))} is not Person/Organization")
        return
    name = squash(first(author.get("name")))
    if not name:
        report.error(f"{what}: author has no name")
    elif len(name) >= MAX_AUTHOR_NAME:
        report.error(f"{what}: author name is {len(name)} characters (under 100, says Google)")


def check_review(
    review: Any, what: str, report: Report, product_name: str | None = None, nested: bool = True
) -> float | None:
    """The review's ratingValue, or None; reports what Google requires and recommends."""
    if "Review" not in types_of(review):
        report.error(f"{what}: is not a schema.org Review item")
        return None
    rating = first(review.get("reviewRating"))
    value = None
    if "Rating" not in types_of(rating):
        report.error(f"{what}: reviewRating (a Rating with ratingValue) is missing")
    else:
        value = check_rating_value(rating, f"{what} reviewRating", report)
    check_author(review, what, report)
    published = first(review.get("datePublished"))
    if not published:
        report.error(f"{what}: datePublished is missing")
    elif not is_iso_date(published):
        report.error(f"{what}: datePublished {published!r} is not ISO 8601")
    reviewed = first(review.get("itemReviewed"))
    if types_of(reviewed) & SELF_SERVING_TYPES:
        report.error(f"{what}: itemReviewed is a business (self-serving reviews are refused)")
    elif nested and reviewed is not None:
        name = squash(first(reviewed.get("name")) if isinstance(reviewed, dict) else reviewed)
        if not types_of(reviewed) & PRODUCT_TYPES or name != squash(product_name):
            report.error(f"{what}: nested review's itemReviewed {short(name)!r} is not its Product")
    elif not nested and reviewed is None:
        report.error(f"{what}: a standalone Review needs itemReviewed")
    if not squash(first(review.get("reviewBody"))) and not squash(first(review.get("name"))):
        report.warn(f"{what}: neither reviewBody nor name (Google shows the review's text)")
    return value


def check_product(product: Item, syntax: str, report: Report) -> None:
    name = squash(first(product.get("name")))
    label = f"{syntax} Product {short(name)!r}"
    if not name:
        report.error(f"{syntax}: Product has no name")
    aggregate = first(product.get("aggregateRating"))
    value = count = None
    if aggregate is None:
        report.error(f"{label}: aggregateRating is missing")
    else:
        value, count = check_aggregate(aggregate, f"{label} aggregateRating", report)
    reviews = reviews_of(product)
    ratings = [
        check_review(review, f"{label} Review #{n}", report, name)
        for n, review in enumerate(reviews, 1)
    ]
    if count is not None and len(reviews) > count:
        report.error(f"{label}: {len(reviews)} Review items but the count says {count}")
    if count and value is not None and len(reviews) == count and None not in ratings:
        mean = sum(r for r in ratings if r is not None) / len(ratings)
        if abs(mean - value) > 0.051:
            report.warn(f"{label}: all {count} reviews average {mean:.2f}, not {value:g}")


# ---- Question, Answer ------------------------------------------------------------------


def check_answer(answer: Any, what: str, report: Report) -> None:
    if "Answer" not in types_of(answer):
        report.error(f"{what}: is not a schema.org Answer item")
        return
    if not squash(first(answer.get("text"))):
        report.error(f"{what}: text is missing")
    check_author(answer, what, report)
    created = first(answer.get("dateCreated"))
    if not created:
        report.error(f"{what}: dateCreated is missing")
    elif not is_iso_date(created):
        report.error(f"{what}: dateCreated {created!r} is not ISO 8601")
    for name in RATING_PROPERTIES:
        if answer.get(name) is not None:
            report.error(f"{what}: an Answer carries no {name}")


def check_question(question: Item, syntax: str, report: Report) -> None:
    name = squash(first(question.get("name")))
    label = f"{syntax} Question {short(name)!r}"
    report.questions.append((syntax, question))
    if not name:
        report.error(f"{syntax}: Question has no name (the question's text)")
    check_author(question, label, report)
    created = first(question.get("dateCreated"))
    if created and not is_iso_date(created):
        report.error(f"{label}: dateCreated {created!r} is not ISO 8601")
    accepted = as_list(question.get("acceptedAnswer"))
    suggested = as_list(question.get("suggestedAnswer"))
    if not accepted and not suggested:
        report.error(f"{label}: needs an acceptedAnswer or a suggestedAnswer")
    if len(accepted) > 1:
        report.error(f"{label}: {len(accepted)} acceptedAnswer items (one at most)")
    for n, answer in enumerate(accepted + suggested, 1):
        check_answer(answer, f"{label} Answer #{n}", report)
    count = first(question.get("answerCount"))
    if count is None:
        report.error(f"{label}: answerCount is missing")
    elif not (str(count).strip().isascii() and str(count).strip().isdigit()):
        report.error(f"{label}: answerCount {count!r} is not a whole number")
    elif int(count) != len(accepted) + len(suggested):
        report.error(f"{label}: answerCount {count} but {len(accepted) + len(suggested)} Answers")
    for name in RATING_PROPERTIES:
        if question.get(name) is not None:
            report.error(f"{label}: a Question carries no {name}")


def questions_of(item: Item) -> list[Item]:
    """The Questions an item holds as its subjectOf."""
    return [q for q in as_list(item.get("subjectOf")) if "Question" in types_of(q)]


def jsonld_items(data: list[Any]) -> list[Item]:
    items: list[Any] = []
    for item in data:
        has_graph = isinstance(item, dict) and "@graph" in item
        items.extend(as_list(item["@graph"]) if has_graph else [item])
    return [item for item in items if isinstance(item, dict)]


def extract(html: str, report: Report) -> dict[str, list[Any]]:
    """Microdata and JSON-LD; a broken JSON-LD script is reported, the microdata kept."""
    scripts = lxml.html.document_fromstring(html).xpath('//script[@type="application/ld+json"]')
    for n, script in enumerate(scripts, 1):
        try:
            json.loads(script.text_content())
        except ValueError as exc:
            report.error(f"JSON-LD script #{n} is not valid JSON ({exc})")
    in_source = len(re.findall(r"<script[^>]*application/ld\+json", html, re.I))
    if in_source > len(scripts):
        report.error(f"{in_source} JSON-LD scripts in the source, {len(scripts)} once parsed")
    try:
        data: dict[str, list[Any]] = extruct.extract(
            html, syntaxes=["microdata", "json-ld"], uniform=True
        )
        return data
    except Exception:  # a broken JSON-LD script, reported above
        pass
    try:
        microdata = extruct.extract(html, syntaxes=["microdata"], uniform=True)["microdata"]
    except Exception as exc:
        report.error(f"extruct cannot read the microdata: {exc}")
        return {}
    return {"microdata": microdata}


def summary_of(product: Item) -> tuple[str, float | None, int | None, int]:
    aggregate = first(product.get("aggregateRating"))
    aggregate = aggregate if isinstance(aggregate, dict) else {}
    count = aggregate.get("reviewCount", aggregate.get("ratingCount"))
    value = number(first(aggregate.get("ratingValue")))
    return (
        squash(first(product.get("name"))),
        value,
        positive_int(first(count)),
        len(reviews_of(product)),
    )


def check_agreement(report: Report) -> None:
    """Where both syntaxes describe a product, a microdata Product must say the same."""
    micro = [summary_of(p) for syntax, p in report.products if syntax == "microdata"]
    for syntax, product in report.products:
        if syntax != "JSON-LD" or not micro:
            continue
        summary = summary_of(product)
        same_name = [m for m in micro if m[0] == summary[0]]
        if not same_name:
            report.error(f"JSON-LD Product {short(summary[0])!r} has no microdata twin")
        elif summary not in same_name:
            report.error(f"Product {short(summary[0])!r}: microdata {same_name[0]} != {summary}")


def check_structured(html: str, report: Report, *, needs_product: bool = True) -> None:
    data = extract(html, report)
    found = {
        "microdata": data.get("microdata", []),
        "JSON-LD": jsonld_items(data.get("json-ld", [])),
    }
    for syntax, items in found.items():
        for item in items:
            kinds = types_of(item)
            for question in questions_of(item):
                check_question(question, syntax, report)
            if "Question" in kinds:
                check_question(item, syntax, report)
            elif kinds & PRODUCT_TYPES:
                report.products.append((syntax, item))
                check_product(item, syntax, report)
            elif kinds & SELF_SERVING_TYPES and (item.get("aggregateRating") or reviews_of(item)):
                report.error(f"{syntax}: ratings of a business about itself (self-serving)")
            elif "Review" in kinds:
                check_review(item, f"{syntax} standalone Review", report, nested=False)
    if needs_product and not report.products:
        report.error("no schema.org Product found (neither microdata nor JSON-LD)")
    if not needs_product and not report.questions:
        report.error("no schema.org Question found (neither microdata nor JSON-LD)")
    check_agreement(report)
    for syntax, product in report.products:
        name, value, count, shown = summary_of(product)
        report.notes.append(f"{syntax} {short(name)!r}: {value} from {count}, {shown} reviews")


RATING_TYPES = {"AggregateRating", "Rating", "Review", "EmployerAggregateRating"}
RATING_PROPERTIES = {"aggregateRating", "reviewRating", "review", "ratingValue"}


def rating_markup(html: str) -> list[str]:
    """Every schema.org rating or review anywhere in the page, in any syntax (microdata,
    JSON-LD, RDFa), as "syntax: type or property": a page about a business itself (its
    certificate, its badge) must have none, whatever it is attached to."""
    data = extruct.extract(html, syntaxes=["microdata", "json-ld", "rdfa"], uniform=True)
    found: list[str] = []

    def walk(syntax: str, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(syntax, item)
        elif isinstance(value, dict):
            found.extend(f"{syntax}: {kind}" for kind in types_of(value) & RATING_TYPES)
            for key, child in value.items():
                name = str(key).rsplit("/", 1)[-1]
                if name in RATING_PROPERTIES:
                    found.append(f"{syntax}: {name}")
                walk(syntax, child)

    for syntax, items in data.items():
        walk(syntax, items)
    return found


# ---- Open Graph and Twitter Card ------------------------------------------------------


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def meta_tags(doc: Any) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(by property=, by name=) of every <meta>, with their contents."""
    by_property: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for meta in doc.iter("meta"):
        content = (meta.get("content") or "").strip()
        if meta.get("property"):
            by_property.setdefault(meta.get("property").strip(), []).append(content)
        if meta.get("name"):
            by_name.setdefault(meta.get("name").strip(), []).append(content)
    return by_property, by_name


def check_present(
    tags: dict[str, list[str]], keys: tuple[str, ...], how: str, report: Report
) -> None:
    for key in keys:
        if key not in tags:
            report.error(f'head: <meta {how}="{key}"> is missing')
        elif not tags[key][0]:
            report.error(f"head: {key} is empty")
        elif len(set(tags[key])) > 1:
            report.warn(f"head: {key} is given {len(tags[key])} times with different values")


def check_head(doc: Any, report: Report) -> None:
    by_property, by_name = meta_tags(doc)
    check_present(by_property, OG_REQUIRED, "property", report)
    check_present(by_name, TWITTER_REQUIRED, "name", report)
    for key in ("og:image", "og:url"):
        url = by_property.get(key, [""])[0]
        if url and not is_absolute(url):
            report.error(f"head: {key} {url!r} is not an absolute http(s) URL")
    if "og:description" not in by_property:
        report.warn("head: og:description is missing")
    card = by_name.get("twitter:card", [""])[0]
    if card and card not in TWITTER_CARDS:
        report.error(f"head: twitter:card {card!r} is not one of {sorted(TWITTER_CARDS)}")
    image = by_name.get("twitter:image", [""])[0]
    if image and not is_absolute(image):
        report.error(f"head: twitter:image {image!r} is not an absolute http(s) URL")
    report.notes.append(f"head: og:title {short(by_property.get('og:title', [''])[0])!r}")


# ---- a full page ----------------------------------------------------------------------


def visible_text(doc: Any) -> str:
    """The page's text as a crawler that runs no JavaScript reads it."""
    doc = copy.deepcopy(doc)
    for element in doc.xpath("//script | //style | //template"):
        element.drop_tree()
    return squash(doc.text_content())


def check_page(doc: Any, report: Report) -> None:
    title = doc.find(".//title")
    if title is None or not squash(title.text_content()):
        report.error("page: <title> is missing or empty")
    text = visible_text(doc)
    for syntax, product in report.products:
        for n, review in enumerate(reviews_of(product), 1):
            body = squash(first(review.get("reviewBody"))) if isinstance(review, dict) else ""
            if body and body not in text:
                report.error(f"{syntax} Review #{n}: reviewBody {short(body)!r} is not page text")
    for syntax, question in report.questions:
        answers = as_list(question.get("acceptedAnswer")) + as_list(question.get("suggestedAnswer"))
        shown = [squash(first(question.get("name")))]
        shown += [squash(first(a.get("text"))) for a in answers if isinstance(a, dict)]
        for words in shown:
            if words and words not in text:
                report.error(f"{syntax} Question: {short(words)!r} is not page text")


def check(html: str, kind: str) -> Report:
    report = Report()
    if not html.strip():
        report.error("the document is empty")
        return report
    doc = lxml.html.document_fromstring(html)
    if kind in ("reviews", "page"):
        check_structured(html, report)
    if kind == "questions":
        check_structured(html, report, needs_product=False)
    if kind in ("head", "page"):
        check_head(doc, report)
    if kind == "page":
        check_page(doc, report)
    return report


def assert_markup_ok(html: str, kind: str, tmp_path: Path) -> str:
    """Our check must pass; so must the shared checker where it exists. Returns our notes."""
    report = check(html, kind)
    assert not report.errors, report.text()
    if SHARED_CHECKER.exists() and kind != "questions":  # the shared one knows no questions
        path = tmp_path / f"{kind}.html"
        path.write_text(html, encoding="utf-8")
        run = subprocess.run(
            [sys.executable, str(SHARED_CHECKER), str(path), "--kind", kind],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0 and "error:" not in run.stdout, run.stdout + run.stderr
    return report.text()
