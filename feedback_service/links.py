"""Every link the service hands out, built from PUBLIC_BASE_URL and a signed token."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from feedback_service import tokens
from feedback_service.errors import InvalidToken
from feedback_service.settings import Settings


class Links:
    def __init__(self, settings: Settings) -> None:
        self.base_url = settings.base_url
        self.secret_key = settings.secret_key
        self.signer = tokens.Signer(settings.secret_key)
        self.max_age = settings.token_max_age_days * 24 * 3600

    def survey_token(self, invitation_id: int, shop_id: int, *, reusable: bool = False) -> str:
        purpose = tokens.SURVEY_LINK if reusable else tokens.SURVEY
        return self.signer.dumps(purpose, invitation_id, shop_id)

    def survey_page_url(self, token: str) -> str:
        """The page with every choice of a survey (the QR code of a receipt points there)."""
        return f"{self.base_url}/s/{token}"

    def survey_links(self, token: str, keys: Iterable[str]) -> dict[str, str]:
        """The one-click link of each answer (`keys`: a survey kind's `link_keys`)."""
        return {key: f"{self.base_url}/s/{token}/{key}" for key in keys}

    def unsubscribe_url(self, customer_id: int, shop_id: int) -> str:
        return f"{self.base_url}/u/{self.signer.dumps(tokens.UNSUBSCRIBE, customer_id, shop_id)}"

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
        return (
            f"{self.base_url}/feeds/{quote(shop_slug, safe='')}/{token}/google-product-reviews.xml"
        )
