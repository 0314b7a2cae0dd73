"""Every link the service makes resolves to a route of routes.py: the paths are written once
(feedback_service.links), routes.py serves them, Links and the templates link to them."""

from __future__ import annotations

import re
from pathlib import Path as FilePath
from urllib.parse import unquote, urlsplit

import pytest
from starlette.routing import Match, Route

from feedback_service import links
from feedback_service.links import Links, Path
from feedback_service.questions import views as questions
from feedback_service.reviews import certificate
from feedback_service.reviews import public_views as reviews_public
from feedback_service.routes import product_block, routes
from feedback_service.settings import Settings
from feedback_service.surveys import views as surveys

ROOT = FilePath(__file__).resolve().parents[1]
PATHS = {name: value for name, value in vars(links).items() if isinstance(value, Path)}
SAMPLE = {
    "token": "tok.en-_1",
    "score": "gold",
    "shop": "test-shop",
    "sku": "MUG 1/2 é",  # quoted, a slash included: still one path segment
    "id": 12,
    "kind": "reviews",
    "name": "ab12.jpg",
    "feed_token": "f0",
    "platform": "shopify",
    "connector": "k3y",
}


def resolve(path: str, method: str = "GET") -> tuple[Route, dict[str, str]] | None:
    """The route serving `path` for `method` (else the first serving it for another) and
    its parameters, as the router sees them: the server percent-decodes the path, except
    that an encoded slash stays within its segment (a NUL stands in for it here)."""
    scope = {"type": "http", "path": unquote(path.replace("%2F", "\0")), "method": method}
    other = None
    for route in routes:
        match, child = route.matches(scope)
        params = {k: str(v).replace("\0", "/") for k, v in child.get("path_params", {}).items()}
        if match == Match.FULL:
            return route, params
        if match == Match.PARTIAL and other is None:
            other = route, params
    return other


@pytest.mark.parametrize("name", sorted(PATHS))
def test_each_path_is_served_by_its_route(name: str) -> None:
    path = PATHS[name]
    served = [route for route in routes if route.path is path]
    assert served, f"routes.py does not use {name}"
    wanted = {key: value for key, value in SAMPLE.items() if "{" + key in path}
    for route in served:
        method = "POST" if "POST" in (route.methods or ()) else "GET"
        found = resolve(path.fill(**wanted), method)
        assert found is not None and found[0] is route, (name, method)
        assert found[1] == {key: str(value) for key, value in wanted.items()}


def test_links_go_to_the_pages_that_serve_them() -> None:
    made = Links(Settings(public_base_url="https://feedback.example/", secret_key="k"))
    token = made.survey_token(1, 2)
    expected = [
        (made.survey_page_url(token), surveys.survey_page),
        (made.unsubscribe_url(3, 2), surveys.unsubscribe),
        (made.product_reviews_feed_url("test-shop", 2, 0), reviews_public.product_reviews_feed),
        (made.merchant_reviews_feed_url("test-shop", 2, 0), reviews_public.merchant_reviews_feed),
        (made.url(links.PRODUCT_PAGE, shop="test-shop", sku="MUG 1"), product_block),
        (made.url(links.PRODUCT_QUESTIONS, shop="s", sku="MUG 1"), questions.questions_fragment),
        (made.url(links.QUESTION_SENT, shop="s", sku="MUG/1"), questions.asked),
        (made.url(links.QUESTION_CONFIRM, token=token), questions.confirmation),
        (made.url(links.BUYER_ANSWER, token=token), questions.buyer_answer),
        (made.url(links.CERTIFICATE, shop="test-shop"), certificate.certificate),
        (made.url(links.SHOP_BADGE, shop="test-shop"), certificate.badge),
        *((url, surveys.answer) for url in made.survey_links(token, ("gold", "red")).values()),
    ]
    for url, endpoint in expected:
        assert url.startswith("https://feedback.example/"), url
        found = resolve(urlsplit(url).path)
        assert found is not None and found[0].endpoint is endpoint, url


def test_a_parameter_is_percent_encoded_in_its_path() -> None:
    assert links.PRODUCT_PAGE.fill(shop="s", sku="A B/é") == "/w/s/products/A%20B%2F%C3%A9"
    with pytest.raises(KeyError):
        links.REVIEW_PAGE.fill(shop="s")


# href="/admin/outbox/{{ row.id }}", action="/admin/inbox#alert-{{ a.id }}", ...
_TEMPLATE_LINK = re.compile(r'(?:href|action|src)="(/[^"]*)"')


def test_every_link_of_a_template_resolves() -> None:
    checked = 0
    for template in (ROOT / "feedback_service" / "templates").rglob("*.html"):
        for link in _TEMPLATE_LINK.findall(template.read_text()):
            path = re.sub(r"{{.*?}}", "1", link).split("#")[0].split("?")[0]
            assert resolve(path) is not None, f"{template.name}: {link}"
            checked += 1
    assert checked > 50


def test_widgets_take_the_service_urls_from_their_data() -> None:
    """No path of this service is written in widgets (the app passes them in)."""
    for module in (ROOT / "widgets").glob("*.py"):
        assert not re.search(r"[\"'/](w|r|s|u|q|a|media|feeds)/", module.read_text()), module.name
