from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Closing the loop (issue 23): replies with their gesture, reply templates per aspect and
# language, the first reply's time and the "did we make it right?" follow-up on each alert.


class Migration(migrations.Migration):
    dependencies = [('feedback', '0013_what_people_see')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AlertReply',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert', fields.ForeignKeyField('feedback.Alert', source_field='alert_id', db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('feedback.StaffUser', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='alert_replies', on_delete=OnDelete.SET_NULL)),
                ('author_email', fields.CharField(max_length=254)),
                ('aspect', fields.CharField(max_length=32)),
                ('language', fields.CharField(max_length=8)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('gesture', fields.CharField(default='', max_length=16)),
                ('gesture_detail', fields.CharField(default='', max_length=500)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_reply', 'app': 'feedback', 'indexes': [Index(fields=['alert_id', 'sent_at'])], 'pk_attr': 'id', 'table_description': 'A reply a person sent to the customer from the inbox, with the gesture offered.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReplyTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='reply_templates', on_delete=OnDelete.CASCADE)),
                ('aspect', fields.CharField(max_length=32)),
                ('language', fields.CharField(max_length=8)),
                ('subject', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'reply_template', 'app': 'feedback', 'unique_together': (('shop', 'aspect', 'language'),), 'pk_attr': 'id', 'table_description': "A shop's own wording of the reply for an aspect and a language (else our default)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Alert',
            name='first_replied_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Alert',
            name='followup_answered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Alert',
            name='followup_invitation',
            field=fields.ForeignKeyField('feedback.Invitation', source_field='followup_invitation_id', null=True, db_constraint=True, to_field='id', related_name='followed_alerts', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Alert',
            name='followup_score',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Alert',
            index=Index(fields=['followup_invitation_id']),
        ),
        ops.AddField(
            model_name='Shop',
            name='followup_delay_days',
            field=fields.IntField(default=3, db_default=3),
        ),
    ]
