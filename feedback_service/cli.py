"""The `feedback-service` command line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from feedback_service.db import close_db, init_db
from feedback_service.db import migrate as run_migrations
from feedback_service.errors import DomainError
from feedback_service.orders import presets as order_presets
from feedback_service.reviews import presets as review_presets
from feedback_service.settings import get_settings

if TYPE_CHECKING:  # imported where used: each command loads only what it needs
    from feedback_service.orders import importer as order_importer
    from feedback_service.reviews import importer as review_importer
    from feedback_service.shops.models import Shop

T = TypeVar("T")
app = typer.Typer(
    help="Surveys, reviews and triage of unhappy customers for online shops.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


def _with_db(work: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await init_db(get_settings().database_url)
        try:
            return await work()
        finally:
            await close_db()

    try:
        return asyncio.run(run())
    except DomainError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Run the web app under uvicorn."""
    import uvicorn

    uvicorn.run(
        "feedback_service.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        log_level="info",
        # Access lines would carry link tokens; the app logs what it needs itself.
        access_log=False,
    )


@app.command()
def migrate() -> None:
    """Apply pending migrations."""
    asyncio.run(run_migrations(get_settings().database_url))
    console.print("Migrations applied.")


@app.command()
def demo() -> None:
    """Create or refresh the demo shop with products, orders and answers."""
    from feedback_service import demo as demo_data

    summary = _with_db(lambda: demo_data.load(get_settings()))
    for line in summary:
        console.print(line, highlight=False, soft_wrap=True)


@app.command("create-shop")
def create_shop(
    name: str,
    slug: Annotated[str, typer.Option(help="lowercase letters, digits and dashes")],
    locale: str = "en",
) -> None:
    """Create a shop and print its API key once."""
    from feedback_service.shops.services import create_shop as create

    shop, key = _with_db(lambda: create(name, slug, locale))
    console.print(f"Shop {shop.slug!r} created. API key (shown once): {key}", highlight=False)


