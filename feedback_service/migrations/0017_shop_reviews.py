import re

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Shop reviews (issue 19): a review with no product is a review of the shop itself, with
# its three criteria; an index lists a shop's own reviews newest first.


class DropProductNotNull(ops.AlterField):
    """AlterField's new state, but SQL that keeps the table and its rows.

    On SQLite, Tortoise's AlterField rebuilds the table (create, copy, drop, rename): that
    loses the review table's unique constraints and indexes, and the DROP deletes, through
    their ON DELETE CASCADE, every moderation_event and helpful_vote row. SQLite documents
    a simpler way for removing a NOT NULL constraint: edit the stored CREATE TABLE
    (https://www.sqlite.org/lang_altertable.html#otheralter); PostgreSQL has its ALTER.
    """

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is None:
            return
        client = state_editor.client
        if client.capabilities.dialect != "sqlite":
            await client.execute_script('ALTER TABLE "review" ALTER COLUMN "product_id" DROP NOT NULL')
            return
        _, rows = await client.execute_query(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'review'"
        )
        table_sql, found = re.subn(r'("product_id"\s+INT)\s+NOT\s+NULL', r"\1", rows[0]["sql"])
        if found != 1:
            raise RuntimeError("review.product_id: the table is not the one this migration knows")
        _, rows = await client.execute_query("PRAGMA schema_version")
        version = int(list(dict(rows[0]).values())[0])
        await client.execute_script("PRAGMA writable_schema = ON")
        await client.execute_query(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'review'",
            [table_sql],
        )
        # A new schema version: every connection reads the table's definition again.
        await client.execute_script(f"PRAGMA schema_version = {version + 1}")
        await client.execute_script("PRAGMA writable_schema = OFF")

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        raise NotImplementedError("shop reviews have no product: NOT NULL cannot come back")


class Migration(migrations.Migration):
    dependencies = [('feedback', '0016_highlights')]

    initial = False

    operations = [
        DropProductNotNull(
            model_name='Review',
            name='product',
            field=fields.ForeignKeyField('feedback.Product', source_field='product_id', null=True, db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Review',
            name='rating_as_described',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Review',
            name='rating_delivery',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Review',
            name='rating_service',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Review',
            index=Index(fields=['shop_id', 'product_id', 'status', 'published_at']),
        ),
    ]
