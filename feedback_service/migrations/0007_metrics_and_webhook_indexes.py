from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# The NPS answers that were a customer's latest on a past day and are not any more
# (metrics.services, loyalty as of that day): superseded since, found by when. Partial: the
# latest answers, never superseded, are not in it, and a click never writes it (an answer is
# superseded when the next one is chained, off the click's path).
CREATE_SUPERSEDED_INDEX = (
    "CREATE INDEX idx_response_superseded ON response "
    "(shop_id, kind, superseded_at, created_at, customer_id, score) "
    "WHERE superseded_at IS NOT NULL"
)


class Migration(migrations.Migration):
    dependencies = [('feedback', '0006_latest_answers')]

    initial = False

    operations = [
        ops.RunSQL(CREATE_SUPERSEDED_INDEX, reverse_sql="DROP INDEX idx_response_superseded"),
        # The customers whose latest NPS answer came after a past day: only their score on
        # that day is looked up among the superseded answers.
        ops.AddIndex(
            model_name='Customer',
            index=Index(fields=['shop_id', 'nps_at']),
        ),
        # Whether a shop has an active webhook endpoint, asked by each confirmation: without
        # it, a scan of every shop's endpoints.
        ops.AddIndex(
            model_name='WebhookEndpoint',
            index=Index(fields=['shop_id']),
        ),
    ]
