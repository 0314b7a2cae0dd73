"""Logging in to the admin the way a browser does: read the form's CSRF field, post it."""

from __future__ import annotations

import re

import httpx


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field in the form"
    return match.group(1)


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = await client.get("/admin/login")
    return await client.post(
        "/admin/login", data={"email": email, "password": password, "csrf": csrf_of(form.text)}
    )
