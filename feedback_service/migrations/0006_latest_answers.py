from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Each customer's latest answer (see Response.superseded_at and surveys.chain): the
# unchained answers are found by a partial index; the answers already stored are chained
# here, and each customer takes their latest NPS answer. Plain SQL for both engines, as
# surveys.chain writes it for new answers.
CREATE_UNCHAINED_INDEX = "CREATE INDEX idx_response_unchained ON response (id) WHERE NOT chained"
# Each order's amount and categories (see Order.amount), from its items.
_ITEMS = "FROM order_item i WHERE i.order_id = shop_order.id"
_CATEGORIES = "FROM order_item i JOIN product p ON p.id = i.product_id WHERE i.order_id = shop_order.id"
BACKFILL_ORDERS = f"""
UPDATE shop_order SET
    amount = (SELECT SUM(i.quantity * CAST(i.unit_price AS DOUBLE PRECISION)) {_ITEMS}),
    min_category = (SELECT MIN(p.category) {_CATEGORIES}),
    max_category = (SELECT MAX(p.category) {_CATEGORIES})"""
# Each answer is now its own entry in the alert-check queue (Response.alert_due_at): the
# checks still waiting in the outbox move there.
CREATE_ALERT_DUE_INDEX = (
    "CREATE INDEX idx_response_alert_due ON response (alert_due_at)"
    " WHERE alert_due_at IS NOT NULL"
)
MOVE_ALERT_CHECKS = [
    """UPDATE response SET alert_due_at = m.due_at
    FROM outbox_message m
    WHERE m.kind = 'alert_check' AND m.state IN ('pending', 'failed')
      AND m.subject = 'response:' || response.id""",
    "DELETE FROM outbox_message WHERE kind = 'alert_check' AND state IN ('pending', 'failed')",
]
CHAIN_ALL = [
    """UPDATE response SET superseded_at = next.at, chained = TRUE
    FROM (
        SELECT id, LEAD(created_at) OVER (
            PARTITION BY shop_id, kind, customer_id ORDER BY created_at, id
        ) AS at
        FROM response
        WHERE customer_id IS NOT NULL
    ) next
    WHERE response.id = next.id""",
    "UPDATE response SET chained = TRUE WHERE NOT chained",
    """UPDATE customer SET nps_score = r.score, nps_at = r.created_at
    FROM response r
    WHERE customer.id = r.customer_id AND r.kind = 'nps' AND r.superseded_at IS NULL""",
]


class Migration(migrations.Migration):
    dependencies = [('feedback', '0005_sentiment_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Response',
            name='chained',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Response',
            name='superseded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='nps_score',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Customer',
            name='nps_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Order',
            name='amount',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Order',
            name='min_category',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='Order',
            name='max_category',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.RunSQL(BACKFILL_ORDERS, reverse_sql=ops.RunSQL.noop),
        ops.AddField(
            model_name='Response',
            name='alert_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(CREATE_ALERT_DUE_INDEX, reverse_sql="DROP INDEX idx_response_alert_due"),
        *(ops.RunSQL(statement, reverse_sql=ops.RunSQL.noop) for statement in MOVE_ALERT_CHECKS),
        ops.RunSQL(CREATE_UNCHAINED_INDEX, reverse_sql="DROP INDEX idx_response_unchained"),
        *(ops.RunSQL(statement, reverse_sql=ops.RunSQL.noop) for statement in CHAIN_ALL),
    ]
