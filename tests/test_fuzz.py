"""Property tests (hypothesis) on the parsers that take hostile input."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from feedback_service.errors import InvalidInput, InvalidToken
from feedback_service.http import decode_cursor, encode_cursor
from feedback_service.i18n import locale_from_accept_language
from feedback_service.reviews import checks
from feedback_service.reviews.blocks import BlockQuery
from feedback_service.routes import routes
from feedback_service.sentiment import analyse
from feedback_service.surveys.services import clean_comment
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


@FUZZ
@given(st.one_of(st.integers(-(10**40), 10**40), st.text(max_size=30)))
def test_cursors_decode_to_an_id_a_database_takes_or_are_invalid(value: int | str) -> None:
    try:
        decoded = decode_cursor(base64.urlsafe_b64encode(str(value).encode()).decode())
    except InvalidInput:
        return
    assert decoded is None or 0 <= decoded < 2**63


# ---- every route of the running server, with hostile path, query and body -------------------

# Path segments: ordinary, longer than any column, numbers no column holds, look-alike digits.
SEGMENTS = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30),
    st.integers(60, 2000).map(lambda n: "s" * n),
    st.integers(10**17, 10**40).map(str),
    st.sampled_from(["²", "١٢", "-1", "0", "test-shop", "KETTLE", "a@example.fr"]),
)
NUMBERS = st.one_of(st.integers(-(10**30), 10**30), st.floats(allow_nan=False))
CURSORS = st.one_of(st.text(max_size=40), NUMBERS.map(lambda n: encode_cursor(n)))  # type: ignore[arg-type]
MOMENTS = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.dates().map(str),
    st.text(max_size=30),
)
URLS = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https", "ftp", ""]),
    st.text("[]:.0123456789abcdef@%", max_size=16),
    st.text("/:?#[]", max_size=4),
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=40), URLS, MOMENTS)
KEYS = st.sampled_from(
    ["id", "sku", "url", "email", "customer", "items", "ordered_at", "events", "survey", "body"]
)
JSON = st.recursive(
    LEAVES, lambda inner: st.lists(inner) | st.dictionaries(KEYS, inner), max_leaves=20
)
BODIES = st.one_of(
    st.dictionaries(KEYS, JSON),
    st.integers(33, 5000).map(lambda depth: '{"a": ' * depth + "1" + "}" * depth),
)
QUERIES = st.fixed_dictionaries(
    {},
    optional={
        "cursor": CURSORS,
        "since": MOMENTS,
        "from": MOMENTS,
        "to": MOMENTS,
        "sku": SEGMENTS,
        "page": SEGMENTS,
        "status": st.text(max_size=10),
    },
)
# No shrinking: each try is a request to the server, and the failing one is printed whole.
HTTP = settings(FUZZ, max_examples=150, phases=[Phase.explicit, Phase.generate])
ROUTES = [
    (route.path_format, method)
    for route in routes
    for method in sorted((route.methods or set()) - {"HEAD"})
    if not route.path_format.startswith("/admin")  # staff pages redirect to the login first
]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.mark.slow
@HTTP
@given(
    route=st.sampled_from(ROUTES),
    segments=st.lists(SEGMENTS, min_size=4, max_size=4),
    query=QUERIES,
    body=BODIES,
)
def test_no_route_answers_500_to_hostile_input(
    shop_and_key,
    live_server: str,
    http: httpx.Client,
    route: tuple[str, str],
    segments: list[str],
    query,
    body,
) -> None:  # type: ignore[no-untyped-def]
    """Path parameters of any length, huge numbers in cursors and ids, odd dates, URLs with
    broken brackets and JSON nested thousands deep: a 4xx in the contract's shape, never 500."""
    path, method = route
    for segment in segments:
        path = re.sub(r"\{[^}]+\}", quote(segment, safe=""), path, count=1)
    content = body if isinstance(body, str) else json.dumps(body)
    answer = http.request(
        method,
        live_server + path,
        params=query,
        content=content if method != "GET" else None,
        headers={"Authorization": f"Bearer {shop_and_key[1]}", "Content-Type": "application/json"},
    )
    assert answer.status_code < 500, (method, path, query, content[:200], answer.text[:300])
    if path.startswith("/api/") and answer.status_code >= 400:
        assert set(answer.json()["error"]) == {"code", "message", "fields"}
