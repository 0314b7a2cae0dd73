import json

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from feedback_service.reviews.highlights import (
    RECENT_REVIEWS,
    SourceReview,
    candidate_ids,
    summarise,
    tally,
)

# Review highlights (issue 19): what customers say about each aspect of a product, kept
# with the product like its rating counts. Products with published reviews get theirs
# now, with a new version so that no cached block goes on without them.
PRODUCTS = "SELECT DISTINCT product_id FROM review WHERE status = 'published'"
REVIEWS = (
    "SELECT id, language, aspects, helpful_count, title, body FROM review"
    " WHERE product_id = {0} AND status = 'published'"
    f" ORDER BY published_at DESC, id DESC LIMIT {RECENT_REVIEWS}"
)
UPDATE = (
    "UPDATE product SET highlights = {0}, reviews_version = reviews_version + 1 WHERE id = {1}"
)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


async def fill_highlights(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    # Each engine's placeholders; the JSON goes as text, which PostgreSQL casts.
    first, second = ("$1", "$2") if postgres else ("?", "?")
    reviews_sql = REVIEWS.format(first)
    update_sql = UPDATE.format(f"CAST({first} AS JSONB)" if postgres else first, second)
    for row in await client.execute_query_dict(PRODUCTS):
        product_id = row["product_id"]
        rows = await client.execute_query_dict(reviews_sql, [product_id])
        tallies = tally(
            [
                SourceReview(r["id"], r["language"], _json(r["aspects"]), r["helpful_count"])
                for r in rows
            ]
        )
        wanted = candidate_ids(tallies)
        texts = {r["id"]: (r["title"], r["body"]) for r in rows if r["id"] in wanted}
        value = json.dumps(summarise(tallies, texts), ensure_ascii=False)
        await client.execute_query(update_sql, [value, product_id])


class Migration(migrations.Migration):
    dependencies = [('feedback', '0015_questions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Product',
            name='highlights',
            field=fields.JSONField(default=list, db_default='[]'),
        ),
        ops.RunPython(fill_highlights, ops.RunPython.noop),
    ]
