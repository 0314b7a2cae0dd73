"""Products, customers and orders, upserted from the shop's own systems."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from feedback_service import db
from feedback_service.errors import InvalidInput, NotFound
from feedback_service.http import validated
from feedback_service.i18n import normalize_locale
from feedback_service.orders import schemas
from feedback_service.orders.models import Customer, Order, OrderItem, OrderStatus, Product
from feedback_service.orders.schemas import CustomerIn, OrderIn, ProductIn
from feedback_service.outbox import services as outbox
from feedback_service.shops.models import Shop

# The stored totals of orders (Order.amount …) from their items, then of customers
# (Customer.orders_count …) from their orders, of the customers in :ids.
_ITEMS = "FROM order_item i WHERE i.order_id = shop_order.id"
_CATEGORIES = (
    "FROM order_item i JOIN product p ON p.id = i.product_id WHERE i.order_id = shop_order.id"
)
_ORDERS = "FROM shop_order o WHERE o.shop_id = customer.shop_id AND o.customer_id = customer.id"
_REFRESH_BATCH = 1000


def _refresh_orders_sql() -> str:
    return f"""
UPDATE shop_order SET
    amount = (SELECT SUM(i.quantity * CAST(i.unit_price AS DOUBLE PRECISION)) {_ITEMS}),
    min_category = (SELECT MIN(p.category) {_CATEGORIES}),
    max_category = (SELECT MAX(p.category) {_CATEGORIES})
WHERE (shop_id, customer_id) IN (SELECT shop_id, id FROM customer
                                 WHERE {db.ops().in_list("id", ":ids")})"""


def _refresh_customers_sql() -> str:
    return f"""
UPDATE customer SET
    orders_count = (SELECT COUNT(*) {_ORDERS}),
    last_order_at = (SELECT MAX(o.ordered_at) {_ORDERS}),
    sales = (SELECT COALESCE(SUM(o.amount), 0) {_ORDERS}),
    priced_orders = (SELECT COUNT(o.amount) {_ORDERS}),
    min_category = (SELECT MIN(o.min_category) {_ORDERS}),
    max_category = (SELECT MAX(o.max_category) {_ORDERS})
