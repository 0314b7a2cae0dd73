"""WooCommerce and Shopify order webhooks in: orders without writing code."""
