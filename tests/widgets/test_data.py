"""The plain data the app hands the blocks: checked where a wrong value would mislead."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from widget_samples import SHOP, review

from widgets.data import DEFAULT_SORT, SORTS, Summary


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_review_rated_outside_one_to_five_is_refused(rating: int) -> None:
    with pytest.raises(ValueError, match=f"review 7: rating must be 1 to 5, got {rating}"):
        review(7, rating=rating)


@pytest.mark.parametrize("rating", [1, 5])
def test_the_bounds_are_ratings(rating: int) -> None:
    assert review(7, rating=rating).rating == rating


def test_a_summary_has_a_rating_only_with_reviews_and_a_value() -> None:
    assert Summary(value=4.2, count=3).has_rating
    assert not Summary(value=None, count=3).has_rating
    assert not Summary(value=4.2, count=0).has_rating
    assert Summary(value=None, count=0).distribution == {}


def test_data_cannot_change_once_made() -> None:
    with pytest.raises(FrozenInstanceError):
        SHOP.name = "Other"  # type: ignore[misc]
    assert SHOP.timezone == "UTC" and SHOP.logo_url is None


def test_sorts() -> None:
    assert SORTS == ("recent", "rating_desc", "rating_asc", "helpful")
    assert DEFAULT_SORT in SORTS
