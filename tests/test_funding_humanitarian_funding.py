"""The organisation's humanitarian funding per year, entered by an editor, gives the Grand
Bargain local share on the funding page; without it the page says what is missing."""

from decimal import Decimal

import pytest

from counterpart.audit.models import AuditEvent
from counterpart.funding.models import HumanitarianFunding
from tests.conftest import record_flow


def url(world, tail=""):
    return f"/organisations/{world.intl.pk}/funding/{tail}"


def test_without_humanitarian_funding_the_page_says_what_is_missing(world):
    # Domain brief: without the denominator there is no share and no verdict.
    record_flow(world, "2025-03-01", "1000000")
    page = world.client_for(world.intl_viewer).get(url(world, "?year=2025")).content.decode()
    assert "Enter your humanitarian funding for 2025 to see the Grand Bargain share." in page
    assert "target of 25 % reached" not in page and "below the Grand Bargain target" not in page
    # The share of funds passed to partners stays, under its own name, with no verdict.
    assert "Local share of funds passed to partners" in page
    assert "100.0 %" in page


def test_an_editor_enters_it_and_the_grand_bargain_share_follows(world):
    # Grand Bargain 2.4: 10 M humanitarian funding with 1 M to local partners gives 10 %.
    record_flow(world, "2025-03-01", "1000000")
    client = world.client_for(world.intl_editor)
    response = client.post(
        url(world, "humanitarian/"),
        {"year": "2025", "amount": "10000000", "currency": "usd", "source_note": "Accounts"},
    )
    assert response.status_code == 302
    saved = HumanitarianFunding.objects.get(organisation=world.intl, year=2025)
    assert saved.amount == Decimal("10000000") and saved.currency == "USD"
    event = AuditEvent.objects.get(action="humanitarian_funding_save")
    assert event.organisation_id == world.intl.pk
    page = client.get(url(world, "?year=2025")).content.decode()
    assert "10.0 %" in page
    assert "below the Grand Bargain target of 25 %" in page
    assert "Enter your humanitarian funding for 2025" not in page
    figure = client.get(url(world, "figures/grand_bargain/?year=2025"))
    assert figure.status_code == 200


def test_another_currency_is_valued_with_the_organisations_rates(world):
    # Domain brief: valued with the organisation's exchange rates, as the other figures are.
    record_flow(world, "2025-03-01", "300000")
    client = world.client_for(world.intl_editor)
    client.post(
        url(world, "humanitarian/"), {"year": "2025", "amount": "1000000", "currency": "EUR"}
    )
    page = client.get(url(world, "?year=2025")).content.decode()
    assert "There is no exchange rate from EUR to USD on" in page
    client.post(
        url(world, "rates/"), {"currency": "EUR", "valid_from": "2025-01-01", "rate": "1.2"}
    )
    page = client.get(url(world, "?year=2025")).content.decode()
    assert "25.0 %" in page  # 300 000 of 1 200 000 USD
    assert "Grand Bargain target of 25 % reached" in page


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "lots"},
        {"year": "20"},
        {"currency": "DOLLARS"},
    ],
)
def test_bad_values_are_refused_with_a_clear_message(world, change):
    values = {"year": "2025", "amount": "1000", "currency": "USD", **change}
    response = world.client_for(world.intl_editor).post(url(world, "humanitarian/"), values)
    assert response.status_code == 400
    page = response.content.decode()
    assert any(
        message in page
        for message in (
            "Enter the humanitarian funding as an amount greater than zero.",
            "Enter the year as four digits, from 1990 to 2100.",
            "Enter a three-letter currency code, such as USD.",
        )
    )
    assert not HumanitarianFunding.objects.exists()


def test_only_an_editor_of_the_organisation_enters_it(world):
    values = {"year": "2025", "amount": "1000", "currency": "USD"}
    for person in (world.intl_viewer, world.outsider, world.local_admin):
        response = world.client_for(person).post(url(world, "humanitarian/"), values)
        assert response.status_code in (403, 404), person
    assert not HumanitarianFunding.objects.exists()
    page = world.client_for(world.intl_viewer).get(url(world)).content.decode()
    assert "Save the humanitarian funding" not in page
