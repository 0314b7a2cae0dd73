from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('feedback', '0003_metrics_speed')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Shop',
            name='frame_ancestors',
            field=fields.CharField(default='', db_default='', max_length=1000),
        ),
    ]
