"""Replies that fit the complaint: a template per aspect and language (the shop's own wording
over our defaults), filled with the customer's name, order and words; sent by a person.

Filling is plain placeholder replacement in one pass (`{name}`, `{order}`, `{comment}`,
`{shop}`), never a template engine: what a customer or an agent writes is never evaluated,
and a placeholder inside a filled value stays as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feedback_service.alerts.models import ReplyTemplate
from feedback_service.errors import InvalidInput
from feedback_service.i18n import LOCALES, N_, gettext, normalize_locale
from feedback_service.shops.models import Shop

# The aspects of sentiment.aspects that have a reply of their own; "general" for the rest.
REPLY_ASPECTS = {
    "delivery": N_("Delivery"),
    "quality": N_("Quality"),
    "size_fit": N_("Size and fit"),
    "price": N_("Price"),
    "customer_service": N_("Customer service"),
    "returns_refunds": N_("Returns and refunds"),
    "general": N_("Anything else"),
}
GESTURES = {
    "refund": N_("Refund"),
    "voucher": N_("Voucher code"),
    "replacement": N_("Replacement"),
}
PLACEHOLDERS = ("name", "order", "comment", "shop")
MAX_SUBJECT = 200
MAX_BODY = 10_000
QUOTED_WORDS = 300  # characters of the comment a reply quotes

_OPENING = N_("Hello {name},\n\nThank you for telling us about {order}.\n\nYou wrote: {comment}")
_SIGN_OFF = N_("Kind regards,\nThe {shop} team")
DEFAULTS: dict[str, tuple[str, str]] = {
    "delivery": (
        N_("Your delivery — {shop}"),
        N_(
            "We are sorry your parcel did not arrive as it should have. We have checked with "
            "the carrier and will keep you informed until it is with you."
        ),
    ),
    "quality": (
        N_("The quality of your purchase — {shop}"),
        N_(
            "We are sorry the product did not live up to what you expected. We would like to "
            "put it right."
        ),
    ),
    "size_fit": (
        N_("The size of your purchase — {shop}"),
        N_(
            "We are sorry the size was not right. We can exchange it for another size at no "
            "cost to you."
        ),
    ),
    "price": (
        N_("About our prices — {shop}"),
        N_("We hear you about the price, and we are sorry you were disappointed."),
    ),
    "customer_service": (
        N_("Your contact with our team — {shop}"),
        N_(
            "We are sorry our team did not help you as it should have. I am looking after "
            "your request myself from now on."
        ),
    ),
    "returns_refunds": (
        N_("Your return — {shop}"),
        N_(
            "We are sorry your return or refund took this turn. I have checked it and am "
            "making sure it is settled quickly."
        ),
    ),
    "general": (
        N_("We are sorry — {shop}"),
        N_("We are sorry your experience fell short, and we would like to put this right."),
    ),
}
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    custom: bool  # the shop's own wording


def default_template(aspect: str, language: str) -> Template:
    subject, body = DEFAULTS[aspect]
    parts = (gettext(language, text) for text in (_OPENING, body, _SIGN_OFF))
    text = "\n\n".join(parts)
    return Template(gettext(language, subject), text, custom=False)


async def shop_templates(shop: Shop) -> dict[tuple[str, str], Template]:
    """Every (aspect, language) template of the shop, its own over our defaults: one query."""
    found = {
        (aspect, language): default_template(aspect, language)
        for aspect in REPLY_ASPECTS
        for language in LOCALES
    }
    for row in await ReplyTemplate.filter(shop=shop):
        if (row.aspect, row.language) in found:
            found[row.aspect, row.language] = Template(row.subject, row.body, custom=True)
    return found


async def save_template(shop: Shop, aspect: str, language: str, subject: str, body: str) -> None:
    """The shop's wording; a blank subject and body bring our default back."""
    if aspect not in REPLY_ASPECTS or language not in LOCALES:
        raise InvalidInput("Unknown reply template.", fields={"aspect": ", ".join(REPLY_ASPECTS)})
    subject, body = subject.strip(), body.replace("\r\n", "\n").strip()
    default = default_template(aspect, language)
    if (not subject and not body) or (subject, body) == (default.subject, default.body):
        await ReplyTemplate.filter(shop=shop, aspect=aspect, language=language).delete()
        return
    if not subject or not body:
        raise InvalidInput("A reply template needs a subject and a message.")
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise InvalidInput("This reply template is too long.", fields={"body": "too long"})
    await ReplyTemplate.update_or_create(
        defaults={"subject": subject, "body": body},
        shop=shop,
        aspect=aspect,
        language=language,
    )


def pick_aspect(aspect_tags: list[str]) -> str:
    """The template for an alert: its first aspect that has one, else the general one."""
    return next((a for a in aspect_tags if a in REPLY_ASPECTS), "general")


def pick_language(value: str | None) -> str:
    return normalize_locale(value)


def values_for(
    language: str, *, name: str, order: str | None, comment: str, shop: str
) -> dict[str, str]:
    """What each placeholder becomes for this customer, in their language."""
    words = " ".join(comment.split())
    if len(words) > QUOTED_WORDS:
        words = words[: QUOTED_WORDS - 1].rstrip() + "…"
    quote = ("« %s »" if language == "fr" else "“%s”") % words if words else ""
    order_text = (
        gettext(language, "order %(number)s", number=order)
        if order
        else gettext(language, "your order")
    )
    return {
        "name": name.split(" ")[0] if name else "",
        "order": order_text,
        "comment": quote,
        "shop": shop,
    }


def fill(text: str, values: dict[str, str]) -> str:
    """The text with its placeholders replaced, in one pass; a paragraph whose placeholder
    has nothing to say (no comment) is left out, and a missing name leaves "Hello,"."""
    if not values.get("name"):
        text = re.sub(r" \{name\}", "", text)
    paragraphs = []
    for paragraph in text.split("\n\n"):
        if any(not values.get(m) for m in _PLACEHOLDER.findall(paragraph) if m != "name"):
            continue
        paragraphs.append(_PLACEHOLDER.sub(lambda m: values.get(m[1], ""), paragraph))
    return "\n\n".join(paragraphs)


def gesture_line(language: str, gesture: str, detail: str) -> str:
    """The line the email carries about the gesture, in the customer's language."""
    label = gettext(language, GESTURES[gesture])
    if not detail:
        return label
    return f"{label} : {detail}" if language == "fr" else f"{label}: {detail}"
