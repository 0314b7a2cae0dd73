"""Property tests (hypothesis) on the parsers that take hostile input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback_service.errors import InvalidInput, InvalidToken
from feedback_service.i18n import locale_from_accept_language
from feedback_service.reviews import checks
from feedback_service.reviews.blocks import BlockQuery
from feedback_service.sentiment import analyse
from feedback_service.surveys.services import clean_comment, decode_cursor
from feedback_service.tokens import SURVEY, Signer

signer = Signer("fuzz-secret")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(st.text(max_size=300))
def test_token_parsing_only_ever_says_invalid(token: str) -> None:
    with pytest.raises(InvalidToken):
        signer.loads(SURVEY, token, max_age=3600)


@FUZZ
@given(st.integers(0, 2**40), st.integers(0, 2**40))
def test_tokens_round_trip(object_id: int, shop_id: int) -> None:
    assert signer.loads(SURVEY, signer.dumps(SURVEY, object_id, shop_id), 3600) == (
        object_id,
        shop_id,
    )


@FUZZ
@given(st.text(max_size=2000), st.sampled_from(["en", "fr", "de", ""]))
def test_sentiment_never_raises_and_stays_in_range(text: str, locale: str) -> None:
    result = analyse(text, locale)
    assert -1 <= result.score <= 1
    assert result.label in ("negative", "neutral", "positive")
    assert result.language in ("en", "fr")
    assert all(-1 <= a.score <= 1 for a in result.aspects)


@FUZZ
@given(st.text(max_size=6000))
def test_comment_cleaning(text: str) -> None:
    try:
        cleaned = clean_comment(text)
    except InvalidInput:
        return
    assert 0 < len(cleaned) <= 5000 and "\x00" not in cleaned


@FUZZ
@given(
    st.dictionaries(st.sampled_from(["page", "sort", "lang", "locale", "x"]), st.text(max_size=30))
)
def test_block_query_is_lenient(params: dict[str, str]) -> None:
    query = BlockQuery.parse(params)
    assert query.page >= 1 and query.sort in ("recent", "rating_desc", "rating_asc", "helpful")


@FUZZ
@given(st.text(max_size=100))
def test_cursor_and_accept_language(value: str) -> None:
    try:
        assert decode_cursor(value) is None or decode_cursor(value) >= 0  # type: ignore[operator]
    except InvalidInput:
        pass
    assert locale_from_accept_language(value) in ("en", "fr")
    checks.flags(value)


CELLS = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)


@FUZZ
@given(rows=st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS), max_size=5))
def test_csv_rows_are_validated_not_crashing(
    rows: list[tuple[str, str, str, str]], tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from feedback_service.csvin import open_table
    from feedback_service.reviews.importer import _review
    from feedback_service.reviews.presets import PRESETS

    path: Path = tmp_path_factory.mktemp("csv") / "in.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["sku", "rating", "author_name", "source", "source_id", "submitted_at"])
    for sku, rating, name, when in rows:
        writer.writerow([sku, rating, name, "fuzz", "1", when])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with open_table(path) as (_, table):
        for row in table:
            try:
                data = _review(row.cells, PRESETS["generic"], ZoneInfo("Europe/Paris"))
            except InvalidInput:
                continue
            assert 1 <= data.rating <= 5 and data.submitted_at.tzinfo is not None
