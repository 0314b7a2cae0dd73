"""axe-core (the engine Lighthouse uses, shipped by axe-playwright-python) on every page people
see: no serious or critical violation, in light and dark, on a phone and a desktop. Every page
is valid HTML too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_helpers import serious_violations
from html_helpers import assert_valid_page

from feedback_service import demo
from feedback_service.links import Links
from feedback_service.orders.models import Customer
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1280, "height": 900})
SCHEMES = ("light", "dark")


async def _public_pages(settings: Settings) -> list[str]:
    lines = await demo.load(settings)
    urls = [url for line in lines for url in re.findall(r"https?://\S+", line)]
    pages = [u for u in urls if "/api/" not in u and not u.endswith((".png", ".png)", "/reviews"))]
    shop = await Shop.get(slug=demo.SLUG)
    guest = await Customer.get(shop=shop, email="camille.guest@demo.example")
    base = settings.base_url
    return [
        *(p.rstrip(")") for p in pages if "/admin" not in p),
        Links(settings).unsubscribe_url(guest.id, shop.id),  # the preference page
        f"{base}/w/{demo.SLUG}/reviews",
        f"{base}/w/{demo.SLUG}/review-policy",
        f"{base}/admin/login",
        f"{base}/docs",
    ]


@pytest.mark.slow
async def test_public_and_admin_pages_have_no_serious_axe_violation(
    browser, live_server: str, settings: Settings, db: str
) -> None:  # type: ignore[no-untyped-def]
    pages = await _public_pages(settings)
    found: dict[str, list[str]] = {}
    for viewport in VIEWPORTS:
        for scheme in SCHEMES:
            context = await browser.new_context(
                locale="fr-FR", viewport=viewport, color_scheme=scheme
            )
            page = await context.new_page()
            for url in pages:
                answer = await page.goto(url)
                assert answer is not None and answer.status == 200, url
                if viewport["width"] == 390 and scheme == "light":
                    assert_valid_page(await answer.text(), page.url)
                for problem in await serious_violations(page):
                    found.setdefault(problem, []).append(f"{url} {viewport['width']} {scheme}")
            await page.goto(f"{live_server}/admin/login")
            await page.get_by_label("E-mail").fill(demo.ADMIN_EMAIL)
            await page.get_by_label("Mot de passe").fill(demo.DEMO_PASSWORD)
            await page.get_by_role("button", name="Se connecter").click()
            await page.get_by_role("heading", name="Tableau de bord").wait_for()
            for path in (
                "/admin",
                "/admin/settings",
                "/admin/surveys",
                "/admin/inbox",
                "/admin/questions",
            ):
                answer = await page.goto(f"{live_server}{path}")
                assert answer is not None and answer.status == 200, path
                if viewport["width"] == 390 and scheme == "light":
                    assert_valid_page(await answer.text(), page.url)
                for problem in await serious_violations(page):
                    found.setdefault(problem, []).append(f"{path} {viewport['width']} {scheme}")
                if viewport["width"] == 1280:
                    ARTIFACTS.mkdir(exist_ok=True)
                    name = "dashboard" if path == "/admin" else path.rsplit("/", 1)[-1]
                    shot = ARTIFACTS / f"a11y-{name}-{scheme}.png"
                    await page.screenshot(path=str(shot), full_page=True)
            await context.close()
    assert not found, "\n".join(f"{p}\n    on {', '.join(w[:4])}" for p, w in found.items())
