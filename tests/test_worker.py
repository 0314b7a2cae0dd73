"""The worker dispatches: each outbox kind to the job its domain registered (outbox.jobs),
and runs the domains' chores when their time comes; a failure is retried, never lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedback_service.outbox import jobs
from feedback_service.outbox.models import OutboxMessage
from feedback_service.outbox.services import schedule
from feedback_service.settings import Settings
from feedback_service.shops.models import Shop
from feedback_service.worker import Worker


def test_every_kind_the_domains_write_has_its_job() -> None:
    assert set(jobs.HANDLERS) == {
        "review_request",  # reviews
        "review_reminder",
        "order_changed",  # written by orders, run by reviews
        "connector_delivery",  # connectors
        "customer_erase",  # written by connectors, run by privacy
        "campaign",  # surveys
        "alert_followup",  # alerts
        "review_alert",  # written by reviews, run by alerts
        "question_expiry",  # questions
    }
    assert {chore.name for chore in jobs.CHORES} == {
        "feedback_service.alerts.tasks.check_due_answers",
        "feedback_service.outbox.tasks.forget_sent_emails",
        "feedback_service.reviews.tasks.sweep_photos",
        "feedback_service.reviews.tasks.delete_expired_reviews",
        "feedback_service.surveys.tasks.apply_survey_rules",
        "feedback_service.surveys.tasks.chain_answers",
    }


def test_a_kind_has_one_job() -> None:
    with pytest.raises(ValueError, match="review_alert"):
        jobs.job("review_alert")(jobs.HANDLERS["review_alert"])
    with pytest.raises(ValueError, match="email"):
        jobs.job("email")(jobs.HANDLERS["review_alert"])


async def test_a_row_goes_to_its_job_and_a_failure_is_retried(
    shop_and_key: tuple[Shop, str], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, _ = shop_and_key
    seen: list[tuple[int, str]] = []

    async def ping(row: OutboxMessage, context: jobs.Context) -> None:
        if row.payload["n"] == 2:
            raise RuntimeError("not now")
        seen.append((row.payload["n"], context.links.base_url))

    monkeypatch.setitem(jobs.HANDLERS, "test_ping", ping)
    for n in (1, 2):
        await schedule(shop, "test_ping", {"n": n}, datetime.now(UTC))
    assert await Worker(settings).run_once() == 2
    assert seen == [(1, settings.base_url)]
    done, failed = await OutboxMessage.filter(kind="test_ping").order_by("id")
    assert done.state == "done"
    assert (failed.state, failed.last_error) == ("pending", "RuntimeError: not now")
    assert failed.due_at > datetime.now(UTC)  # tried again later


async def test_chores_run_when_their_time_comes(
    db: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[str] = []

    async def hourly(context: jobs.Context) -> int:
        runs.append("hourly")
        return 3

    async def broken(context: jobs.Context) -> int:
        runs.append("broken")
        raise RuntimeError("the database went away")

    async def idle(context: jobs.Context) -> int:
        runs.append("idle")
        return 5  # idle work is not counted: the worker would never sleep

    monkeypatch.setattr(
        jobs,
        "CHORES",
        [
            jobs.Chore(hourly, 3600.0, False),
            jobs.Chore(broken, 0.0, False),
            jobs.Chore(idle, 0.0, True),
        ],
    )
    worker = Worker(settings)
    assert await worker.run_once() == 3
    assert runs == ["hourly", "broken", "broken", "idle"]
    assert "<locals>.broken failed" in caplog.text and "the database went away" in caplog.text
    runs.clear()
    assert await worker.run_once() == 0  # within the hour: the hourly chore waits
    assert runs == ["broken", "idle"]
