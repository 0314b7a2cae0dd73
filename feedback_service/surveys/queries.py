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
from typing import Any, Literal

from tortoise.expressions import RawSQL
from tortoise.queryset import QuerySet

from feedback_service import db
from feedback_service.shops.models import Shop
from feedback_service.surveys.models import Click as ClickRow
from feedback_service.surveys.models import ClickOutcome, Invitation, Response

INSERT_RESPONSE = (
    'INSERT INTO "response" (shop_id, invitation_id, customer_id, kind, score, aspects,'
    " dedupe_key, created_at, updated_at, alert_due_at)"
    " VALUES (:shop, :invitation, :customer, :kind, :score, '[]', :dedupe_key, :now, :now,"
    " :alert_due) RETURNING id"
)


# A click of a personal link counts as confirmed once its invitation has an answer (which
# says which score counts): an answer updates no click. A reusable link's answers are one
# per browser, so its clicks are marked when confirmed (confirm_clicks).
_ANSWERED = RawSQL(
    '(SELECT COUNT(*) FROM "response" r WHERE r.dedupe_key = \'inv:\' || "click"."invitation_id")'
)


def provisional(clicks: QuerySet[ClickRow]) -> QuerySet[ClickRow]:
    """The clicks still waiting for their page to confirm them (not a scanner's either)."""
    return (
        clicks.filter(outcome=ClickOutcome.PENDING).annotate(answered=_ANSWERED).filter(answered=0)
    )


# Click outcomes are our own constants, written into the SQL like CLICKS_KEPT below.
_CONFIRM_CLICKS = (
    f"UPDATE \"click\" SET outcome = '{ClickOutcome.CONFIRMED}'"
    f" WHERE invitation_id = :invitation AND score = :score AND outcome = '{ClickOutcome.PENDING}'"
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


# The parameters of a link's lookup: :invitation, :shop, the dedupe keys of either kind of
# link (:reusable_key, :personal_key); with the recent clicks, :since (the start of the
# burst window).
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
        " ON r.dedupe_key = CASE WHEN i.reusable THEN :reusable_key ELSE :personal_key END"
    )
    if with_recent:
        sql += (
            " CROSS JOIN (SELECT COUNT(DISTINCT score) AS n, MIN(score) AS low,"
            ' MAX(score) AS high FROM "click" WHERE invitation_id = :invitation'
            " AND created_at >= :since) c"
        )
    return sql + " WHERE i.id = :invitation AND i.shop_id = :shop"


# The first clicks of each score of an invitation are kept; the last kept one takes the
# later ones (see surveys.models.Click).
CLICKS_KEPT = 5

# The provisional click, recorded only if the invitation exists and is of a kind whose
# links have this key (Click.params), and its link's answer has not this score already. Its
# slot is how many clicks of its score are kept, up to CLICKS_KEPT - 1 (an index-only count
# of at most that many): past that, the last slot is taken, and that row counts the click
# and takes its time (the burst window sees it).
_CLICK = (
    'INSERT INTO "click" (invitation_id, score, outcome, user_agent, created_at, slot)'
    f" SELECT id, :score, '{ClickOutcome.PENDING}', :user_agent, :at,"
    " (SELECT COUNT(*) FROM (SELECT 1"
    ' FROM "click" WHERE invitation_id = :invitation AND score = :score'
    f" LIMIT {CLICKS_KEPT - 1}) kept)"
    ' FROM "invitation" WHERE id = :invitation AND shop_id = :shop'
    " AND kind IN (:kind_0, :kind_1, :kind_2)"
    # Nor if it repeats the answer recorded through this link (the lookup's index probe). A
    # scalar subquery, not NOT EXISTS: PostgreSQL turned that into an anti-join, which a plan
    # made while `response` was empty reads by a sequential scan of every answer, per click,
    # until the table is ANALYZEd (campaign.py repeats with autovacuum off: 61,921 scans).
    ' AND (SELECT r.score FROM "response" r WHERE r.dedupe_key = CASE WHEN'
    ' "invitation".reusable THEN :reusable_key ELSE :personal_key END) IS DISTINCT FROM :score'
    " ON CONFLICT (invitation_id, score, slot) DO UPDATE SET"
    ' repeats = "click".repeats + 1, created_at = excluded.created_at,'
    f" user_agent = excluded.user_agent, outcome = '{ClickOutcome.PENDING}'"
)

