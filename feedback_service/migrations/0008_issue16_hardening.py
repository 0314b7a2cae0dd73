from tortoise import migrations
from tortoise.migrations import operations as ops  # noqa: F401


class Migration(migrations.Migration):
    dependencies = [('feedback', '0007_metrics_and_webhook_indexes')]

    initial = False

    operations: list = []
