from tortoise import migrations
from tortoise.migrations import operations as ops  # noqa: F401


class Migration(migrations.Migration):
    dependencies = [('feedback', '0018_author_control')]

    initial = False

    operations: list = []
