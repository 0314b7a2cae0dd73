"""Products, customers and orders, upserted from the shop's own systems."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import normalize_locale
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.schemas import CustomerIn, OrderIn, ProductIn
from feedback_service.outbox import services as outbox
from feedback_service.shops.models import Shop

# The stored totals of orders (Order.amount …) from their items, then of customers
# (Customer.orders_count …) from their orders; plain SQL for both engines.
_ITEMS = "FROM order_item i WHERE i.order_id = shop_order.id"
_CATEGORIES = (
    "FROM order_item i JOIN product p ON p.id = i.product_id WHERE i.order_id = shop_order.id"
)
_REFRESH_ORDERS = f"""
UPDATE shop_order SET
    amount = (SELECT SUM(i.quantity * CAST(i.unit_price AS DOUBLE PRECISION)) {_ITEMS}),
    min_category = (SELECT MIN(p.category) {_CATEGORIES}),
    max_category = (SELECT MAX(p.category) {_CATEGORIES})
WHERE (shop_id, customer_id) IN (SELECT shop_id, id FROM customer WHERE id IN ({{ids}}))"""
_ORDERS = "FROM shop_order o WHERE o.shop_id = customer.shop_id AND o.customer_id = customer.id"
_REFRESH_CUSTOMERS = f"""
UPDATE customer SET
    orders_count = (SELECT COUNT(*) {_ORDERS}),
    last_order_at = (SELECT MAX(o.ordered_at) {_ORDERS}),
    sales = (SELECT COALESCE(SUM(o.amount), 0) {_ORDERS}),
    priced_orders = (SELECT COUNT(o.amount) {_ORDERS}),
    min_category = (SELECT MIN(o.min_category) {_ORDERS}),
    max_category = (SELECT MAX(o.max_category) {_ORDERS})
