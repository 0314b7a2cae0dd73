from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# The customers' order totals (see Customer.orders_count), from the orders already stored;
# orders.services.refresh_order_totals keeps them from now on. Plain SQL for both engines.
_ORDERS = "FROM shop_order o WHERE o.shop_id = customer.shop_id AND o.customer_id = customer.id"
_ITEMS = (
    "FROM shop_order o JOIN order_item i ON i.order_id = o.id "
    "WHERE o.shop_id = customer.shop_id AND o.customer_id = customer.id"
)
_CATEGORIES = (
    "FROM shop_order o JOIN order_item i ON i.order_id = o.id JOIN product p ON p.id = i.product_id "
    "WHERE o.shop_id = customer.shop_id AND o.customer_id = customer.id"
)
BACKFILL_ORDER_TOTALS = f"""
UPDATE customer SET
    orders_count = (SELECT COUNT(*) {_ORDERS}),
    last_order_at = (SELECT MAX(o.ordered_at) {_ORDERS}),
    sales = (SELECT COALESCE(SUM(i.quantity * CAST(i.unit_price AS DOUBLE PRECISION)), 0) {_ITEMS}),
    priced_orders = (SELECT COUNT(DISTINCT i.order_id) {_ITEMS} AND i.unit_price IS NOT NULL),
    min_category = (SELECT MIN(p.category) {_CATEGORIES}),
    max_category = (SELECT MAX(p.category) {_CATEGORIES})
WHERE EXISTS (SELECT 1 {_ORDERS})
"""

class Migration(migrations.Migration):
    dependencies = [('feedback', '0002_preferences_draws')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='last_order_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Customer',
            name='max_category',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='Customer',
            name='min_category',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='Customer',
            name='orders_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Customer',
            name='priced_orders',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Customer',
            name='sales',
            field=fields.FloatField(default=0.0, db_default=0.0),
        ),
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['shop_id', 'last_order_at']),
        ),
        ops.AddIndex(
            model_name='Order',
            index=Index(fields=['shop_id', 'ordered_at', 'customer_id']),
        ),
        ops.AddIndex(
            model_name='OrderItem',
            index=Index(fields=['order_id']),
        ),
        ops.AddIndex(
            model_name='Response',
            index=Index(fields=['shop_id', 'kind', 'customer_id', 'created_at', 'id', 'score']),
        ),
        ops.RunSQL(BACKFILL_ORDER_TOTALS, reverse_sql=ops.RunSQL.noop),
        # Every customer row just changed: fresh statistics, or the planner misjudges the
        # loyalty queries until autovacuum gets to it. (Both engines know ANALYZE.)
        ops.RunSQL("ANALYZE customer", reverse_sql=ops.RunSQL.noop),
    ]
