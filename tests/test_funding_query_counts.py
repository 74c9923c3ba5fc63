"""The funding pages read with planned queries: their count does not grow with the flows."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import record_flow


def _flows(world, count, start):
    for n in range(count):
        record_flow(
            world,
            start + timedelta(days=n % 300),
            100 + n,
            receiver_organisation=world.local if n % 2 else None,
            receiver_name=f"Receiver {n}",
            country="KE" if n % 3 else "UG",
            overhead_rate=Decimal(n % 10),
            intermediaries=["One"] if n % 4 else [],
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_funding_pages_do_not_grow_with_the_flows(world):
    client = world.client_for(world.intl_viewer)
    base = f"/organisations/{world.intl.pk}/funding/"
    pages = [base + "?year=2025", base + "figures/local/?year=2025", base + "flows/",
             base + "receivers/"]  # fmt: skip
    _flows(world, 3, date(2025, 1, 1))
    few = [_queries(client, url) for url in pages]
    _flows(world, 60, date(2025, 2, 1))
    many = [_queries(client, url) for url in pages]
    assert many == few, (few, many)
    assert max(many) <= 16, many