WHERE id IN ({{ids}})"""
_REFRESH_BATCH = 1000


async def refresh_order_totals(
    customer_ids: Iterable[int], *, using: BaseDBAsyncClient | None = None
) -> None:
    """Recompute the stored totals of these customers' orders, and theirs.

    Call it in the transaction that writes their orders or items, after the writes.
    """
    ids = sorted({int(customer_id) for customer_id in customer_ids})
    conn = using or connections.get("default")
    for start in range(0, len(ids), _REFRESH_BATCH):
        batch = ids[start : start + _REFRESH_BATCH]
        # PostgreSQL: of two transactions writing orders of one customer, the second to
        # lock waits for the first to commit, then its UPDATE sees both orders.
        await (
            Customer.filter(id__in=batch)
            .order_by("id")
            .select_for_update()
            .using_db(conn)
            .values_list("id", flat=True)
        )
        ids_list = ", ".join(map(str, batch))
        await conn.execute_query(_REFRESH_ORDERS.format(ids=ids_list))
        await conn.execute_query(_REFRESH_CUSTOMERS.format(ids=ids_list))


async def upsert_product(shop: Shop, data: ProductIn) -> tuple[Product, bool]:
    values = data.model_dump(exclude={"sku"})
    for _ in range(2):  # a concurrent insert of the same sku: the second try updates
        product = await Product.filter(shop=shop, sku=data.sku).first()
        if product is not None:
            async with in_transaction() as conn:
                category = product.category
                await product.update_from_dict(values).save(using_db=conn)
                if product.category != category:
                    # The categories its buyers bought from are stored with them.
                    buyers = await (
                        Order.filter(items__product_id=product.id)
                        .using_db(conn)
                        .distinct()
                        .values("customer_id")
                    )
                    await refresh_order_totals((b["customer_id"] for b in buyers), using=conn)
            return product, False
        try:
            return await Product.create(shop=shop, sku=data.sku, **values), True
        except IntegrityError:
            continue
    raise InvalidInput("The product could not be saved; try again.")


async def get_product(shop: Shop, sku: str) -> Product:
    product = await Product.filter(shop=shop, sku=sku).first()
    if product is None:
        raise NotFound(f"No product with sku {sku!r}.")
    return product


async def upsert_customer(shop: Shop, data: CustomerIn) -> Customer:
    email = str(data.email).lower()
    locale = normalize_locale(data.locale, default=shop.locale)
    customer = await Customer.filter(shop=shop, email=email).first()
    if customer is None:
        try:
            return await Customer.create(
                shop=shop,
                email=email,
                name=data.name or "",
                external_id=data.external_id,
                locale=locale,
            )
        except IntegrityError:
            customer = await Customer.get(shop=shop, email=email)
    changes: dict[str, object] = {}
    if data.name is not None:
        changes["name"] = data.name
    if data.external_id is not None:
        changes["external_id"] = data.external_id
    if data.locale is not None:
        changes["locale"] = locale
    if changes:
        await customer.update_from_dict(changes).save(update_fields=list(changes))
    return customer


# How far along an order is: a status only moves forward, so deliveries from a platform
# that arrive late, out of order or twice end in the same state. Cancelled and refunded win.
STATUS_RANK = {"created": 0, "fulfilled": 1, "delivered": 2, "cancelled": 3, "refunded": 4}
# The states that make the reviews domain act on the order's review request (schedule it,
# or cancel it): the order writes an "order_changed" row for the worker.
ACTS_ON_REVIEWS = frozenset({"fulfilled", "delivered", "cancelled", "refunded"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def status_of(data: OrderIn) -> str:
    """The status an order body says: its own, or what its dates tell."""
    if data.status is not None:
        return data.status
    if data.delivered_at is not None:
        return "delivered"
    return "fulfilled" if data.fulfilled_at is not None else "created"


def _advance(
    order: Order,
    status: str,
    *,
    delivered_at: datetime | None,
    fulfilled_at: datetime | None,
    stale: bool,
) -> None:
    """Move the order's state forward: a later status wins; a date given by a current
    body replaces the stored one, a date from a stale body (or the moment we learned of
    it) only fills a missing one."""
    if STATUS_RANK[status] > STATUS_RANK[order.status]:
        order.status = status
    now = utcnow()
    for name, given, implied in (
        ("delivered_at", delivered_at, status == "delivered"),
        ("fulfilled_at", fulfilled_at, status == "fulfilled"),
    ):
        if given is not None and (not stale or getattr(order, name) is None):
            setattr(order, name, given)
        elif implied and getattr(order, name) is None:
            setattr(order, name, now)


async def _order_changed(shop: Shop, order: Order, before: tuple[object, ...]) -> None:
    """The reviews domain schedules or cancels the order's review request in the worker."""
    after = (order.status, order.delivered_at, order.fulfilled_at)
    if after != before and order.status in ACTS_ON_REVIEWS:
        await outbox.schedule(
            shop, "order_changed", {"order_id": order.id}, utcnow(), subject=f"order:{order.id}"
        )


async def upsert_order(
    shop: Shop, data: OrderIn, *, source: str = "api", updated_at: datetime | None = None
) -> tuple[Order, bool]:
    """Create or update an order from any source (API, batch, CSV, platform connector).

    `updated_at` is the platform's time of this version: an older one arriving after a newer
    changes no customer, item or date, only moves the status forward.
    """
    skus = {item.sku for item in data.items}
    products = {p.sku: p for p in await Product.filter(shop=shop, sku__in=list(skus))}
    unknown = sorted(skus - products.keys())
    if unknown:
        raise InvalidInput(
            "Create the products first (POST /api/v1/products).",
            fields={"items": f"unknown sku: {', '.join(unknown[:10])}"},
        )
    for _ in range(2):  # the same new order written twice at once: the second try updates
        try:
            return await _write_order(shop, data, products, source, updated_at)
        except (IntegrityError, TransactionManagementError):
            continue
    raise InvalidInput("The order could not be saved; try again.")


