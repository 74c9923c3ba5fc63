"""Flows recorded by hand and taken from partnership agreements, the financial year, and the
pages that show the flows behind a figure."""

from datetime import date
from decimal import Decimal

import pytest

from counterpart.audit.models import AuditEvent
from counterpart.funding.models import Flow
from counterpart.funding.selectors import Filters, funding_overview, period
from counterpart.funding.services import flows_derive_from_agreements, funding_settings_update
from counterpart.organisations.models import OrganisationKind
from counterpart.partnerships.services import agreement_update, partnership_update
from tests.conftest import FLOW_FORM, make_org

pytestmark = pytest.mark.django_db

VALUES = {**FLOW_FORM, "intermediaries": "Country Office Kenya\n"}


def url(world, tail=""):
    return f"/organisations/{world.intl.pk}/funding/{tail}"


def test_an_editor_records_changes_and_deletes_a_flow(world):
    client = world.client_for(world.intl_editor)
    assert client.post(url(world, "flows/new/"), VALUES).status_code == 302
    flow = Flow.objects.get()
    assert flow.currency == "USD" and flow.amount == Decimal("12500.50")
    assert flow.intermediaries == ["Country Office Kenya"]
    assert flow.multi_year is None and flow.flexible is True
    assert (
        client.post(url(world, f"flows/{flow.pk}/"), {**VALUES, "amount": "13000"}).status_code
        == 302
    )
    flow.refresh_from_db()
    assert flow.amount == Decimal("13000")
    assert client.post(url(world, f"flows/{flow.pk}/delete/")).status_code == 302
    assert not Flow.objects.exists()
    events = AuditEvent.objects.filter(action__startswith="flow_").order_by("pk")
    assert [e.action for e in events] == ["flow_create", "flow_update", "flow_delete"]


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "-5"},
        {"amount": "lots"},
        {"currency": "DOLLARS"},
        {"date": "2025-02-30"},
        {"kind": "grant"},
        {"receiver_class": "review"},
        {"overhead_rate": "150"},
        {"country": "XX"},
        {"receiver_name": ""},
        {"receiver_class": ""},
        {"receiver_organisation": "999999"},
    ],
)
def test_wrong_values_are_refused_and_nothing_is_stored(world, change):
    response = world.client_for(world.intl_editor).post(
        url(world, "flows/new/"), {**VALUES, **change}
    )
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Flow.objects.exists()


def test_a_partner_on_counterpart_counts_from_its_profile(world):
    client = world.client_for(world.intl_editor)
    values = {**VALUES, "receiver_organisation": world.local.pk, "receiver_name": ""}
    assert client.post(url(world, "flows/new/"), values).status_code == 302
    flow = Flow.objects.get()
    assert flow.receiver_organisation == world.local
    metrics = funding_overview(world.intl, period(world.intl, 2025, False), Filters())["metrics"]
    assert metrics.figures["refugee_led"].share == Decimal("100.0")
    # Another organisation's members cannot pick it up by its address.
    other = world.client_for(world.outsider)
    assert other.get(url(world, f"flows/{flow.pk}/")).status_code == 404


def test_flows_from_agreements_follow_their_terms(world):
    agency = make_org("Lead Agency", OrganisationKind.MULTILATERAL, "CH")
    partnership_update(actor=world.intl_editor, partnership=world.partnership,
                       start_date=date(2025, 4, 1))  # fmt: skip
    agreement_update(
        actor=world.intl_editor,
        partnership=world.partnership,
        amount=Decimal("80000"),
        currency="USD",
        funding_type="flexible",
        multi_year=True,
        overhead_rate=Decimal("12"),
        funding_route="intermediaries",
        intermediaries=[agency],
    )
    result = flows_derive_from_agreements(actor=world.intl_editor, organisation=world.intl)
    assert result["stored"] == 1
    flow = Flow.objects.get()
    assert (flow.kind, flow.date, flow.amount, str(flow.country)) == (
        "commitment",
        date(2025, 4, 1),
        Decimal("80000.00"),
        "KE",
    )
    assert flow.intermediaries == ["Lead Agency"] and flow.receiver_organisation == world.local
    again = flows_derive_from_agreements(actor=world.intl_editor, organisation=world.intl)
    assert again["unchanged"] == 1 and again["stored"] == 0
    metrics = funding_overview(
        world.intl, period(world.intl, 2025, False), Filters(kind="commitment")
    )["metrics"]
    shares = {code: f.share for code, f in metrics.figures.items()}
    assert shares["local"] == shares["refugee_led"] == shares["flexible"] == Decimal("100.0")
    assert shares["direct_of_local"] == Decimal("100.0")  # one intermediary is still direct
    assert metrics.overhead_average == Decimal("12.0")
    # The local side of the partnership has nothing to derive: it does not fund.
    local_result = flows_derive_from_agreements(actor=world.local_editor, organisation=world.local)
    assert local_result["stored"] == 0


def test_a_financial_year_starting_in_april(world):
    funding_settings_update(
        actor=world.intl_admin, organisation=world.intl, currency="USD", fiscal_year_start=4
    )
    client = world.client_for(world.intl_editor)
    for day, amount in (("2025-03-31", "100"), ("2025-04-01", "200"), ("2026-03-31", "400")):
        client.post(url(world, "flows/new/"), {**VALUES, "date": day, "amount": amount})
    fiscal = funding_overview(world.intl, period(world.intl, 2025, True), Filters())["metrics"]
    assert fiscal.total == Decimal("600")
    calendar = funding_overview(world.intl, period(world.intl, 2025, False), Filters())["metrics"]
    assert calendar.total == Decimal("300")
    page = world.client_for(world.intl_viewer).get(url(world, "?year=2025&basis=fiscal"))
    assert "Figures for 2025–26" in page.content.decode()


def test_the_flows_behind_a_figure(world):
    client = world.client_for(world.intl_editor)
    client.post(url(world, "flows/new/"), VALUES)
    other = {"receiver_name": "Global Consultants", "receiver_class": "not_local", "amount": "500"}
    client.post(url(world, "flows/new/"), {**VALUES, **other})
    page = world.client_for(world.intl_viewer).get(url(world, "figures/local/?year=2025"))
    text = page.content.decode()
    assert "Kakuma Women&#x27;s Group" in text and "Global Consultants" in text
    assert text.count(">counted<") == 1
    assert "Country Office Kenya" in text


def test_filters_that_are_not_understood_are_named(world):
    page = world.client_for(world.intl_viewer).get(url(world, "?year=1850&kind=grant"))
    assert page.status_code == 400
    assert "Some filters were not understood" in page.content.decode()
    assert (
        world.client_for(world.intl_viewer).get(url(world, "figures/nothing/")).status_code == 404
    )
