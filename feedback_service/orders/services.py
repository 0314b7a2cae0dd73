"""Products, customers and orders, upserted from the shop's own systems."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from feedback_service.errors import InvalidInput, NotFound
from feedback_service.i18n import normalize_locale
from feedback_service.orders.models import Customer, Order, OrderItem, Product
from feedback_service.orders.schemas import CustomerIn, OrderIn, ProductIn
from feedback_service.shops.models import Shop


async def upsert_product(shop: Shop, data: ProductIn) -> tuple[Product, bool]:
    values = data.model_dump(exclude={"sku"})
    for _ in range(2):  # a concurrent insert of the same sku: the second try updates
        product = await Product.filter(shop=shop, sku=data.sku).first()
        if product is not None:
            await product.update_from_dict(values).save()
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


async def upsert_order(shop: Shop, data: OrderIn) -> tuple[Order, bool]:
    skus = {item.sku for item in data.items}
    products = {p.sku: p for p in await Product.filter(shop=shop, sku__in=list(skus))}
    unknown = sorted(skus - products.keys())
    if unknown:
        raise InvalidInput(
            "Create the products first (POST /api/v1/products).",
            fields={"items": f"unknown sku: {', '.join(unknown[:10])}"},
        )
    async with in_transaction():
        customer = await upsert_customer(shop, data.customer)
        order = await Order.filter(shop=shop, external_id=data.id).first()
        created = order is None
        if order is None:
            order = await Order.create(
                shop=shop,
                external_id=data.id,
                customer=customer,
                ordered_at=data.ordered_at,
                delivered_at=data.delivered_at,
            )
        else:
            order.customer = customer
            order.ordered_at = data.ordered_at
            order.delivered_at = data.delivered_at
            await order.save()
            await OrderItem.filter(order=order).delete()
        await OrderItem.bulk_create(
            [
                OrderItem(
                    order=order,
                    product=products[item.sku],
                    quantity=item.quantity,
                    unit_price=item.unit_price,
                )
                for item in data.items
            ]
        )
    return order, created


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
        "customer": {
            "email": customer.email,
            "name": customer.name,
            "external_id": customer.external_id,
            "locale": customer.locale,
        },
        "ordered_at": order.ordered_at.isoformat(),
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
    }
