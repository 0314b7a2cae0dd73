from tortoise import migrations
import functools
from json import dumps, loads
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Survey rules and the orders each handled, campaigns and their recipients (surveys.rules,
# surveys.campaigns), when a shop's review block was last fetched (the dashboard's next
# steps), and the index the rules' periodic look for delivered orders reads.


class Migration(migrations.Migration):
    dependencies = [('feedback', '0011_bulk_imports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('audience', fields.CharField(max_length=32)),
                ('state', fields.CharField(default='draft', max_length=16)),
                ('line_errors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.CharField(default='', max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'feedback', 'indexes': [Index(fields=['shop_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A survey sent from the admin to a segment or an uploaded list: a draft until the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignRecipient',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('feedback.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='recipients', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('feedback.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('name', fields.CharField(default='', max_length=200)),
                ('locale', fields.CharField(default='', max_length=8)),
                ('outcome', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'campaign_recipient', 'app': 'feedback', 'unique_together': (('campaign', 'email'),), 'indexes': [Index(fields=['campaign_id', 'outcome'])], 'pk_attr': 'id', 'table_description': 'One customer of a campaign: `outcome` stays NULL until the worker asked them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyRule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='survey_rules', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('days_after_delivery', fields.IntField()),
                ('segment', fields.CharField(max_length=16)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_rule', 'app': 'feedback', 'indexes': [Index(fields=['shop_id'])], 'pk_attr': 'id', 'table_description': '"Send a `kind` survey `days_after_delivery` days after delivery to the customers of'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyRuleOrder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule', fields.ForeignKeyField('feedback.SurveyRule', source_field='rule_id', db_constraint=True, to_field='id', related_name='handled', on_delete=OnDelete.CASCADE)),
                ('order', fields.ForeignKeyField('feedback.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='survey_rules_handled', on_delete=OnDelete.CASCADE)),
                ('outcome', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_rule_order', 'app': 'feedback', 'unique_together': (('rule', 'order'),), 'indexes': [Index(fields=['rule_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "An order a rule handled, and how (sent or the hold's reason): a rule asks each order"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Shop',
            name='block_seen_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Order',
            index=Index(fields=['shop_id', 'delivered_at']),
        ),
    ]
