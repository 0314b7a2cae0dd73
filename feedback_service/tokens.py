"""Signed link tokens: one salt per purpose, ids only (no personal data), with an age limit."""

from __future__ import annotations

import base64
import hashlib
import hmac

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from feedback_service.errors import InvalidToken

SURVEY = "survey-answer"
# A reusable link (email signature, printed receipt) is handed out for years, not 30 days.
SURVEY_LINK = "survey-link"
SURVEY_LINK_MAX_AGE = 10 * 366 * 24 * 3600
UNSUBSCRIBE = "unsubscribe"
REVIEW = "review-request"
# The author's private link to their review (withdraw, edit): withdrawal has no deadline.
REVIEW_AUTHOR = "review-author"
REVIEW_AUTHOR_MAX_AGE = 10 * 366 * 24 * 3600
FEED = "product-reviews-feed"
# Unsubscribe links must keep working long after the email was sent.
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600
# A product question's confirmation link (its asker's double opt-in), and the link that
# asks a recent buyer of the product to answer it.
QUESTION_CONFIRM = "question-confirm"
QUESTION_ANSWER = "question-answer"
MAX_TOKEN_LENGTH = 200


class _KeyOnceSigner(TimestampSigner):
    """itsdangerous derives the HMAC key from the secret at every signature and check;
    once per signer is enough."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        derived: dict[str | bytes | None, bytes] = self.__dict__.setdefault("_derived", {})
        key = derived.get(secret_key)
        if key is None:
            key = derived[secret_key] = super().derive_key(secret_key)
        return key


class Signer:
    def __init__(self, secret_key: str) -> None:
        self.secret_key = secret_key
        self._serializers: dict[str, tuple[URLSafeTimedSerializer, TimestampSigner]] = {}

    def _serializer(self, purpose: str) -> tuple[URLSafeTimedSerializer, TimestampSigner]:
        # Built once per purpose: every click verifies a token.
        found = self._serializers.get(purpose)
        if found is None:
            serializer = URLSafeTimedSerializer(
                self.secret_key, salt=purpose, signer=_KeyOnceSigner
            )
            signer = serializer.make_signer()
            assert isinstance(signer, TimestampSigner)
            found = self._serializers[purpose] = (serializer, signer)
        return found

    def dumps(self, purpose: str, object_id: int, shop_id: int) -> str:
        token = self._serializer(purpose)[0].dumps([object_id, shop_id])
        return token if isinstance(token, str) else token.decode()

    def loads(self, purpose: str, token: str, max_age: int) -> tuple[int, int]:
        """(object id, shop id), or InvalidToken whatever is wrong with it."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("This link is not valid.")
        try:
            # What URLSafeTimedSerializer.loads does, with the signer built once.
            serializer, signer = self._serializer(purpose)
            value = serializer.load_payload(signer.unsign(token, max_age=max_age))
        except (BadData, ValueError, TypeError):
            raise InvalidToken("This link is not valid.") from None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(type(part) is int for part in value)
        ):
            raise InvalidToken("This link is not valid.")
        return value[0], value[1]


def feed_token(secret_key: str, shop_id: int, version: int) -> str:
    """The secret part of a shop's feed URL: nothing to store, and a new `version` (the
    admin's "new feed address") makes every earlier URL a 404."""
    message = f"{FEED}:{shop_id}:{version}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, 192 bits
