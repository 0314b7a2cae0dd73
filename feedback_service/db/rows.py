"""Model instances from the rows of raw SQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from tortoise.models import Model

from feedback_service import internals

ModelT = TypeVar("ModelT", bound=Model)


@cache
def columns(model: type[Model], alias: str, only: tuple[str, ...] | None = None) -> str:
    """Every column of a model (or `only` these), as `alias.col AS "alias.col"`, for
    `from_row`."""
    return ", ".join(f'{alias}."{c}" AS "{alias}.{c}"' for c in only or model._meta.db_fields)


Conversion = tuple[str, str, Callable[[Any], Any] | None, bool]


@cache
def _conversions(model: type[Model], alias: str, only: tuple[str, ...]) -> list[Conversion]:
    """For each selected column: its key in the row, the attribute it sets, how its value is
    converted (None: the driver's value as it is) and whether None skips the conversion —
    as Tortoise converts its own rows."""
    meta = model._meta
    plan: dict[str, Conversion] = {}
    for key, attribute, _ in meta.db_native_fields:
        plan[key] = (f"{alias}.{key}", attribute, None, False)
    for key, attribute, default_field in meta.db_default_fields:
        plan[key] = (f"{alias}.{key}", attribute, default_field.field_type, True)
    for key, attribute, complex_field in meta.db_complex_fields:
        plan[key] = (f"{alias}.{key}", attribute, complex_field.to_python_value, False)
    return [plan[column] for column in only]


def from_row(
    model: type[ModelT], row: Mapping[str, Any], alias: str, only: tuple[str, ...] | None = None
) -> ModelT | None:
    """The model instance selected with `columns(model, alias, only)`, None for a LEFT JOIN
    miss. With `only`, a partial instance: the other fields are not there to read."""
    if row[f"{alias}.{model._meta.db_pk_column}"] is None:
        return None
    if only is None:
        return internals.model_from_db(
            model, {c: row[f"{alias}.{c}"] for c in model._meta.db_fields}
        )
    instance = internals.partial_model(model)
    set_attribute = object.__setattr__
    for key, attribute, convert, none_as_is in _conversions(model, alias, only):
        value = row[key]
        if convert is not None and not (none_as_is and value is None):
            value = convert(value)
        set_attribute(instance, attribute, value)
    return instance
