"""The work the worker does for the domains, registered by each domain in its tasks.py (as
Warehouse's tasks are), so that the outbox and the worker import no domain.

A job handles the outbox rows of one kind: a domain writes the row (outbox.services.schedule)
in its own transaction, and the domain that registered the kind acts on it later. This is how
a lower layer makes a higher one act without importing it. A chore is work the worker looks
for by itself, such as rows whose due time has come.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from feedback_service.links import Links
from feedback_service.outbox.models import OutboxMessage
from feedback_service.settings import Settings


@dataclass(frozen=True)
class Context:
    """What the worker hands each job and chore."""

    settings: Settings
    links: Links
    stopping: asyncio.Event  # set when the worker is asked to stop: a long chore ends early


Handler = Callable[[OutboxMessage, Context], Awaitable[None]]
ChoreRun = Callable[[Context], Awaitable[int]]


@dataclass(frozen=True)
class Chore:
    run: ChoreRun  # returns how much it did
    every: float  # seconds at least between two runs
    idle: bool  # when the worker has nothing else to do, rather than in each of its steps

    @property
    def name(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"


# Outbox kind -> what handles its rows.
HANDLERS: dict[str, Handler] = {}
CHORES: list[Chore] = []


def job(kind: str) -> Callable[[Handler], Handler]:
    """Register the handler of the outbox rows of `kind`; raising makes the row retried."""

    def register(handler: Handler) -> Handler:
        if kind in HANDLERS or kind in ("email", "webhook"):
            raise ValueError(f"outbox kind {kind!r} already has a handler")
        HANDLERS[kind] = handler
        return handler

    return register


def chore(*, every: float = 0.0, idle: bool = False) -> Callable[[ChoreRun], ChoreRun]:
    """Register a chore: run in each step of the worker (what it did counts as work, so the
    worker goes on without sleeping) or, `idle`, when there is nothing to deliver; at most
    once every `every` seconds."""

    def register(run: ChoreRun) -> ChoreRun:
        CHORES.append(Chore(run, every, idle))
        return run

    return register
