from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint


class Migration(migrations.Migration):
    dependencies = [('feedback', '0007_metrics_and_webhook_indexes')]

    initial = False

    operations = [
        # One answer link stores the first clicks of each score, the last of them counting
        # the later ones (surveys.models.Click). Rows recorded before keep a NULL slot,
        # which no later click collides with.
        ops.AlterModelOptions(
            name='Click',
            options={'table': 'click', 'app': 'feedback', 'unique_together': (('invitation_id', 'score', 'slot'),), 'indexes': [Index(fields=['invitation_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "A GET of a score link: provisional until a person's browser confirms it."},
        ),
        ops.AddField(
            model_name='Click',
            name='repeats',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Click',
            name='slot',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddConstraint(
            model_name='Click',
            constraint=UniqueConstraint(fields=('invitation_id', 'score', 'slot'), name=None),
        ),
        # Sessions signed before a logout or a new password are refused.
        ops.AddField(
            model_name='StaffUser',
            name='session_version',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