async def _write_order(
    shop: Shop,
    data: OrderIn,
    products: dict[str, Product],
    source: str,
    updated_at: datetime | None,
) -> tuple[Order, bool]:
    async with in_transaction() as conn:
        # Locked: two deliveries of one order apply one after the other (PostgreSQL).
        order = (
            await Order.filter(shop=shop, external_id=data.id)
            .select_for_update()
            .using_db(conn)
            .first()
        )
        created = order is None
        before: tuple[object, ...] = (None, None, None)
        stale = False
        if order is None:
            customer = await upsert_customer(shop, data.customer)
            order = Order(
                shop=shop,
                external_id=data.id,
                customer=customer,
                ordered_at=data.ordered_at,
                source=source,
                number=data.number,
                source_updated_at=updated_at,
            )
            customers = {customer.id}
        else:
            before = (order.status, order.delivered_at, order.fulfilled_at)
            last = order.source_updated_at
            stale = updated_at is not None and last is not None and updated_at < last
            customers = {order.customer_id}
        _advance(
            order,
            status_of(data),
            delivered_at=data.delivered_at,
            fulfilled_at=data.fulfilled_at,
            stale=stale,
        )
        if not created and not stale:
            # The order may move from one customer to another: both totals change.
            customer = await upsert_customer(shop, data.customer)
            customers.add(customer.id)
            order.customer = customer
            order.ordered_at = data.ordered_at
            order.number = data.number or order.number
            order.source_updated_at = updated_at or order.source_updated_at
        await order.save(using_db=conn)
        if not stale:
            if not created:
                await OrderItem.filter(order=order).using_db(conn).delete()
            await OrderItem.bulk_create(
                [
                    OrderItem(
                        order=order,
                        product=products[item.sku],
                        quantity=item.quantity,
                        unit_price=item.unit_price,
                    )
                    for item in data.items
                ],
                using_db=conn,
            )
            await refresh_order_totals(customers, using=conn)
        await _order_changed(shop, order, before)
    return order, created


async def advance_order(
    shop: Shop, external_id: str, status: str, at: datetime | None = None
) -> Order:
    """A status event about a known order (a platform's fulfilment or delivery)."""
    async with in_transaction() as conn:
        order = (
            await Order.filter(shop=shop, external_id=external_id)
            .select_for_update()
            .using_db(conn)
            .first()
        )
        if order is None:
            raise NotFound(f"No order {external_id!r} yet.")
        before = (order.status, order.delivered_at, order.fulfilled_at)
        _advance(
            order,
            status,
            delivered_at=at if status == "delivered" else None,
            fulfilled_at=at if status == "fulfilled" else None,
            stale=True,  # an event's date fills a missing one, never replaces
        )
        await order.save(using_db=conn)
        await _order_changed(shop, order, before)
    return order


async def webhook_contact(customer_id: int | None) -> dict[str, str | None] | None:
    """What a CRM needs to match the contact of a webhook event: email and external id."""
    if customer_id is None:
        return None
    row = await Customer.filter(id=customer_id).values("email", "external_id")
    return {"email": row[0]["email"], "external_id": row[0]["external_id"]} if row else None


def rating_of(product: Product) -> dict[str, object]:
    """Average and count of the published reviews, kept on the product row."""
    counts = {int(k): v for k, v in (product.rating_counts or {}).items()}
    count = sum(counts.values())
    value = round(sum(k * v for k, v in counts.items()) / count, 2) if count else None
    return {"value": value, "count": count}


def product_json(product: Product) -> dict[str, object]:
    return {
        "sku": product.sku,
        "name": product.name,
        "url": product.url,
        "image_url": product.image_url,
        "brand": product.brand,
        "gtin": product.gtin,
        "category": product.category,
        "rating": rating_of(product),
    }


def order_json(order: Order, customer: Customer) -> dict[str, object]:
    return {
        "id": order.external_id,
        "number": order.number,
        "customer": {
            "email": customer.email,
            "name": customer.name,
            "external_id": customer.external_id,
            "locale": customer.locale,
        },
        "status": order.status,
        "source": order.source,
        "ordered_at": order.ordered_at.isoformat(),
        "fulfilled_at": order.fulfilled_at.isoformat() if order.fulfilled_at else None,
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
    }


async def order_detail(shop: Shop, external_id: str) -> tuple[Order, dict[str, object]]:
    """GET /api/v1/orders/{id}: the order with its customer and items."""
    order = (
        await Order.filter(shop=shop, external_id=external_id).select_related("customer").first()
    )
    if order is None:
        raise NotFound(f"No order with id {external_id!r}.")
    items = await OrderItem.filter(order=order).select_related("product").order_by("id")
    return order, {
        **order_json(order, order.customer),
        "items": [
            {
                "sku": item.product.sku,
                "name": item.product.name,
                "quantity": item.quantity,
                "unit_price": _price(item.unit_price),
            }
            for item in items
        ],
    }


def _price(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
