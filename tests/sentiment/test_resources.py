"""The shipped data files and the one shared VADER instance our lexicons extend."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from feedback_service.sentiment import resources
from feedback_service.sentiment.resources import (
    emoji_valences,
    fallback_emoji_valence,
    read_tsv,
    vader,
    vader_emoji_descriptions,
)


def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    """`name` as if it were one of the package's data files."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(resources, "resources", SimpleNamespace(files=lambda package: tmp_path))


def test_tsv_files_skip_comments_and_blank_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped(tmp_path, monkeypatch, "x.tsv", "# origin\n\nlate\t-1.5\n very good \t2\textra\n")
    assert list(read_tsv("x.tsv")) == [("late", -1.5), ("very good", 2.0)]


def test_a_line_without_a_valence_names_its_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped(tmp_path, monkeypatch, "x.tsv", "# origin\nlate\t-1.5\nflimsy\n")
    with pytest.raises(ValueError, match=r"x.tsv:3: expected '<entry>\\t<valence>'"):
        list(read_tsv("x.tsv"))


def test_every_shipped_valence_is_on_vaders_scale() -> None:
    for name in ("en_lexicon.tsv", "emoji_lexicon.tsv", "fr_lexicon.tsv"):
        entries = list(read_tsv(name))
        assert entries, name
        assert all(-4.0 <= valence <= 4.0 for _, valence in entries), name


def test_our_vader_knows_shop_words_and_emojis_and_leaves_others_alone() -> None:
    ours = vader()
    assert ours is vader()  # one per process
    assert ours.lexicon["late"] < 0  # en_lexicon.tsv
    assert ours.lexicon["😀"] == emoji_valences()["😀"] > 0  # emoji_lexicon.tsv
    assert "late" not in SentimentIntensityAnalyzer().lexicon  # a plain one is unchanged


def test_an_emoji_of_no_table_of_ours_is_scored_by_its_description() -> None:
    assert emoji_valences()["👍"] > 0 and emoji_valences()["😡"] < 0
    unlisted = [c for c in vader_emoji_descriptions() if c not in emoji_valences()]
    assert fallback_emoji_valence("a") == 0.0  # not an emoji
    assert all(-3.0 <= fallback_emoji_valence(char) <= 3.0 for char in unlisted)
    assert any(fallback_emoji_valence(char) < 0 for char in unlisted)
    assert any(fallback_emoji_valence(char) > 0 for char in unlisted)
