"""The settings page in Chromium: each label sits right above its own box."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback_service.shops.models import Shop
from feedback_service.shops.services import create_user

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize("width", [390, 1280])
async def test_every_label_is_above_its_own_field(
    page, live_server: str, shop_and_key: tuple[Shop, str], width: int
) -> None:  # type: ignore[no-untyped-def]
    await create_user(shop_and_key[0], "boss@shop.fr", "correct horse battery", role="admin")
    await page.set_viewport_size({"width": width, "height": 900})
    await page.goto(f"{live_server}/admin/login")
    await page.get_by_label("E-mail").fill("boss@shop.fr")
    await page.get_by_label("Mot de passe").fill("correct horse battery")
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", name="Tableau de bord").wait_for()
    await page.goto(f"{live_server}/admin/settings")
    labels = page.locator("form label:has(> br)")
    assert await labels.count() > 15
    for label in await labels.all():
        field = label.locator("input, select, textarea").first
        name = await field.get_attribute("name")
        # The field's own labels (for/id or wrapping) are this one.
        text = await label.evaluate("l => l.firstChild.textContent.trim()")
        tied = await field.evaluate("f => [...f.labels].map(l => l.firstChild.textContent.trim())")
        assert text and tied == [text], (text, tied, name)
        words = await label.evaluate(
            "l => { const r = document.createRange(); r.selectNodeContents(l.firstChild);"
            " const b = r.getBoundingClientRect(); return {x: b.x, bottom: b.bottom}; }"
        )
        box = await field.bounding_box()
        assert abs(words["x"] - box["x"]) <= 2, (text, name)  # same left edge
        assert words["bottom"] <= box["y"] + 1, (text, name)  # the words above the box
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"settings-{width}.png"), full_page=True)