WHERE {db.ops().in_list("id", ":ids")}"""


async def refresh_order_totals(customer_ids: Iterable[int]) -> None:
    """Recompute the stored totals of these customers' orders, and theirs.

    Call it in the transaction that writes their orders or items, after the writes.
    """
    ids = sorted({int(customer_id) for customer_id in customer_ids})
    for start in range(0, len(ids), _REFRESH_BATCH):
        batch = ids[start : start + _REFRESH_BATCH]
        # PostgreSQL: of two transactions writing orders of one customer, the second to
        # lock waits for the first to commit, then its UPDATE sees both orders.
        await (
            Customer.filter(id__in=batch)
            .order_by("id")
            .select_for_update()
            .values_list("id", flat=True)
        )
        await db.execute(_refresh_orders_sql(), {"ids": batch})
        await db.execute(_refresh_customers_sql(), {"ids": batch})


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
                    await refresh_order_totals(b["customer_id"] for b in buyers)
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
    changes = _apply_changes(shop, customer, data)
    if changes:
        await customer.save(update_fields=changes)
    return customer


# How far along an order is: a status only moves forward, so deliveries from a platform
# that arrive late, out of order or twice end in the same state. Cancelled and refunded win.
STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(OrderStatus)}
# The states that make the reviews domain act on the order's review request (schedule it,
# or cancel it): the order writes an "order_changed" row for the worker.
ACTS_ON_REVIEWS = frozenset(OrderStatus) - {OrderStatus.CREATED}


def utcnow() -> datetime:
    return datetime.now(UTC)


def status_of(data: OrderIn) -> OrderStatus:
    """The status an order body says: its own, or what its dates tell."""
    if data.status is not None:
        return data.status
    if data.delivered_at is not None:
        return OrderStatus.DELIVERED
    return OrderStatus.FULFILLED if data.fulfilled_at is not None else OrderStatus.CREATED


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
        ("delivered_at", delivered_at, status == OrderStatus.DELIVERED),
        ("fulfilled_at", fulfilled_at, status == OrderStatus.FULFILLED),
    ):
        if given is not None and (not stale or getattr(order, name) is None):
            setattr(order, name, given)
        elif implied and getattr(order, name) is None:
            setattr(order, name, now)


async def _orders_changed(
    shop: Shop,
    orders: list[tuple[Order, tuple[tuple[object, ...], tuple[object, ...]] | None]],
    conn: BaseDBAsyncClient | None = None,
) -> None:
    """The reviews domain schedules or cancels each order's review request in the worker:
    one outbox row per order whose state changed into one it acts on."""
    now = utcnow()
    await outbox.schedule_many(
        [
            (shop.id, "order_changed", {"order_id": order.id}, now, f"order:{order.id}")
            for order, before in orders
            if order.status in ACTS_ON_REVIEWS
            and (order.status, order.delivered_at, order.fulfilled_at)
            != (before[0] if before else (None, None, None))
        ],
        using_db=conn,
    )


async def upsert_order(
    shop: Shop, data: OrderIn, *, source: str = "api", updated_at: datetime | None = None
) -> tuple[Order, bool]:
    """Create or update one order (see upsert_orders); whether it created it."""
    return (await upsert_orders(shop, [data], source=source, updated_at=updated_at))[0]


async def upsert_batch(
    shop: Shop, items: Sequence[object], *, source: str = "api"
) -> list[schemas.OrderResult]:
    """POST /api/v1/orders/batch: each item as POST /api/v1/orders, its result in its place.

    Every item is checked first; the valid ones are then written together (upsert_orders:
    one transaction, a few queries) so an invalid item never blocks the others."""
    results: dict[int, schemas.OrderResult] = {}
    valid: list[tuple[int, OrderIn]] = []
    for index, raw in enumerate(items):
        try:
            valid.append((index, validated(OrderIn, raw)))
        except InvalidInput as exc:
            results[index] = _invalid(raw, exc)
    products = await known_products(shop, (i.sku for _, data in valid for i in data.items))
    writable = []
    for index, data in valid:
        if (error := unknown_skus(data, products)) is not None:
            results[index] = _invalid(data.model_dump(), error)
        else:
            writable.append((index, data))
    written = await upsert_orders(shop, [data for _, data in writable], source=source)
    for (index, data), (_, created) in zip(writable, written, strict=True):
        results[index] = schemas.OrderResult(id=data.id, status="created" if created else "updated")
    return [results[index] for index in range(len(items))]


def _invalid(raw: object, error: InvalidInput) -> schemas.OrderResult:
    given = raw.get("id") if isinstance(raw, dict) else None
    return schemas.OrderResult(
        id=given if isinstance(given, str) else None,
        status="invalid",
        errors=error.fields or {"body": error.message},
    )


async def known_products(shop: Shop, skus: Iterable[str]) -> dict[str, Product]:
    wanted = list(set(skus))
    found: dict[str, Product] = {}
    for start in range(0, len(wanted), _REFRESH_BATCH):
        chunk = wanted[start : start + _REFRESH_BATCH]
        found.update((p.sku, p) for p in await Product.filter(shop=shop, sku__in=chunk))
    return found


def unknown_skus(data: OrderIn, products: dict[str, Product]) -> InvalidInput | None:
    """The error of an order naming products that do not exist, or None."""
    unknown = sorted({item.sku for item in data.items} - products.keys())
    if not unknown:
        return None
    return InvalidInput(
        "Create the products first (POST /api/v1/products).",
        fields={"items": f"unknown sku: {', '.join(unknown[:10])}"},
    )


async def upsert_orders(
    shop: Shop,
    batch: Sequence[OrderIn],
    *,
    source: str = "api",
    updated_at: datetime | None = None,
) -> list[tuple[Order, bool]]:
    """Create or update orders from any source (API, batch, CSV, platform connector), their
    customers and items: one transaction, a few queries whatever their number (up to a
    thousand a call). Applied in order, as one call each would: of two with the same id the
    later wins and the first one creates it; a status only moves forward. For each, its
    order and whether it was created. Raises InvalidInput if a sku is unknown.

    `updated_at` is the platform's time of this version: an older one arriving after a newer
    changes no customer, item or date, only moves the status forward."""
    if not batch:
        return []
    products = await known_products(shop, (i.sku for data in batch for i in data.items))
    for data in batch:
        if (error := unknown_skus(data, products)) is not None:
            raise error
    for _ in range(2):  # a concurrent insert of one of them: the second try updates it
        try:
            async with in_transaction() as conn:
                return await _write_orders(shop, batch, products, source, updated_at, conn)
        except (IntegrityError, TransactionManagementError):
            continue
    raise InvalidInput("The orders could not be saved; try again.")


async def _write_orders(
    shop: Shop,
    batch: Sequence[OrderIn],
    products: dict[str, Product],
    source: str,
    updated_at: datetime | None,
    conn: BaseDBAsyncClient,
) -> list[tuple[Order, bool]]:
    # The ORM's IN lists of up to a thousand values, planned with them.
    await db.plan_with_values()
    ids = list(dict.fromkeys(data.id for data in batch))
    # Locked: two deliveries of one order apply one after the other (PostgreSQL).
    orders = {
        o.external_id: o
        for o in await Order.filter(shop=shop, external_id__in=ids)
        .select_for_update()
        .using_db(conn)
    }
    before = {key: _state(order) for key, order in orders.items()}
    # A platform's older version arriving after a newer one only moves the status forward.
    stale = {
        key
        for key, o in orders.items()
        if updated_at and o.source_updated_at and updated_at < o.source_updated_at
    }
    current = [data for data in batch if data.id not in stale]
    customers = await _upsert_customers(shop, [data.customer for data in current], conn)
    # An order may move from one customer to another: both totals change.
    totals_of = {o.customer_id for o in orders.values()}
    for data in batch:  # in order, as one call each would
        order = orders.get(data.id)
        if order is None:
            order = orders[data.id] = Order(
                shop=shop,
                external_id=data.id,
                customer_id=customers[data.customer.email.lower()].id,
                ordered_at=data.ordered_at,
                source=source,
                number=data.number,
                source_updated_at=updated_at,
            )
        _advance(
            order,
            status_of(data),
            delivered_at=data.delivered_at,
            fulfilled_at=data.fulfilled_at,
            stale=data.id in stale,
        )
        if data.id in stale:
            continue
        order.customer_id = customers[data.customer.email.lower()].id
        order.ordered_at = data.ordered_at
        order.number = data.number or order.number
        order.source_updated_at = updated_at or order.source_updated_at
    changed = [o for key, o in orders.items() if key in before and _row(o) != before[key][1]]
    if changed:  # a sync mostly sends orders again unchanged: no UPDATE for those
        await Order.bulk_update(changed, fields=list(_ROW_FIELDS), using_db=conn)
    replaced = [key for key in ids if key not in stale]  # their items are the body's
    if kept := [orders[key].id for key in replaced if key in before]:
        await OrderItem.filter(order_id__in=kept).using_db(conn).delete()
    new = [orders[key] for key in ids if key not in before]
    if new:
        await Order.bulk_create(new, using_db=conn)
        created = Order.filter(shop=shop, external_id__in=[o.external_id for o in new])
        orders.update((o.external_id, o) for o in await created.using_db(conn))
    latest = {data.id: data for data in batch}
    await OrderItem.bulk_create(
        [
            OrderItem(
                order_id=orders[key].id,
                product_id=products[item.sku].id,
                quantity=item.quantity,
                unit_price=item.unit_price,
            )
            for key in replaced
            for item in latest[key].items
        ],
        using_db=conn,
    )
    totals_of.update(o.customer_id for o in orders.values())
    await refresh_order_totals(totals_of)
    await _orders_changed(shop, [(orders[key], before.get(key)) for key in ids], conn)
    results = []
    fresh = {o.external_id for o in new}
    for data in batch:
        results.append((orders[data.id], data.id in fresh))
        fresh.discard(data.id)
    return results


# What an order row holds that a body can change (compared to skip unchanged rows).
_ROW_FIELDS = (
    "customer_id",
    "ordered_at",
    "delivered_at",
    "fulfilled_at",
    "status",
    "number",
    "source_updated_at",
)


def _row(order: Order) -> tuple[object, ...]:
    return tuple(getattr(order, name) for name in _ROW_FIELDS)


def _state(order: Order) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """What the reviews domain acts on, and the whole row, as they were before a write."""
    return (order.status, order.delivered_at, order.fulfilled_at), _row(order)


async def _upsert_customers(
    shop: Shop, batch: Sequence[CustomerIn], conn: BaseDBAsyncClient
) -> dict[str, Customer]:
    """The customers of these emails, created or updated as upsert_customer does, in order."""
    emails = list(dict.fromkeys(str(data.email).lower() for data in batch))
    if not emails:
        return {}
    found = {c.email: c for c in await Customer.filter(shop=shop, email__in=emails).using_db(conn)}
    new: dict[str, Customer] = {}
    changed: dict[str, Customer] = {}
    for data in batch:
        email = str(data.email).lower()
        customer = found.get(email)
        if customer is None:
            customer = found[email] = new[email] = Customer(
                shop=shop,
                email=email,
                name=data.name or "",
                external_id=data.external_id,
                locale=normalize_locale(data.locale, default=shop.locale),
            )
            continue
        if _apply_changes(shop, customer, data) and email not in new:
            changed[email] = customer
    if changed:
        await Customer.bulk_update(
            changed.values(), fields=["name", "external_id", "locale"], using_db=conn
        )
    if new:
        await Customer.bulk_create(new.values(), using_db=conn)
        created = Customer.filter(shop=shop, email__in=list(new)).using_db(conn)
        found.update((c.email, c) for c in await created)
    return found


def _apply_changes(shop: Shop, customer: Customer, data: CustomerIn) -> list[str]:
    """Set what `data` gives (None keeps the stored value); the fields that changed."""
    given = {
        "name": data.name,
        "external_id": data.external_id,
        "locale": normalize_locale(data.locale, default=shop.locale) if data.locale else None,
    }
    changes = {k: v for k, v in given.items() if v is not None and getattr(customer, k) != v}
    customer.update_from_dict(changes)
    return list(changes)


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
        before = _state(order)
        _advance(
            order,
            status,
            delivered_at=at if status == OrderStatus.DELIVERED else None,
            fulfilled_at=at if status == OrderStatus.FULFILLED else None,
            stale=True,  # an event's date fills a missing one, never replaces
        )
        await order.save(using_db=conn)
        await _orders_changed(shop, [(order, before)], conn)
    return order


async def webhook_contact(customer_id: int | None) -> dict[str, str | None] | None:
    """What a CRM needs to match the contact of a webhook event: email and external id."""
    if customer_id is None:
        return None
    row = await Customer.filter(id=customer_id).values("email", "external_id")
    return {"email": row[0]["email"], "external_id": row[0]["external_id"]} if row else None


def rating_of(product: Product) -> schemas.Rating:
    """Average and count of the published reviews, kept on the product row."""
    counts = {int(k): v for k, v in (product.rating_counts or {}).items()}
    count = sum(counts.values())
    value = round(sum(k * v for k, v in counts.items()) / count, 2) if count else None
    return schemas.Rating(value=value, count=count)


def product_out(product: Product) -> schemas.Product:
    return schemas.Product(
        sku=product.sku,
        name=product.name,
        url=product.url,
        image_url=product.image_url,
        brand=product.brand,
        gtin=product.gtin,
        category=product.category,
        rating=rating_of(product),
    )


def order_out(order: Order, customer: Customer) -> schemas.Order:
    return schemas.Order.model_validate(
        {
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
            "ordered_at": order.ordered_at,
            "fulfilled_at": order.fulfilled_at,
            "delivered_at": order.delivered_at,
        }
    )


async def order_detail(shop: Shop, external_id: str) -> tuple[Order, list[schemas.OrderItem]]:
    """GET /api/v1/orders/{id}: the order (its customer loaded) and its items."""
    order = (
        await Order.filter(shop=shop, external_id=external_id).select_related("customer").first()
    )
    if order is None:
        raise NotFound(f"No order with id {external_id!r}.")
    items = await OrderItem.filter(order=order).select_related("product").order_by("id")
    return order, [
        schemas.OrderItem(
            sku=item.product.sku,
            name=item.product.name,
            quantity=item.quantity,
            unit_price=_price(item.unit_price),
        )
        for item in items
    ]


def _price(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
