from tortoise import migrations
from tortoise.migrations import operations as ops  # noqa: F401


class Migration(migrations.Migration):
    dependencies = [('feedback', '0014_close_the_loop')]

    initial = False

    operations: list = []
