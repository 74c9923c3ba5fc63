"""An organisation's funding flows as XLSX and CSV: every flow as recorded, found like the flow
list finds them, with its value in the figures currency and what its receiver counts as."""

import datetime
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse

from counterpart.funding.services import exchange_rate_save, funding_settings_update
from counterpart.organisations.models import OrganisationKind

from .conftest import make_org, record_flow
from .export_reading import as_dicts, export_url, read_csv, read_xlsx


def _export(world, fmt="csv", query="", user=None):
    client = world.client_for(user or world.intl_viewer)
    return client.get(export_url("export_flows", fmt, query, organisation_id=world.intl.pk))


def _flows(world):
    exchange_rate_save(
        actor=world.intl_editor,
        organisation=world.intl,
        currency="EUR",
        valid_from="2025-01-01",
        rate=Decimal("1.10"),
    )
    to_partner = record_flow(
        world,
        "2025-03-01",
        "1000",
        currency="EUR",
        receiver_organisation=world.local,
        country="KE",
        flexible=True,
        multi_year=False,
        overhead_rate=Decimal("12.50"),
        intermediaries=["Regional Office", "National Consortium"],
        note="First tranche",
    )
    affiliate = make_org("Global Aid Kenya", OrganisationKind.NATIONAL_NGO, "KE")
    affiliate.affiliate_of = world.intl
    affiliate.save()
    to_affiliate = record_flow(world, "2025-05-10", "250.75", receiver_organisation=affiliate)
    unknown = record_flow(
        world,
        "2024-12-31",
        "90",
        currency="GBP",
        receiver_name="Hope Clinic",
        receiver_class="review",
    )
    return to_partner, to_affiliate, unknown


def test_every_flow_with_codes_labels_and_its_value(world):
    to_partner, to_affiliate, unknown = _flows(world)
    response = _export(world)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="counterpart-global-aid-partners-funding-flows.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == [
        "Flow ID",
        "Date",
        "Value date",
        "Kind code",
        "Kind",
        "Provider",
        "Receiver",
        "Receiver's IATI identifier",
        "On Counterpart",
        "Receiver counts as code",
        "Receiver counts as",
        "Amount",
        "Currency",
        "Value in USD",
        "Country code",
        "Country",
        "Humanitarian",
        "Flexible (unearmarked)",
        "Multi-year (24 months or more)",
        "Overhead (indirect cost) rate covered, %",
        "Intermediaries",
        "Partnership",
        "Source code",
        "Source",
        "Note",
    ]
    rows = as_dicts(rows)
    # Newest first, as in the list.
    assert [r["Flow ID"] for r in rows] == [str(f.pk) for f in (to_affiliate, to_partner, unknown)]
    affiliate, partner, clinic = rows
    assert partner["Date"] == "2025-03-01" and partner["Value date"] == ""
    assert (partner["Kind code"], partner["Kind"]) == ("disbursement", "Disbursement")
    assert partner["Receiver"] == "Camp Youth Network" and partner["On Counterpart"] == "true"
    assert (partner["Receiver counts as code"], partner["Receiver counts as"]) == (
        "rlo",
        "Local refugee-led organisation",
    )
    assert (partner["Amount"], partner["Currency"]) == ("1000.00", "EUR")
    assert partner["Value in USD"] == "1100.00"
    assert (partner["Country code"], partner["Country"]) == ("KE", "Kenya")
    assert (partner["Flexible (unearmarked)"], partner["Multi-year (24 months or more)"]) == (
        "true",
        "false",
    )
    assert partner["Humanitarian"] == ""
    assert partner["Overhead (indirect cost) rate covered, %"] == "12.50"
    assert partner["Intermediaries"] == "Regional Office; National Consortium"
    assert (partner["Source code"], partner["Source"]) == ("manual", "Entered by hand")
    assert partner["Note"] == "First tranche"
    # An international organisation's affiliate is not local, whatever its kind.
    assert affiliate["Receiver"] == "Global Aid Kenya"
    assert affiliate["Receiver counts as code"] == "not_local"
    assert affiliate["Value in USD"] == "250.75"
    # No rate for pounds: no value, rather than a wrong one.
    assert clinic["Receiver"] == "Hope Clinic" and clinic["On Counterpart"] == "false"
    assert (clinic["Receiver counts as code"], clinic["Receiver counts as"]) == (
        "review",
        "Waiting for a person to decide",
    )
    assert clinic["Value in USD"] == ""


def test_the_workbook_holds_dates_and_amounts_as_such(world):
    _flows(world)
    response = _export(world, "xlsx")
    assert isinstance(response, FileResponse)
    (rows,) = read_xlsx(response).values()
    header, first = rows[0], rows[1]
    assert first[header.index("Date")] == datetime.datetime(2025, 5, 10)
    assert first[header.index("Amount")] == 250.75
    assert first[header.index("On Counterpart")] is True


def test_the_list_filters_apply(world):
    to_partner, _to_affiliate, unknown = _flows(world)
    rows = as_dicts(read_csv(_export(world, query="?q=clinic")))
    assert [r["Flow ID"] for r in rows] == [str(unknown.pk)]
    assert as_dicts(read_csv(_export(world, query="?source=iati"))) == []
    assert len(as_dicts(read_csv(_export(world, query="?source=manual")))) == 3
    # A source that does not exist is ignored, as on the list.
    assert len(as_dicts(read_csv(_export(world, query="?source=bogus")))) == 3


def test_the_figures_currency_is_the_organisations(world):
    _flows(world)
    funding_settings_update(
        actor=world.intl_admin, organisation=world.intl, currency="EUR", fiscal_year_start=1
    )
    rows = read_csv(_export(world))
    assert "Value in EUR" in rows[0]
    partner = as_dicts(rows)[1]
    assert partner["Value in EUR"] == "1000.00"


def test_labels_in_french(world):
    _flows(world)
    rows = as_dicts(read_csv(_export(world, query="?lang=fr")))
    assert rows[1]["Type"] == "Versement"  # "Kind"
    assert rows[1]["Source"] == "Saisi à la main"
    assert rows[1]["Pays"] == "Kenya"


def test_only_members_download_the_flows(world):
    _flows(world)
    assert _export(world, user=world.intl_viewer).status_code == 200
    for user in (world.local_admin, world.outsider):
        assert _export(world, "xlsx", user=user).status_code == 404
