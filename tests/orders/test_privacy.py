"""GDPR export and erasure: afterwards nothing holds the customer's email."""

from __future__ import annotations

import httpx
from review_helpers import order_with_request, product_ids
from tortoise import connections


async def test_export_then_erase_leaves_no_trace(
    api: httpx.AsyncClient, table_names: list[str]
) -> None:
    created = await order_with_request(api, "GDPR-1")
    email = "gdpr-1@example.fr"
    form = await api.get(created["url"])
    first, _ = product_ids(form.text)
    await api.post(
        created["url"],
        data={
            f"{first}_rating": "1",
            f"{first}_body": f"Écrivez-moi : {email}",
            "display_name": "Marie C.",
            "consent": "yes",
        },
    )
    inv = (
        await api.post("/api/v1/invitations", json={"survey": "nps", "customer": {"email": email}})
    ).json()
    await api.post(f"/s/{inv['token']}/comment", data={"comment": "Bof", "score": "3"})
    await api.post(inv["unsubscribe_url"])

    exported = await api.get(f"/api/v1/customers/{email}/export")
    assert exported.status_code == 200
    data = exported.json()
    assert data["customer"]["email"] == email and data["orders"][0]["id"] == "GDPR-1"
    assert data["responses"][0]["comment"] == "Bof" and len(data["reviews"]) == 1

    assert (await api.delete(f"/api/v1/customers/{email}")).status_code == 204
    conn = connections.get("default")
    for table in table_names:
        rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')
        for row in rows:
            assert email not in str(row).lower(), (table, row)
            assert "marie" not in str(row).lower(), (table, row)
    assert (await api.get(f"/api/v1/customers/{email}/export")).status_code == 404
    # The scores stay for the shop's statistics.
    responses = (await api.get("/api/v1/responses")).json()["items"]
    assert [r["score"] for r in responses] == [3]


async def test_other_shops_cannot_export(api: httpx.AsyncClient) -> None:
    from feedback_service.shops.services import create_shop

    await order_with_request(api, "GDPR-2")
    _, key = await create_shop("Other", "other")
    answer = await api.get(
        "/api/v1/customers/gdpr-2@example.fr/export", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 404
