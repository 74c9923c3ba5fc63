"""Funding through the API: the flows of one's organisations and the localisation figures,
the same as the funding page."""

from decimal import Decimal

from .conftest import api_client, record_flow


def _flows(world):
    record_flow(
        world,
        "2025-02-01",
        "60000",
        receiver_name="Camp Youth Network",
        receiver_class="rlo",
        flexible=True,
    )
    record_flow(
        world,
        "2025-03-01",
        "20000",
        receiver_name="Kisumu Health Alliance",
        intermediaries=["Country Office", "Lead"],
    )
    record_flow(
        world,
        "2025-04-01",
        "20000",
        receiver_name="Big Consulting Ltd",
        receiver_class="not_local",
        country="KE",
    )
    record_flow(world, "2024-04-01", "5000")  # another year
    record_flow(world, "2025-05-01", "1000", kind="commitment")  # fmt: skip


def test_metrics_of_a_year_match_what_was_recorded(world):
    _flows(world)
    response = api_client(world.intl_viewer).get(
        f"/api/organisations/{world.intl.pk}/metrics/?year=2025"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == "2025" and body["currency"] == "USD"
    assert Decimal(body["total"]) == Decimal("100000")
    figures = {f["code"]: f for f in body["figures"]}
    assert Decimal(figures["local"]["share"]) == Decimal("80.0")  # 80 000 of 100 000
    # A share of the funds passed to partners is never compared with the 25 % target.
    assert figures["local"]["meets_target"] is None and figures["local"]["target"] is None
    # Grand Bargain 2.4: without the humanitarian funding entered there is no share.
    assert figures["grand_bargain"]["share"] is None
    assert figures["grand_bargain"]["meets_target"] is None
    assert Decimal(figures["refugee_led"]["share"]) == Decimal("60.0")
    assert Decimal(figures["direct_of_all"]["share"]) == Decimal("60.0")  # two intermediaries
    assert Decimal(figures["flexible"]["share"]) == Decimal("60.0")
    assert figures["local"]["label"] == "Local share of funds passed to partners"
    commitments = api_client(world.intl_viewer).get(
        f"/api/organisations/{world.intl.pk}/metrics/?year=2025&kind=commitment"
    )
    assert Decimal(commitments.json()["total"]) == Decimal("1000")


def test_flows_are_listed_for_members_only_and_filter_by_date(world):
    _flows(world)
    client = api_client(world.intl_viewer)
    rows = client.get("/api/flows/?date_after=2025-01-01&kind=disbursement").json()["results"]
    assert [r["receiver_name"] for r in rows] == [
        "Big Consulting Ltd",
        "Kisumu Health Alliance",
        "Camp Youth Network",
    ]
    kisumu = rows[1]
    assert kisumu["intermediaries"] == ["Country Office", "Lead"]
    assert kisumu["amount"] == "20000.00" and kisumu["currency"] == "USD"
    assert api_client(world.local_admin).get("/api/flows/").json()["count"] == 0
    assert (
        api_client(world.outsider).get(f"/api/organisations/{world.intl.pk}/metrics/").status_code
        == 404
    )


def test_a_wrong_year_or_country_is_refused_with_field_messages(world):
    response = api_client(world.intl_viewer).get(
        f"/api/organisations/{world.intl.pk}/metrics/?year=abc&country=kenya"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"year", "country"}
