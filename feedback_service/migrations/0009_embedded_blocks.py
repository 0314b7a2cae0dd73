from tortoise import migrations
from tortoise import fields
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('feedback', '0008_issue16_hardening')]

    initial = False

    operations = [
        # The Google feed's secret URL is derived from the shop and this number; rotating
        # it in /admin/settings adds one. Existing shops start at 0, with a working URL.
        ops.AddField(
            model_name='Shop',
            name='feed_token_version',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
