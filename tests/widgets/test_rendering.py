"""The templates' own gettext says exactly what jinja's would, and keeps text clean."""

from __future__ import annotations

import pytest
from jinja2 import Environment
from markupsafe import Markup
from widget_samples import HOSTILE

from widgets.i18n import LOCALES, TRANSLATIONS
from widgets.rendering import ENVIRONMENTS, _finalize

MESSAGES = (
    "{% trans %}Verified purchase{% endtrans %}|{{ _('Anonymous') }}|"
    "{{ _('Rated %(value)s out of 5', value=value) }}|"
    "{% trans date=date %}Published on {{ date }}{% endtrans %}|"
    "{% trans count=count %}{{ count }} star{% pluralize %}{{ count }} stars{% endtrans %}|"
    "{{ ngettext('%(num)s review', '%(num)s reviews', count) }}"
)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [0, 1, 2, 1234])
def test_same_output_as_jinjas_newstyle_gettext(locale: str, count: int) -> None:
    reference = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], finalize=_finalize)
    reference.install_gettext_translations(TRANSLATIONS[locale], newstyle=True)  # type: ignore[attr-defined]
    values = {"value": "<b>4,3</b>", "date": Markup("<time>12 mars</time>"), "count": count}
    ours = ENVIRONMENTS[locale].from_string(MESSAGES).render(values)
    assert ours == reference.from_string(MESSAGES).render(values)
    assert "&lt;b&gt;4,3&lt;/b&gt;" in ours and "<time>12 mars</time>" in ours


def test_translation_variables_are_cleaned_and_escaped() -> None:
    template = ENVIRONMENTS["en"].from_string(
        "{% trans name=name %}Reply from {{ name }}{% endtrans %}"
    )
    html = template.render(name=HOSTILE)
    assert html.startswith("Reply from &lt;script&gt;")
    for char in ("\u202e", "\u202c", "\u2028", "\x00", "\x07", "\x1b"):
        assert char not in html, repr(char)
