"""Column presets of the order exports of each platform: our field -> their column.

Plain data (the command line's --help lists it without loading the app)."""

from __future__ import annotations

from dataclasses import dataclass

# Our fields, in the order the mapping form shows them.
FIELDS = (
    "id",
    "email",
    "name",
    "first_name",
    "last_name",
    "customer_id",
    "locale",
    "ordered_at",
    "delivered_at",
    "sku",
    "quantity",
    "unit_price",
    "line_total",
)
REQUIRED = ("id", "email", "ordered_at", "sku")
ORDER_FIELDS = FIELDS[:9]  # the others belong to a line item


@dataclass(frozen=True)
class Preset:
    label: str
    export: str  # where the file comes from, for --help and the admin page
    columns: dict[str, str]  # our field -> the platform's column


PRESETS = {
    "shopify": Preset(
        "Shopify",
        "Shopify admin > Orders > Export (CSV for Excel, Numbers or other spreadsheets)",
        {
            "id": "Name",
            "email": "Email",
            "name": "Billing Name",
            "ordered_at": "Created at",
            "delivered_at": "Fulfilled at",
            "sku": "Lineitem sku",
            "quantity": "Lineitem quantity",
            "unit_price": "Lineitem price",
        },
    ),
    "woocommerce": Preset(
        "WooCommerce",
        'WooCommerce > Export (Customer/Order/Coupon Export), format "Default - One Row per Item"',
        {
            "id": "order_number",
            "email": "billing_email",
            "first_name": "billing_first_name",
            "last_name": "billing_last_name",
            "customer_id": "customer_id",
            "ordered_at": "date",
            "sku": "item_sku",
            "quantity": "item_quantity",
            "line_total": "item_subtotal",
        },
    ),
    "prestashop": Preset(
        "PrestaShop",
        "PrestaShop > Advanced Parameters > Database > SQL Manager, the query below, Export "
        "(the Orders page's own export has neither emails nor products)",
        {
            "id": "reference",
            "email": "email",
            "first_name": "firstname",
            "last_name": "lastname",
            "customer_id": "id_customer",
            "locale": "iso_code",
            "ordered_at": "date_add",
            "delivered_at": "delivery_date",
            "sku": "product_reference",
            "quantity": "product_quantity",
            "unit_price": "unit_price_tax_incl",
        },
    ),
    "generic": Preset(
        "Generic",
        "any spreadsheet with these columns (dates ISO 8601, or the shop's local time)",
        {name: name for name in FIELDS if name not in ("first_name", "last_name", "line_total")},
    ),
}
# The SQL Manager query whose export the prestashop preset reads (tables prefixed ps_).
PRESTASHOP_QUERY = (
    "SELECT o.reference, c.email, c.firstname, c.lastname, o.id_customer, l.iso_code, "
    "o.date_add, o.delivery_date, d.product_reference, d.product_quantity, "
    "d.unit_price_tax_incl FROM ps_orders o "
    "JOIN ps_customer c ON c.id_customer = o.id_customer "
    "JOIN ps_lang l ON l.id_lang = o.id_lang "
    "JOIN ps_order_detail d ON d.id_order = o.id_order ORDER BY o.id_order"
)


def describe(preset: str) -> str:
    """One line for --help: the file, then each of our fields and its column."""
    found = PRESETS[preset]
    pairs = ", ".join(f"{ours}={theirs}" for ours, theirs in found.columns.items())
    return f"{preset}: {found.export}. Columns: {pairs}."
