from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('feedback', '0009_embedded_blocks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Order',
            name='status',
            field=fields.CharField(default='created', db_default='created', max_length=16),
        ),
        ops.AddField(
            model_name='Order',
            name='source',
            field=fields.CharField(default='api', db_default='api', max_length=16),
        ),
    ]
