from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# The author's control (issue 19): when the author last edited their review ("edited on …"
# on the blocks). A withdrawn review is deleted: nothing to add for it.


class Migration(migrations.Migration):
    dependencies = [('feedback', '0017_shop_reviews')]

    initial = False

    operations: list = [
        ops.AddField(
            model_name='Review',
            name='edited_at',
            field=fields.DatetimeField(null=True),
        ),
    ]
