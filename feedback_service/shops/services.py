"""Shops, API keys and staff accounts."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from pwdlib import PasswordHash
from tortoise.exceptions import IntegrityError

from feedback_service.errors import Conflict, InvalidInput, Unauthorized
from feedback_service.shops.models import ApiKey, Shop, StaffUser

API_KEY_PREFIX = "fsk_"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ROLES = ("admin", "agent")
MIN_PASSWORD = 8

password_hash = PasswordHash.recommended()
# Verifying against this keeps an unknown email as slow as a wrong password.
_DUMMY_HASH = password_hash.hash("not a real password")


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_shop(name: str, slug: str, locale: str = "en") -> tuple[Shop, str]:
    """The new shop and its first API key, which is shown once and never stored."""
    if not SLUG.match(slug):
        raise InvalidInput(
            "A slug is 1-63 lowercase letters, digits and dashes.", fields={"slug": "invalid"}
        )
    if not name.strip():
        raise InvalidInput("A shop needs a name.", fields={"name": "required"})
    try:
        shop = await Shop.create(name=name.strip(), slug=slug, locale=locale, sender_name=name)
    except IntegrityError:
        raise Conflict(f"A shop with the slug {slug!r} already exists.") from None
    key = await create_api_key(shop)
    return shop, key


async def create_api_key(shop: Shop, name: str = "default", key: str | None = None) -> str:
    key = key or API_KEY_PREFIX + secrets.token_urlsafe(32)
    await ApiKey.create(shop=shop, name=name, prefix=key[:10], key_hash=hash_api_key(key))
    return key


async def shop_for_api_key(authorization: str | None) -> Shop:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Send the shop's API key as 'Authorization: Bearer <key>'.")
    api_key = (
        await ApiKey.filter(key_hash=hash_api_key(key.strip()), revoked_at=None)
        .select_related("shop")
        .first()
    )
    if api_key is None:
        raise Unauthorized("This API key is unknown or was revoked.")
    return api_key.shop


async def create_user(shop: Shop, email: str, password: str, role: str = "agent") -> StaffUser:
    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput("The role is admin or agent.", fields={"role": "invalid"})
    if "@" not in email or len(email) > 254:
        raise InvalidInput("That is not an email address.", fields={"email": "invalid"})
    _check_new_password(password, "password")
    try:
        return await StaffUser.create(
            shop=shop, email=email, password_hash=password_hash.hash(password), role=role
        )
    except IntegrityError:
        raise Conflict(f"A staff user {email} already exists.") from None


def _check_new_password(password: str, field: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"A password has at least {MIN_PASSWORD} characters.", fields={field: "short"}
        )


async def change_password(user: StaffUser, current: str, new: str) -> None:
    """A new password for a user who knows theirs; every session signed before ends."""
    if not password_hash.verify(current, user.password_hash):
        raise InvalidInput("The current password is wrong.", fields={"current_password": "wrong"})
    _check_new_password(new, "new_password")
    user.password_hash = password_hash.hash(new)
    user.session_version += 1
    await user.save(update_fields=["password_hash", "session_version"])


async def authenticate(email: str, password: str) -> StaffUser | None:
    user = await StaffUser.filter(email=email.strip().lower()).select_related("shop").first()
    if user is None:
        password_hash.verify(password, _DUMMY_HASH)
        return None
    if not password_hash.verify(password, user.password_hash):
        return None
    return user


def now() -> datetime:
    return datetime.now(UTC)
