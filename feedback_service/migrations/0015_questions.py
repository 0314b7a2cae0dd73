from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Product questions (issue 19): asked on the product's blocks and confirmed by email, the
# shop's and buyers' answers, and the recent buyers asked to answer.


class Migration(migrations.Migration):
    dependencies = [('feedback', '0014_close_the_loop')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shop', fields.ForeignKeyField('feedback.Shop', source_field='shop_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('feedback.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('author_name', fields.CharField(max_length=100)),
                ('author_email', fields.CharField(max_length=254)),
                ('language', fields.CharField(default='en', max_length=8)),
                ('status', fields.CharField(default='unconfirmed', max_length=16)),
                ('rejection_reason', fields.CharField(null=True, max_length=32)),
                ('moderated_by', fields.CharField(null=True, max_length=254)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('buyers_asked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'question', 'app': 'feedback', 'indexes': [Index(fields=['product_id', 'status', 'answered_at']), Index(fields=['shop_id', 'status', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('question', fields.ForeignKeyField('feedback.Question', source_field='question_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('by_shop', fields.BooleanField(default=False)),
                ('customer', fields.ForeignKeyField('feedback.Customer', source_field='customer_id', null=True, db_constraint=True, to_field='id', related_name='question_answers', on_delete=OnDelete.SET_NULL)),
                ('author_name', fields.CharField(default='', max_length=100)),
                ('author_email', fields.CharField(null=True, max_length=254)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('rejection_reason', fields.CharField(null=True, max_length=32)),
                ('moderated_by', fields.CharField(null=True, max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'question_answer', 'app': 'feedback', 'indexes': [Index(fields=['question_id', 'status'])], 'pk_attr': 'id', 'table_description': "The shop's answer (one per question, published as written) or a buyer's (moderated)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BuyerInvite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('question', fields.ForeignKeyField('feedback.Question', source_field='question_id', db_constraint=True, to_field='id', related_name='buyer_invites', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('feedback.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='question_invites', on_delete=OnDelete.CASCADE)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'question_invite', 'app': 'feedback', 'unique_together': (('question', 'customer'),), 'pk_attr': 'id', 'table_description': 'A recent buyer of the product asked by email to answer a question (once each).'},
            bases=['Model'],
        ),
    ]
