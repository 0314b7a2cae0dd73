"""Every link the service hands out, built from PUBLIC_BASE_URL, the paths below and a
signed token.

Each path the service links to is written once, here: routes.py serves it (Route(PATH,
endpoint)), and Links and the redirects fill it in (a test checks every link resolves)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from feedback_service import tokens
from feedback_service.errors import InvalidToken
from feedback_service.settings import Settings

_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
# What quote() leaves as it is: tokens, slugs and ids, nearly every value, skip it.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def _segment(value: str | int) -> str:
    text = str(value)
    return text if _UNRESERVED(text) else quote(text, safe="")


class Path(str):
    """A path as routes.py serves it, convertors included: "/w/{shop:slug}/reviews/{id}"."""

    def __init__(self, path: str) -> None:
        self._format = _PARAM.sub(r"{\1}", path)  # "/w/{shop}/reviews/{id}"

    def fill(self, **params: str | int) -> str:
        """The path with each parameter percent-encoded in its place."""
        return self._format.format_map({name: _segment(value) for name, value in params.items()})


# Respondents: the token in the link is the only key.
SURVEY_ANSWER = Path("/s/{token}/{score}")
SURVEY_COMMENT = Path("/s/{token}/comment")
SURVEY_PAGE = Path("/s/{token}")
UNSUBSCRIBE = Path("/u/{token}")
REVIEW_FORM = Path("/r/{token}")
REVIEW_THANKS = Path("/r/{token}/thanks")
# The author's private page of their review (reviews.authors) and its withdrawal.
AUTHOR_PAGE = Path("/m/{token}")
AUTHOR_WITHDRAW = Path("/m/{token}/withdraw")
QUESTION_CONFIRM = Path("/q/{token}")
BUYER_ANSWER = Path("/a/{token}")
# Shops' public pages and blocks.
PRODUCT_PAGE = Path("/w/{shop:slug}/products/{sku:sku}")
PRODUCT_QUESTIONS = Path("/w/{shop:slug}/products/{sku:sku}/questions")  # GET and the form
QUESTION_SENT = Path("/w/{shop:slug}/products/{sku:sku}/questions/sent")
PRODUCT_BLOCK = Path("/w/{shop:slug}/products/{sku:sku}/{kind}")  # reviews, head or badge
SHOP_REVIEWS = Path("/w/{shop:slug}/reviews")
REVIEW_POLICY = Path("/w/{shop:slug}/review-policy")
CERTIFICATE = Path("/w/{shop:slug}/certificate")
SHOP_BADGE = Path("/w/{shop:slug}/badge")
REVIEW_HELPFUL = Path("/w/{shop:slug}/reviews/{id}/helpful")
REVIEW_PAGE = Path("/w/{shop:slug}/reviews/{id}")
REVIEW_CARD = Path("/w/{shop:slug}/reviews/{id}/card.png")
DRAW_JSON = Path("/w/{shop:slug}/draws/{id}.json")
DRAW_PAGE = Path("/w/{shop:slug}/draws/{id}")
PHOTO = Path("/media/photos/{name}")
PRODUCT_REVIEWS_FEED = Path("/feeds/{shop:slug}/{feed_token}/google-product-reviews.xml")
MERCHANT_REVIEWS_FEED = Path("/feeds/{shop:slug}/{feed_token}/google-merchant-reviews.xml")
HOOK = Path("/hooks/{platform}/{connector}")
ICON = Path("/favicon.svg")
# Staff pages the code sends people to.
ADMIN = Path("/admin")
ADMIN_LOGIN = Path("/admin/login")
ADMIN_INBOX = Path("/admin/inbox")
ADMIN_REVIEWS = Path("/admin/reviews")
ADMIN_QUESTIONS = Path("/admin/questions")
ADMIN_SETTINGS = Path("/admin/settings")
ADMIN_OUTBOX_MESSAGE = Path("/admin/outbox/{id}")
ADMIN_CONNECTORS = Path("/admin/connectors")
ADMIN_OUTBOX = Path("/admin/outbox")
ADMIN_DRAWS = Path("/admin/draws")
ADMIN_DRAW = Path("/admin/draws/{id}")
ADMIN_CAMPAIGNS = Path("/admin/campaigns")
ADMIN_CAMPAIGN = Path("/admin/campaigns/{id}")
ADMIN_SURVEY_RULES = Path("/admin/survey-rules")
ADMIN_SURVEY_LINKS = Path("/admin/survey-links")
ADMIN_SURVEY_LINK = Path("/admin/survey-links/{id}")
ADMIN_IMPORTS = Path("/admin/imports")


class Links:
    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.base_url
        self.secret_key = settings.secret_key
        self.signer = tokens.Signer(settings.secret_key)
        self.max_age = settings.token_max_age_days * 24 * 3600

    def url(self, path: Path, **params: str | int) -> str:
        """The absolute link to `path`, its parameters filled in."""
        return self.base_url + path.fill(**params)

    def survey_token(self, invitation_id: int, shop_id: int, *, reusable: bool = False) -> str:
        purpose = tokens.SURVEY_LINK if reusable else tokens.SURVEY
        return self.signer.dumps(purpose, invitation_id, shop_id)

    def survey_page_url(self, token: str) -> str:
        """The page with every choice of a survey (the QR code of a receipt points there)."""
        return self.url(SURVEY_PAGE, token=token)

    def survey_links(self, token: str, keys: Iterable[str]) -> dict[str, str]:
        """The one-click link of each answer (`keys`: a survey kind's `link_keys`)."""
        return {key: self.url(SURVEY_ANSWER, token=token, score=key) for key in keys}

    def unsubscribe_url(self, customer_id: int, shop_id: int) -> str:
        token = self.signer.dumps(tokens.UNSUBSCRIBE, customer_id, shop_id)
        return self.url(UNSUBSCRIBE, token=token)

    def read_survey_token(self, token: str) -> tuple[int, int]:
        try:
            return self.signer.loads(tokens.SURVEY, token, self.max_age)
        except InvalidToken:
            # Not an email's link: a reusable one's (a second check only for those).
            return self.signer.loads(tokens.SURVEY_LINK, token, tokens.SURVEY_LINK_MAX_AGE)

    def read_unsubscribe_token(self, token: str) -> tuple[int, int]:
        return self.signer.loads(tokens.UNSUBSCRIBE, token, tokens.UNSUBSCRIBE_MAX_AGE)

    def feed_token(self, shop_id: int, version: int) -> str:
        return tokens.feed_token(self.secret_key, shop_id, version)

    def product_reviews_feed_url(self, shop_slug: str, shop_id: int, version: int) -> str:
        """The Google Product Ratings feed at its secret URL, for Merchant Center."""
        token = self.feed_token(shop_id, version)
        return self.url(PRODUCT_REVIEWS_FEED, shop=shop_slug, feed_token=token)

    def merchant_reviews_feed_url(self, shop_slug: str, shop_id: int, version: int) -> str:
        """The shop's reviews of itself (Google seller ratings), at the same secret token."""
        token = self.feed_token(shop_id, version)
        return self.url(MERCHANT_REVIEWS_FEED, shop=shop_slug, feed_token=token)
