import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
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
        ops.CreateModel(
            name='Connector',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='connectors', on_delete=OnDelete.CASCADE)),
                ('platform', fields.CharField(max_length=16)),
                ('key', fields.CharField(unique=True, max_length=32)),
                ('secret', fields.CharField(max_length=200)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'connector', 'app': 'feedback', 'indexes': [Index(fields=['shop_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConnectorDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('connector', fields.ForeignKeyField('feedback.Connector', source_field='connector_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(max_length=64)),
                ('webhook_id', fields.CharField(null=True, max_length=100)),
                ('headers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('body', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(default='pending', max_length=16)),
                ('error', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'connector_delivery', 'app': 'feedback', 'unique_together': (('connector', 'webhook_id'),), 'indexes': [Index(fields=['connector_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One webhook call as the platform sent it, made into an order by the worker.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Order',
            name='fulfilled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Order',
            name='number',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Order',
            name='source_updated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReviewRequest',
            name='reminders_sent',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Shop',
            name='review_delay_after_fulfilled_days',
            field=fields.IntField(default=5, db_default=5),
        ),
        ops.AddField(
            model_name='Shop',
            name='review_reminder_days',
            field=fields.IntField(default=7, db_default=7),
        ),
        ops.AddField(
            model_name='Shop',
            name='review_reminders',
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
