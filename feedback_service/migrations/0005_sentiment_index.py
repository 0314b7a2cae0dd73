from tortoise import migrations
from tortoise.migrations import operations as ops

# The analysed comments of a period (metrics.services.sentiment_summary), without visiting
# the answers that have none, most of them. A partial index: both engines know them; the
# models cannot declare one, so the SQL is written here.
CREATE_SENTIMENT_INDEX = (
    "CREATE INDEX idx_response_sentiment ON response "
    "(shop_id, kind, created_at, sentiment_label, sentiment_score) "
    "WHERE sentiment_label IS NOT NULL"
)


class Migration(migrations.Migration):
    dependencies = [('feedback', '0004_frame_ancestors')]

    initial = False

    operations = [
        ops.RunSQL(CREATE_SENTIMENT_INDEX, reverse_sql="DROP INDEX idx_response_sentiment"),
    ]
