"""Every visible message exists in French; the packages stay pure and compile once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import widgets
from widgets.i18n import LOCALE_DIR, gettext, language_name, normalize_locale
from widgets.rendering import ENVIRONMENTS

WIDGETS_DIR = Path(widgets.__file__).parent
ROOT = WIDGETS_DIR.parent


def _message_ids() -> set[str]:
    """Messages of the templates ({% trans %}, _()) and of Python's gettext(locale, ...)."""
    found: set[str] = set()
    # Python code calls gettext(locale, message): the message is the 2nd argument.
    python_keywords: dict[str, Any] = {"gettext": (2,), "ngettext": (2, 3)}
    runs: list[tuple[str, str, dict[str, Any], Any]] = [
        ("templates/**.html", "jinja2", {"extensions": "jinja2.ext.i18n"}, DEFAULT_KEYWORDS),
        ("*.py", "python", {}, python_keywords),
    ]
    for pattern, method, options, keywords in runs:
        for _, _, message, _, _ in extract_from_dir(
            str(WIDGETS_DIR), [(pattern, method)], {pattern: options}, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_french_translation() -> None:
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]: m.string
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    used = _message_ids()
    assert len(used) > 40
    assert sorted(used - set(translated)) == []
    assert sorted(set(translated) - used) == []  # no stale entries


def test_locales() -> None:
    assert normalize_locale("fr-FR") == "fr"
    assert normalize_locale("FR_ca") == "fr"
    assert normalize_locale("de") == "en"
    assert normalize_locale(None) == "en"
    assert gettext("fr", "Verified purchase") == "Achat vérifié"
    assert gettext("xx", "Verified purchase") == "Verified purchase"
    assert language_name("fr", "fr") == "Français"
    assert language_name("de", "en") == "German"
    assert language_name("zz-!!", "en") == "zz-!!"


def test_templates_are_compiled_once_at_import() -> None:
    on_disk = {p.name for p in (WIDGETS_DIR / "templates").glob("*.html")}
    for env in ENVIRONMENTS.values():
        assert env.auto_reload is False
        cached = {name for _, name in (env.cache or {})}
        assert cached == on_disk  # every template, compiled before any call


def test_packages_never_import_feedback_service() -> None:
    code = (
        "import sys, widgets, schema_markup, widgets.blocks;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'feedback_service'];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for path in list(WIDGETS_DIR.rglob("*.py")) + list((ROOT / "schema_markup").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "import feedback_service" not in source, path
        assert "from feedback_service" not in source, path
    for path in (ROOT / "schema_markup").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import widgets" not in source and "from widgets" not in source, path


def test_rendering_never_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    from widget_samples import (
        CANONICAL,
        PAGE,
        PRODUCT,
        REVIEWS,
        SHOP,
        SHOP_RATING,
        SHOP_REVIEWS,
        SUMMARY,
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled during a render")

    for env in ENVIRONMENTS.values():
        monkeypatch.setattr(env, "compile", refuse)
    for locale in ("en", "fr"):
        widgets.render_reviews_block(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, locale)
        widgets.render_product_page(SHOP, PRODUCT, SUMMARY, REVIEWS, PAGE, CANONICAL, locale)
        widgets.render_shop_page(SHOP, REVIEWS, PAGE, locale, SUMMARY)
        widgets.render_badge(SHOP, PRODUCT, SUMMARY, locale)
        widgets.render_head(SHOP, PRODUCT, SUMMARY, CANONICAL, locale)
        widgets.render_policy_page(SHOP, locale)
        widgets.render_certificate(SHOP, SHOP_RATING, SHOP_REVIEWS, page=1, pages=1, locale=locale)
        widgets.render_shop_badge(SHOP, SHOP_RATING, locale)
