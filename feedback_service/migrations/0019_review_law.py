from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# The review policy's promises (issue 19): the shop's maximum time before publication and
# retention period; the prize draw's per-entry receipts and its frozen receipt list.


class Migration(migrations.Migration):
    dependencies = [('feedback', '0018_author_control')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Shop',
            name='review_publication_days',
            field=fields.IntField(default=7, db_default=7),
        ),
        ops.AddField(
            model_name='Shop',
            name='review_retention_years',
            field=fields.IntField(default=5, db_default=5),
        ),
        ops.AddField(
            model_name='Review',
            name='draw_nonce',
            field=fields.CharField(max_length=32, null=True),
        ),
        ops.AddField(
            model_name='PrizeDraw',
            name='receipts',
            field=fields.JSONField(default=list, db_default='[]'),
        ),
    ]
