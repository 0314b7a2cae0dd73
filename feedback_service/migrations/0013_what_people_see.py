from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('feedback', '0012_campaigns')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Shop',
            name='logo_url',
            field=fields.CharField(default='', db_default='', max_length=500),
        ),
        ops.AddField(
            model_name='Shop',
            name='neutral_nps_buttons',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
