from tortoise import migrations
from tortoise.migrations import operations as ops  # noqa: F401


class Migration(migrations.Migration):
    dependencies = [('feedback', '0008_issue16_hardening')]

    initial = False

    operations: list = []
