"""The package: its public names, and its purity (it never imports the app)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import widgets

WIDGETS_DIR = Path(widgets.__file__).parent
ROOT = WIDGETS_DIR.parent

PUBLIC = [
    "LOCALES",
    "Answer",
    "SORTS",
    "STYLESHEET",
    "CriterionRating",
    "DrawNotice",
    "Highlight",
    "PageInfo",
    "Product",
    "Question",
    "Quote",
    "Reply",
    "Review",
    "ReviewPolicy",
    "Shop",
    "ShopRating",
    "ShopReview",
    "Summary",
    "normalize_locale",
    "render_badge",
    "render_certificate",
    "render_head",
    "render_highlights",
    "render_policy_page",
    "render_product_page",
    "render_questions_block",
    "render_review_page",
    "render_reviews_block",
    "render_shop_badge",
    "render_shop_page",
]


def test_the_public_names_are_exactly_these() -> None:
    """Adding or removing a public name is a decision: this list changes with it."""
    assert widgets.__all__ == PUBLIC
    exported = {
        name
        for name, value in vars(widgets).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert exported == set(PUBLIC)  # nothing public that __all__ leaves out


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