@app.command("create-user")
def create_user(
    email: str,
    shop: Annotated[str, typer.Option(help="the shop's slug")],
    role: str = "agent",
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Create a staff login; the password comes from a prompt or standard input."""
    from feedback_service.errors import NotFound
    from feedback_service.shops.models import Shop
    from feedback_service.shops.services import create_user as create

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work() -> str:
        found = await Shop.filter(slug=shop).first()
        if found is None:
            raise NotFound(f"No shop with the slug {shop!r}.")
        user = await create(found, email, password, role)
        return user.email

    created = _with_db(work)
    console.print(f"Staff user {created} ({role}) created for {shop}.", highlight=False)


async def _shop_by_slug(slug: str) -> Shop:
    from feedback_service.errors import NotFound
    from feedback_service.shops.models import Shop

    shop = await Shop.filter(slug=slug).first()
    if shop is None:
        raise NotFound(f"No shop with the slug {slug!r}.")
    return shop


REVIEW_PRESETS_HELP = "\n\n".join(
    [
        "Import reviews from another platform's CSV export (idempotent by source and review "
        "id; without an id column, by a hash of the review). Dates may be a day alone "
        "(2026-11-02, or 02/11/2026 day first); without an offset, the shop's local time.",
        *(review_presets.describe(name) for name in review_presets.PRESETS),
    ]
)


@app.command("import-reviews", help=REVIEW_PRESETS_HELP)
def import_reviews(
    slug: str,
    file: Path,
    preset: Annotated[
        str, typer.Option(help="generic, judgeme, trustpilot or avis-verifies")
    ] = "generic",
) -> None:
    from rich.progress import Progress

    from feedback_service.csvin import CsvProblem, count_rows
    from feedback_service.reviews.importer import import_csv

    _check_import(preset, review_presets.PRESETS, file)

    async def work() -> review_importer.ImportReport:
        shop = await _shop_by_slug(slug)
        total = count_rows(file)
        with Progress(console=console) as progress:
            task = progress.add_task("Importing reviews", total=total)
            return await import_csv(shop, file, lambda: progress.advance(task), preset=preset)

    try:
        report = _with_db(work)
    except CsvProblem as exc:
        _fail(str(exc))
    summary = f"{report.created} imported, {report.unchanged} already there"
    _print_import_report(summary, report.rejected)


ORDER_PRESETS_HELP = "\n\n".join(
    [
        "Import orders from a platform's CSV export (one row per line item; rows of an order "
        "together), a thousand at a time, as POST /api/v1/orders/batch does; imported orders "
        "have the source csv. Dates without an offset are the shop's local time.",
        *(order_presets.describe(name) for name in order_presets.PRESETS),
        f"PrestaShop query: {order_presets.PRESTASHOP_QUERY}",
    ]
)


@app.command("import-orders", help=ORDER_PRESETS_HELP)
def import_orders(
    slug: str,
    file: Path,
    preset: Annotated[
        str, typer.Option(help="woocommerce, shopify, prestashop or generic")
    ] = "generic",
) -> None:
    from rich.progress import Progress

    from feedback_service.csvin import CsvProblem, count_rows, open_table
    from feedback_service.orders.importer import import_orders as run
    from feedback_service.orders.importer import missing_fields, preset_mapping

    _check_import(preset, order_presets.PRESETS, file)
    try:
        with open_table(file) as (header, _):
            mapping = preset_mapping(preset, header)
    except CsvProblem as exc:
        _fail(str(exc))
    if missing := missing_fields(mapping):
        expected = order_presets.PRESETS[preset].columns
        columns = ", ".join(f"{f} ({expected[f]})" for f in missing if f in expected)
        _fail(f"No column for: {columns}. See --help.")
    total = count_rows(file)

    async def work() -> order_importer.ImportReport:
        shop = await _shop_by_slug(slug)
        with Progress(console=console) as progress:
            task = progress.add_task("Importing orders", total=total)
            return await run(shop, file, mapping, lambda rows: progress.advance(task, rows))

    try:
        report = _with_db(work)
    except CsvProblem as exc:
        _fail(str(exc))
    _print_import_report(f"{report.created} created, {report.updated} updated", report.rejected)


def _fail(message: str) -> NoReturn:
    from rich.markup import escape

    console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


def _check_import(preset: str, presets: Mapping[str, object], file: Path) -> None:
    if preset not in presets:
        _fail(f"unknown preset {preset!r}")
    if not file.is_file():
        _fail(f"no such file: {file}")


def _print_import_report(summary: str, rejected: list[tuple[int, str]]) -> None:
    console.print(f"{summary}, {len(rejected)} rejected.", highlight=False)
    for line, reason in rejected:
        console.print(f"  line {line}: {reason}", highlight=False, markup=False)


@app.command()
def feed(slug: str, output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """Write the Google Product Ratings XML feed of a shop (to stdout by default)."""
    from feedback_service.links import Links
    from feedback_service.reviews.feed import product_reviews_feed

    async def work() -> bytes:
        return await product_reviews_feed(await _shop_by_slug(slug), Links(get_settings()))

    xml = _with_db(work)
    if output is None:
        sys.stdout.buffer.write(xml)
    else:
        output.write_bytes(xml)
        console.print(f"Feed written to {output}.")


@app.command()
def sentiment() -> None:
    """JSON lines in ({"id", "text"}), JSON lines out in the same order, with sentiment."""
    from feedback_service.sentiment.cli import run_jsonl

    run_jsonl(sys.stdin, sys.stdout)


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="responses or reviews")],
    slug: str,
    format: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
) -> None:
    """Export a shop's answers or reviews to stdout; formula-like CSV cells are neutralised."""
    from feedback_service import exports

    if what not in exports.KINDS or format not in exports.FORMATS:
        console.print("[red]error:[/red] export responses|reviews SLUG [--format csv|jsonl]")
        raise typer.Exit(2)

    async def work() -> None:
        shop = await _shop_by_slug(slug)
        async for chunk in exports.export(shop, what, format):
            sys.stdout.write(chunk)

    _with_db(work)


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="deliver what is due, then exit")] = False,
) -> None:
    """Deliver the outbox: emails, webhooks, scheduled review requests."""
    import logging
    import signal

    from feedback_service.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()

    async def work() -> None:
        runner = Worker(settings)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            # Finish the batch in hand, then stop.
            loop.add_signal_handler(signum, runner.stopping.set)
        if once:
            count = await runner.run_once()
            console.print(f"{count} deliveries attempted.")
        else:
            await runner.run()

    _with_db(work)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