# The answer of a personal link, inserted or its score changed only in the usual case (see
# NewAnswer).
_DISTINCT = "COUNT(DISTINCT score)"
_ANSWER = (
    'INSERT INTO "response" (shop_id, invitation_id, customer_id, kind, score, aspects,'
    " dedupe_key, created_at, updated_at, alert_due_at)"
    " SELECT i.shop_id, i.id, i.customer_id, i.kind, :score, '[]', :personal_key, :at, :at,"
    ' :alert_due FROM "invitation" i WHERE i.id = :invitation AND i.shop_id = :shop'
    " AND NOT i.reusable AND i.kind IN (:kind_0, :kind_1, :kind_2)"
    ' AND NOT EXISTS (SELECT 1 FROM "webhook_endpoint" w'
    " WHERE w.shop_id = i.shop_id AND w.disabled_at IS NULL)"
    # Link.new_scores_with, in SQL: the distinct scores clicked lately, with this one.
    f" AND (SELECT CASE WHEN {_DISTINCT} > 2 THEN {_DISTINCT} + 1 ELSE {_DISTINCT}"
    " + CASE WHEN :score = MIN(score) OR :score = MAX(score) THEN 0 ELSE 1 END END"
    ' FROM "click" WHERE invitation_id = :invitation AND created_at >= :since)'
    " < :burst_scores"
    # Answered already: a change of score within the change window, in the same statement;
    # the same score again or a later change writes nothing (the caller reads the state).
    " ON CONFLICT (dedupe_key) DO UPDATE SET score = excluded.score,"
    " updated_at = excluded.updated_at, alert_due_at = excluded.alert_due_at"
    ' WHERE "response".score <> excluded.score AND "response".created_at >= :change_since'
)


def _three(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """:kind_0 to :kind_2: the kinds, the last one repeated."""
    return (*kinds, *kinds[-1:] * (3 - len(kinds)))


@dataclass(frozen=True)
class Click:
    """A provisional click to record with the lookup: its score, the survey kinds whose
    links have the key clicked, the browser's user agent and the time."""

    score: int
    kinds: tuple[str, ...]
    user_agent: str
    at: datetime

    def params(self) -> dict[str, object]:
        kinds = _three(self.kinds)
        return {
            "score": self.score,
            "user_agent": self.user_agent,
            "at": self.at,
            "kind_0": kinds[0],
            "kind_1": kinds[1],
            "kind_2": kinds[2],
        }


@dataclass(frozen=True)
class NewAnswer:
    """A confirm to record with the lookup, when it is the usual case: a personal link of a
    shop without webhooks, no mail-scanner burst, and either not answered yet or answered
    with another score since `change_since`. Otherwise nothing is written and the caller
    decides from the lookup."""

    score: int
    kinds: tuple[str, ...]  # the survey kinds whose links have the key confirmed
    at: datetime
    alert_due: datetime
    burst_scores: int  # distinct scores clicked within the window that make a burst
    change_since: datetime  # an answer recorded since then may change its score

    def params(self) -> dict[str, object]:
        kinds = _three(self.kinds)
        return {
            "score": self.score,
            "at": self.at,
            "alert_due": self.alert_due,
            "burst_scores": self.burst_scores,
            "change_since": self.change_since,
            "kind_0": kinds[0],
            "kind_1": kinds[1],
            "kind_2": kinds[2],
        }


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
    params: dict[str, object] = {
        "invitation": invitation_id,
        "shop": shop_id,
        "reusable_key": reusable_key,
        "personal_key": personal_key,
        "since": recent_since,
    }
    row: Mapping[str, Any] | None
    if click is not None:
        assert recent_since is None
        _, row = await db.write_and_read(_CLICK, _link_sql(False), params | click.params())
    else:
        row = await db.fetch_one(_link_sql(recent_since is not None), params)
    return _link(row, recent=recent_since is not None)


async def record_usual_answer(
    invitation_id: int,
    shop_id: int,
    *,
    personal_key: str,
    reusable_key: str | None,
    recent_since: datetime,
    answer: NewAnswer,
) -> Literal[True] | Link | None:
    """True if it is the usual case (see NewAnswer): the answer is recorded. Otherwise
    nothing is written and load_link(recent_since=…) is returned, from the same round trip."""
    params = {
        "invitation": invitation_id,
        "shop": shop_id,
        "reusable_key": reusable_key,
        "personal_key": personal_key,
        "since": recent_since,
        **answer.params(),
    }
    # The lookup only when no answer was inserted (SQLite, measured: faster with it after).
    inserted, row = await db.write_and_read(
        _ANSWER, _link_sql(True), params, read_after_insert=False
    )
    if inserted is not None:  # (after a change on SQLite, not the answer's id)
        return True
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
    params = {
        "shop": invitation.shop_id,
        "invitation": invitation.id,
        "customer": invitation.customer_id,
        "kind": invitation.kind,
        "score": score,
        "dedupe_key": dedupe_key,
        "now": now,
        "alert_due": alert_due,
    }
    row = await db.fetch_one(INSERT_RESPONSE, params)
    assert row is not None
    # The row just inserted, as read back: the model's __init__ checks every field again.
    return Response.construct(
        _saved_in_db=True,
        **{
            **dict.fromkeys(Response._meta.db_fields),
            "id": row["id"],
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
        },
    )


async def confirm_clicks(invitation: Invitation, score: int) -> None:
    """A reusable link's clicks of this score (a personal link's need nothing: _ANSWERED)."""
    if invitation.reusable:
        await db.execute(_CONFIRM_CLICKS, {"invitation": invitation.id, "score": score})
