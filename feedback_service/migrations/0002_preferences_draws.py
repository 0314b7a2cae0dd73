from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('feedback', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HeldInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='held_invitations', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('feedback.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='held_invitations', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('reason', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'held_invitation', 'app': 'feedback', 'indexes': [Index(fields=['shop_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "An invitation the throttle or the customer's preference held back (contact pressure)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrizeDraw',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='prize_draws', on_delete=OnDelete.CASCADE)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('period_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('prize', fields.CharField(max_length=300)),
                ('rules_url', fields.CharField(default='', max_length=2000)),
                ('seed', fields.CharField(max_length=64)),
                ('entries', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('entries_sha256', fields.CharField(null=True, max_length=64)),
                ('winner_review', fields.ForeignKeyField('feedback.Review', source_field='winner_review_id', null=True, db_constraint=True, to_field='id', related_name='won_draws', on_delete=OnDelete.SET_NULL)),
                ('ran_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'prize_draw', 'app': 'feedback', 'indexes': [Index(fields=['shop_id', 'period_start'])], 'pk_attr': 'id', 'table_description': 'A draw among the customers who left a review in a period, verifiable by anyone:'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Customer',
            name='contact_preference',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Customer',
            name='contact_preference_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Review',
            name='incentivised',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Shop',
            name='churn_days',
            field=fields.IntField(default=180, db_default=180),
        ),
        ops.AddField(
            model_name='Shop',
            name='segment_occasional_from',
            field=fields.IntField(default=2, db_default=2),
        ),
        ops.AddField(
            model_name='Shop',
            name='segment_regular_from',
            field=fields.IntField(default=4, db_default=4),
        ),
        ops.AddField(
            model_name='Shop',
            name='throttle_days_new',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Shop',
            name='throttle_days_occasional',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Shop',
            name='throttle_days_regular',
            field=fields.IntField(null=True),
        ),
    ]
