"""Every URL of the app, in one list, grouped by audience."""

from __future__ import annotations

from functools import partial

from starlette.routing import Route

from feedback_service import health, icon, links, openapi
from feedback_service.admin import campaign_views as admin_campaigns
from feedback_service.admin import draw_views as admin_draws
from feedback_service.admin import import_views as admin_imports
from feedback_service.admin import question_views as admin_questions
from feedback_service.admin import settings_views as admin_settings
from feedback_service.admin import views as admin
from feedback_service.alerts import api as alerts_api
from feedback_service.alerts import views as alerts
from feedback_service.connectors import api as connectors_api
from feedback_service.connectors import views as connectors
from feedback_service.http import register_bounded_text
from feedback_service.metrics import api as metrics_api
from feedback_service.orders import api as orders_api
from feedback_service.outbox import api as outbox_api
from feedback_service.privacy import api as privacy_api
from feedback_service.questions import api as questions_api
from feedback_service.questions import blocks as question_blocks
from feedback_service.questions import views as questions
from feedback_service.reviews import api as reviews_api
from feedback_service.reviews import author_views, certificate
from feedback_service.reviews import public_views as reviews_public
from feedback_service.reviews import views as reviews
from feedback_service.surveys import api as surveys_api
from feedback_service.surveys import views as surveys

# A path segment longer than the column it names matches no route (404): nothing is stored
# under it, and the ORM would refuse the lookup.
register_bounded_text("slug", 64)
register_bounded_text("sku", 100)
register_bounded_text("email", 254)
register_bounded_text("order_id", 100)

# The product's blocks show its answered questions under the reviews (reviews imports no
# other domain: the loader is handed in here).
product_block = partial(reviews.product_block, questions=question_blocks.answered_questions)

