"""Raw SQL of the one-click answer, the path every click of every email takes.

One query tells everything a click needs (the invitation, its shop, the answer already
recorded, the scores clicked in the burst window, whether the shop has webhooks); the
ORM's query building cost more than the queries themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet

from feedback_service import db
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Click as ClickRow
from feedback_service.surveys.models import Invitation, Response

# {0} shop id, {1} invitation id, {2} customer id, {3} kind, {4} score, {5} key, {6} now,
# {7} when its alert check is due.
INSERT_RESPONSE = (
    'INSERT INTO "response" (shop_id, invitation_id, customer_id, kind, score, aspects,'
    " dedupe_key, created_at, updated_at, alert_due_at)"
    " VALUES ({0}, {1}, {2}, {3}, {4}, '[]', {5}, {6}, {6}, {7})"
)


# A click of a personal link counts as confirmed once its invitation has an answer (which
# says which score counts): an answer updates no click. A reusable link's answers are one
# per browser, so its clicks are marked when confirmed (confirm_clicks).
_ANSWERED = RawSQL(
    '(SELECT COUNT(*) FROM "response" r WHERE r.dedupe_key = \'inv:\' || "click"."invitation_id")'
)


def provisional(clicks: QuerySet[ClickRow]) -> QuerySet[ClickRow]:
    """The clicks still waiting for their page to confirm them (not a scanner's either)."""
    return clicks.filter(outcome="pending").annotate(answered=_ANSWERED).filter(answered=0)


def _confirm_clicks_sql(invitation_id: str, score: str) -> str:
    return (
        "UPDATE \"click\" SET outcome = 'confirmed'"
        f" WHERE invitation_id = {invitation_id} AND score = {score} AND outcome = 'pending'"
    )


# What a click reads of the invitation and its shop (the page shows the shop's name in
# its colour): partial models, since building every field cost ~10% of a click's CPU.
INVITATION = ("id", "shop_id", "customer_id", "kind", "locale", "reusable", "question")
SHOP = ("id", "name", "brand_color")
# Of the answer already recorded: what its state, its page and a score change's event need.
RESPONSE = (
    "id",
    "shop_id",
    "invitation_id",
    "customer_id",
    "kind",
    "score",
    "comment",
    "dedupe_key",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class Link:
    """An invitation as one of its links finds it."""

    invitation: Invitation  # with .shop loaded
    response: Response | None  # the answer already recorded through this link
    # Distinct scores clicked since the burst window opened, and the lowest and highest.
    recent_scores: int = 0
    lowest: int | None = None
    highest: int | None = None
    webhooks: bool = True  # the shop has an active webhook endpoint

    def new_scores_with(self, score: int) -> int:
        """How many distinct scores the recent clicks and this one make (exact up to three:
        two distinct recent scores are the lowest and the highest)."""
        if self.recent_scores > 2:
            return self.recent_scores + 1
        return self.recent_scores + (score not in (self.lowest, self.highest))


@cache
def _link_sql(with_recent: bool) -> str:
    recent = ""
    if with_recent:
        recent = (
            ", c.n AS recent_scores, c.low AS lowest, c.high AS highest, EXISTS (SELECT 1"
            ' FROM "webhook_endpoint" w WHERE w.shop_id = i.shop_id'
            " AND w.disabled_at IS NULL) AS webhooks"
        )
    sql = (
        f"SELECT {db.columns(Invitation, 'i', INVITATION)}, {db.columns(Shop, 's', SHOP)},"
        f" {db.columns(Response, 'r', RESPONSE)}{recent}"
        ' FROM "invitation" i JOIN "shop" s ON s.id = i.shop_id'
        ' LEFT JOIN "response" r'
        " ON r.dedupe_key = CASE WHEN i.reusable THEN {2} ELSE {3} END"
    )
    if with_recent:
        sql += (
            " CROSS JOIN (SELECT COUNT(DISTINCT score) AS n, MIN(score) AS low,"
            ' MAX(score) AS high FROM "click" WHERE invitation_id = {0}'
            " AND created_at >= {4}) c"
        )
    return sql + " WHERE i.id = {0} AND i.shop_id = {1}"


# The first clicks of each score of an invitation are kept; the last kept one takes the
# later ones (see surveys.models.Click).
CLICKS_KEPT = 5


def _click_sql(first: int) -> str:
    """The provisional click, recorded only if the invitation exists and is of a kind
    whose links have this key: {first}.. are the invitation id, shop id, score, user
    agent, time and three kinds. Its slot is how many clicks of its score are kept, up to
    CLICKS_KEPT - 1 (an index-only count of at most that many): past that, the last slot
    is taken, and that row counts the click and takes its time (the burst window sees it)."""
    n = [f"{{{first + i}}}" for i in range(8)]
    return (
        'INSERT INTO "click" (invitation_id, score, outcome, user_agent, created_at, slot)'
        f" SELECT id, {n[2]}, 'pending', {n[3]}, {n[4]}, (SELECT COUNT(*) FROM (SELECT 1"
        f' FROM "click" WHERE invitation_id = {n[0]} AND score = {n[2]}'
        f" LIMIT {CLICKS_KEPT - 1}) kept)"
        f' FROM "invitation" WHERE id = {n[0]} AND shop_id = {n[1]}'
        f" AND kind IN ({n[5]}, {n[6]}, {n[7]})"
        " ON CONFLICT (invitation_id, score, slot) DO UPDATE SET"
        ' repeats = "click".repeats + 1, created_at = excluded.created_at,'
        " user_agent = excluded.user_agent, outcome = 'pending'"
    )


def _answer_sql(first: int) -> str:
    """The answer of a personal link, inserted only in the usual case (see NewAnswer): {first}..
    are the invitation id, shop id, dedupe key, score, time, alert due time, start of the
    burst window, the scores that make a burst, and three kinds."""
    n = [f"{{{first + i}}}" for i in range(11)]
    distinct = "COUNT(DISTINCT score)"
    return (
        'INSERT INTO "response" (shop_id, invitation_id, customer_id, kind, score, aspects,'
        " dedupe_key, created_at, updated_at, alert_due_at)"
        f" SELECT i.shop_id, i.id, i.customer_id, i.kind, {n[3]}, '[]', {n[2]}, {n[4]}, {n[4]},"
        f' {n[5]} FROM "invitation" i WHERE i.id = {n[0]} AND i.shop_id = {n[1]}'
        f" AND NOT i.reusable AND i.kind IN ({n[8]}, {n[9]}, {n[10]})"
        ' AND NOT EXISTS (SELECT 1 FROM "webhook_endpoint" w'
        " WHERE w.shop_id = i.shop_id AND w.disabled_at IS NULL)"
        # Link.new_scores_with, in SQL: the distinct scores clicked lately, with this one.
        f" AND (SELECT CASE WHEN {distinct} > 2 THEN {distinct} + 1 ELSE {distinct}"
        f" + CASE WHEN {n[3]} = MIN(score) OR {n[3]} = MAX(score) THEN 0 ELSE 1 END END"
        f' FROM "click" WHERE invitation_id = {n[0]} AND created_at >= {n[6]}) < {n[7]}'
        " ON CONFLICT (dedupe_key) DO NOTHING"
    )


@cache
def _answer_and_link_sql() -> str:
    """PostgreSQL: the answer and the lookup in one statement (the lookup sees the rows as
    they were before the answer)."""
    return (
        f"WITH a AS ({_answer_sql(5)} RETURNING id) SELECT *, (SELECT id FROM a) AS answered"
        f" FROM ({_link_sql(True)}) link"
    )


@cache
def _click_and_link_sql() -> str:
    """PostgreSQL: the click and the lookup in one statement (the lookup sees the rows as
    they were before the click, which it does not read). Built at the first click, when
    Tortoise has added the foreign key columns to the models."""
    return f"WITH c AS ({_click_sql(4)}) {_link_sql(False)}"


@dataclass(frozen=True)
class Click:
    """A provisional click to record with the lookup: its score, the survey kinds whose
    links have the key clicked, the browser's user agent and the time."""

    score: int
    kinds: tuple[str, ...]
    user_agent: str
    at: datetime

    def values(self, invitation_id: int, shop_id: int) -> list[object]:
        kinds = (*self.kinds, *self.kinds[-1:] * (3 - len(self.kinds)))
        return [invitation_id, shop_id, self.score, self.user_agent, self.at, *kinds]


@dataclass(frozen=True)
class NewAnswer:
    """A confirm to record with the lookup, when it is the usual case: a personal link of a
    shop without webhooks, not answered yet, no mail-scanner burst. Otherwise nothing is
    written and the caller decides from the lookup."""

    score: int
    kinds: tuple[str, ...]  # the survey kinds whose links have the key confirmed
    at: datetime
    alert_due: datetime
    burst_scores: int  # distinct scores clicked within the window that make a burst

    def values(self, link: list[object]) -> list[object]:
        """After the lookup's values (invitation id, shop id, keys, window start)."""
        invitation_id, shop_id, _, personal_key, since = link
        kinds = (*self.kinds, *self.kinds[-1:] * (3 - len(self.kinds)))
        return [
            *(invitation_id, shop_id, personal_key, self.score, self.at, self.alert_due),
            *(since, self.burst_scores, *kinds),
        ]


async def _row(sql: str, values: list[object]) -> Mapping[str, Any] | None:
    """The first row of a query (None: no row)."""
    if db.dialect() == "postgres":
        rows = await db.fetch(sql, *values)
        return rows[0] if rows else None
    return db.first_row((await db.sqlite_batch([(sql, values)]))[0])


async def load_link(
    invitation_id: int,
    shop_id: int,
    *,
    personal_key: str,
    reusable_key: str | None,
    recent_since: datetime | None = None,
    click: Click | None = None,
) -> Link | None:
    """The invitation, its shop and its answer by the dedupe key its kind of link uses;
    with `recent_since`, also the clicks since then and the shop's webhooks; with `click`,
    records that click too, in the same round trip."""
    values: list[object] = [invitation_id, shop_id, reusable_key, personal_key]
    row: Mapping[str, Any] | None
    if click is not None:
        assert recent_since is None
        click_values = click.values(invitation_id, shop_id)
        if db.dialect() == "postgres":
            row = await _row(_click_and_link_sql(), [*values, *click_values])
        else:  # the click needs no transaction with the lookup: each commits on its own
            _, found = await db.sqlite_batch(
                [(_click_sql(0), click_values), (_link_sql(False), values)]
            )
            row = db.first_row(found)
    else:
        if recent_since is not None:
            values.append(recent_since)
        row = await _row(_link_sql(recent_since is not None), values)
    return _link(row, recent=recent_since is not None)


async def record_usual_answer(
    invitation_id: int,
    shop_id: int,
    *,
    personal_key: str,
    reusable_key: str | None,
    recent_since: datetime,
    answer: NewAnswer,
) -> int | Link | None:
    """The answer if it is the usual case (see NewAnswer): its id. Otherwise nothing is
    written and load_link(recent_since=…) is returned, from the same round trip."""
    values: list[object] = [invitation_id, shop_id, reusable_key, personal_key, recent_since]
    if db.dialect() == "postgres":
        row = await _row(_answer_and_link_sql(), [*values, *answer.values(values)])
        if row is not None and row["answered"] is not None:
            return int(row["answered"])
    else:  # the lookup only when no answer was inserted (measured: faster with it after)
        inserted, found = await db.sqlite_batch(
            [(_answer_sql(0), answer.values(values)), (_link_sql(True), values)],
            until_insert=True,
        )
        if isinstance(inserted, int):
            return inserted
        row = db.first_row(found)
    return _link(row, recent=True)


def _link(row: Mapping[str, Any] | None, *, recent: bool) -> Link | None:
    if row is None:
        return None
    invitation = db.from_row(Invitation, row, "i", INVITATION)
    assert invitation is not None
    invitation.shop = db.from_row(Shop, row, "s", SHOP)  # type: ignore[assignment]
    response = db.from_row(Response, row, "r", RESPONSE)
    if not recent:
        return Link(invitation, response)
    return Link(
        invitation,
        response,
        recent_scores=row["recent_scores"] or 0,
        lowest=row["lowest"],
        highest=row["highest"],
        webhooks=bool(row["webhooks"]),
    )


async def insert_response(
    invitation: Invitation, score: int, dedupe_key: str, now: datetime, alert_due: datetime
) -> Response:
    """The confirmed answer; IntegrityError when its dedupe key is taken."""
    values = _response_values(invitation, score, dedupe_key, now, alert_due)
    rows = await db.fetch(INSERT_RESPONSE + " RETURNING id", *values)
    return _answer_row(rows[0]["id"], invitation, score, dedupe_key, now, alert_due)


def _response_values(
    invitation: Invitation, score: int, dedupe_key: str, now: datetime, alert_due: datetime
) -> tuple[object, ...]:
    """The values {0} to {7} of INSERT_RESPONSE, in its order."""
    return (
        invitation.shop_id,
        invitation.id,
        invitation.customer_id,
        invitation.kind,
        score,
        dedupe_key,
        now,
        alert_due,
    )


def _answer_row(
    response_id: int,
    invitation: Invitation,
    score: int,
    dedupe_key: str,
    now: datetime,
    alert_due: datetime,
) -> Response:
    """The row just inserted, built as a row read back (the model's __init__ checks every
    field again: 4% of a click's CPU)."""
    return Response._init_from_db(
        **{
            **dict.fromkeys(Response._meta.db_fields),
            "id": response_id,
            "shop_id": invitation.shop_id,
            "invitation_id": invitation.id,
            "customer_id": invitation.customer_id,
            "kind": invitation.kind,
            "score": score,
            "dedupe_key": dedupe_key,
            "aspects": [],
            "created_at": now,
            "updated_at": now,
            "alert_due_at": alert_due,
            "chained": False,
        }
    )


async def confirm_clicks(invitation: Invitation, score: int) -> None:
    """A reusable link's clicks of this score (a personal link's need nothing: _ANSWERED)."""
    if invitation.reusable:
        await db.execute(_confirm_clicks_sql("{0}", "{1}"), invitation.id, score)
