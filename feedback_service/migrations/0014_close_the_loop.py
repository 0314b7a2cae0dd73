from tortoise import migrations
from tortoise.migrations import operations as ops  # noqa: F401


class Migration(migrations.Migration):
    dependencies = [('feedback', '0013_what_people_see')]

    initial = False

    operations: list = []