routes = [
    # Public pages first: the router tries routes in order, and these take the traffic.
    # Respondents: no login, the token in the link is the only key. The one-click answer
    # (GET, then the page's POST) is tried first; a comment is not a score.
    Route(links.SURVEY_ANSWER, surveys.answer, methods=["GET"]),
    Route(links.SURVEY_COMMENT, surveys.comment, methods=["POST"]),
    Route(links.SURVEY_ANSWER, surveys.confirm, methods=["POST"]),
    Route(links.SURVEY_PAGE, surveys.survey_page, methods=["GET"]),
    Route(links.UNSUBSCRIBE, surveys.unsubscribe, methods=["GET", "POST"]),
    Route(links.REVIEW_FORM, reviews.review_form, methods=["GET", "POST"]),
    Route(links.REVIEW_THANKS, reviews.review_thanks, methods=["GET"]),
    Route(links.AUTHOR_PAGE, author_views.author_page, methods=["GET"]),
    Route(links.AUTHOR_PAGE, author_views.author_edit, methods=["POST"]),
    Route(links.AUTHOR_WITHDRAW, author_views.author_withdraw, methods=["POST"]),
    Route(links.QUESTION_CONFIRM, questions.confirmation, methods=["GET", "POST"]),
    Route(links.BUYER_ANSWER, questions.buyer_answer, methods=["GET", "POST"]),
    # Shops' pages: embeddable review blocks, cacheable, no JavaScript.
    Route(links.PRODUCT_PAGE, product_block, methods=["GET"]),
    Route(links.PRODUCT_QUESTIONS, questions.questions_fragment, methods=["GET"]),
    Route(links.PRODUCT_QUESTIONS, questions.ask, methods=["POST"]),
    Route(links.QUESTION_SENT, questions.asked, methods=["GET"]),
    Route(links.PRODUCT_BLOCK, product_block, methods=["GET"]),
    Route(links.SHOP_REVIEWS, reviews.shop_reviews, methods=["GET"]),
    Route(links.REVIEW_POLICY, reviews.review_policy, methods=["GET"]),
    Route(links.CERTIFICATE, certificate.certificate, methods=["GET"]),
    Route(links.SHOP_BADGE, certificate.badge, methods=["GET"]),
    Route(links.REVIEW_HELPFUL, reviews.helpful, methods=["POST"]),
    Route(links.REVIEW_PAGE, reviews_public.review_page, methods=["GET"]),
    Route(links.REVIEW_CARD, reviews_public.review_card, methods=["GET"]),
    Route(links.DRAW_JSON, reviews_public.draw_json, methods=["GET"]),
    Route(links.DRAW_PAGE, reviews_public.draw_page, methods=["GET"]),
    Route(links.PHOTO, reviews.photo, methods=["GET"]),
    # Feeds at a secret URL: the token in the path is the only key.
    Route(links.PRODUCT_REVIEWS_FEED, reviews_public.product_reviews_feed, methods=["GET"]),
    Route(links.MERCHANT_REVIEWS_FEED, reviews_public.merchant_reviews_feed, methods=["GET"]),
    # Platforms' webhooks: no API key, the platform's signature is the key.
    Route(links.HOOK, connectors_api.hook, methods=["POST"]),
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/favicon.ico", icon.favicon, methods=["GET"]),
    Route(links.ICON, icon.favicon, methods=["GET"]),
    Route("/openapi.json", openapi.openapi_json, methods=["GET"]),
    Route("/docs", openapi.docs, methods=["GET"]),
    # Integrators: JSON, authenticated by the shop's API key.
    Route("/api/v1/products", orders_api.put_product, methods=["POST"]),
    Route("/api/v1/products/{sku:sku}", orders_api.get_product, methods=["GET"]),
    Route("/api/v1/orders", orders_api.put_order, methods=["POST"]),
    Route("/api/v1/orders/{id:order_id}", reviews_api.get_order, methods=["GET"]),
    Route("/api/v1/connectors", connectors_api.create_connector, methods=["POST"]),
    Route("/api/v1/connectors", connectors_api.list_connectors, methods=["GET"]),
    Route("/api/v1/connectors/{id}", connectors_api.delete_connector, methods=["DELETE"]),
    Route("/api/v1/customers/{email:email}/export", privacy_api.export_customer, methods=["GET"]),
    Route("/api/v1/customers/{email:email}", privacy_api.erase_customer, methods=["DELETE"]),
    Route("/api/v1/orders/batch", orders_api.put_orders, methods=["POST"]),
    Route("/api/v1/invitations", surveys_api.create_invitation, methods=["POST"]),
    Route("/api/v1/invitations/batch", surveys_api.create_invitations, methods=["POST"]),
    Route("/api/v1/survey-links", surveys_api.create_survey_link, methods=["POST"]),
    Route("/api/v1/responses", surveys_api.list_responses, methods=["GET"]),
    Route("/api/v1/review-requests", reviews_api.create_review_request, methods=["POST"]),
    Route("/api/v1/reviews", reviews_api.list_reviews, methods=["GET"]),
    Route("/api/v1/reviews", reviews_api.import_review, methods=["POST"]),
    Route("/api/v1/reviews/{id}/moderation", reviews_api.moderate, methods=["POST"]),
    Route("/api/v1/reviews/{id}/reply", reviews_api.reply, methods=["POST"]),
    Route("/api/v1/feeds/google-product-reviews.xml", reviews_api.google_feed, methods=["GET"]),
    Route("/api/v1/questions", questions_api.list_questions, methods=["GET"]),
    Route("/api/v1/questions/{id}/answer", questions_api.answer, methods=["POST"]),
    Route("/api/v1/questions/{id}/moderation", questions_api.moderate, methods=["POST"]),
    Route("/api/v1/metrics", metrics_api.get_metrics, methods=["GET"]),
    Route("/api/v1/alerts", alerts_api.list_alerts, methods=["GET"]),
    Route("/api/v1/alerts/{id}", alerts_api.patch_alert, methods=["PATCH"]),
    Route("/api/v1/alert-rules", alerts_api.get_rules, methods=["GET"]),
    Route("/api/v1/alert-rules", alerts_api.put_rules, methods=["PUT"]),
    Route("/api/v1/webhooks", outbox_api.create_webhook, methods=["POST"]),
    Route("/api/v1/webhooks", outbox_api.list_webhooks, methods=["GET"]),
    Route("/api/v1/webhooks/{id}/deliveries", outbox_api.list_deliveries, methods=["GET"]),
    Route(
        "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
        outbox_api.replay_delivery,
        methods=["POST"],
    ),
    # Staff.
    Route(links.ADMIN_LOGIN, admin.login, methods=["GET", "POST"]),
    Route("/admin/logout", admin.logout, methods=["POST"]),
    Route("/admin/password", admin.password, methods=["GET", "POST"]),
    Route(links.ADMIN, admin.dashboard, methods=["GET"]),
    Route(links.ADMIN_INBOX, alerts.inbox, methods=["GET"]),
    Route("/admin/inbox/{id}", alerts.act, methods=["POST"]),
    Route(links.ADMIN_REVIEWS, admin.reviews, methods=["GET", "POST"]),
    Route(links.ADMIN_QUESTIONS, admin_questions.questions_page, methods=["GET", "POST"]),
    Route(links.ADMIN_SETTINGS, admin_settings.settings_page, methods=["GET"]),
    Route("/admin/settings/{action}", admin_settings.settings_action, methods=["POST"]),
    Route("/admin/customers/export", admin_settings.customer_export, methods=["GET"]),
    Route("/admin/surveys", admin.surveys, methods=["GET"]),
    Route("/admin/export/{what}.{format}", admin.export, methods=["GET"]),
    Route(links.ADMIN_OUTBOX, admin.outbox, methods=["GET"]),
    Route(links.ADMIN_CONNECTORS, connectors.connectors_page, methods=["GET"]),
    Route("/admin/connectors/{action}", connectors.connectors_action, methods=["POST"]),
    Route(links.ADMIN_OUTBOX_MESSAGE, admin.outbox_message, methods=["GET", "POST"]),
    Route(links.ADMIN_DRAWS, admin_draws.draws_page, methods=["GET", "POST"]),
    Route(links.ADMIN_DRAW, admin_draws.draw_page, methods=["GET", "POST"]),
    Route("/admin/draws/{id}/result.{format}", admin_draws.draw_export, methods=["GET"]),
    Route(links.ADMIN_CAMPAIGNS, admin_campaigns.campaigns_page, methods=["GET", "POST"]),
    Route(links.ADMIN_CAMPAIGN, admin_campaigns.campaign_page, methods=["GET", "POST"]),
    Route(links.ADMIN_SURVEY_RULES, admin_campaigns.rules_page, methods=["GET", "POST"]),
    Route("/admin/survey-rules/{id}", admin_campaigns.rule_action, methods=["POST"]),
    Route(links.ADMIN_SURVEY_LINKS, admin_campaigns.links_page, methods=["GET", "POST"]),
    Route(links.ADMIN_SURVEY_LINK, admin_campaigns.link_page, methods=["GET"]),
    Route("/admin/survey-links/{id}/qr.png", admin_campaigns.link_qr, methods=["GET"]),
    Route(links.ADMIN_IMPORTS, admin_imports.imports_page, methods=["GET", "POST"]),
    Route("/admin/imports/{token}", admin_imports.run_import, methods=["POST"]),
]
