"""Exchange rates entered or uploaded: each flow is valued at the rate in force on its date, and
a flow with no rate is left out and listed, never guessed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from counterpart.funding.models import ExchangeRate
from counterpart.funding.selectors import Filters, funding_overview, period
from tests.conftest import import_funding_file, record_flow

pytestmark = pytest.mark.django_db


def url(world, tail=""):
    return f"/organisations/{world.intl.pk}/funding/{tail}"


def test_each_flow_is_valued_at_the_rate_in_force_on_its_date(world):
    client = world.client_for(world.intl_editor)
    for valid_from, rate in (("2025-01-01", "1.05"), ("2025-07-01", "1.10")):
        response = client.post(
            url(world, "rates/"), {"currency": "eur", "valid_from": valid_from, "rate": rate}
        )
        assert response.status_code == 302
    record_flow(world, date(2025, 6, 30), "1000", currency="EUR")  # 1 050 USD
    record_flow(world, date(2025, 7, 1), "1000", currency="EUR")  # 1 100 USD
    record_flow(world, date(2025, 3, 1), "50000", currency="KES")  # no rate: left out and listed
    metrics = funding_overview(world.intl, period(world.intl, 2025, False), Filters())["metrics"]
    assert metrics.total == Decimal("2150.00")
    assert len(metrics.no_rate) == 1
    page = client.get(url(world, "figures/no_rate/?year=2025")).content.decode()
    assert "50,000.00 KES" in page and "no rate" in page


def test_rates_from_a_file_with_a_bad_row(world):
    content = b"currency,valid_from,rate\nEUR,2025-01-01,1.08\nGBP,2025-01-01,-2\nKES,soon,0.0077\n"
    response = world.client_for(world.intl_editor).post(
        url(world, "rates/upload/"), {"file": SimpleUploadedFile("rates.csv", content)}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Row 3" in text and "Row 4" in text
    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("EUR", Decimal("1.08"))]


@pytest.mark.parametrize(
    "content",
    [
        "currency,valid_from,rate\nEUR,2025-01-01,1.08\nCHF,2025-01-01,1.1 é\n".encode("latin-1"),
        b"currency;rate\nEUR;1.08\n",
    ],
)
def test_an_unreadable_rates_file_saves_nothing(world, content):
    response = world.client_for(world.intl_editor).post(
        url(world, "rates/upload/"), {"file": SimpleUploadedFile("rates.csv", content)}
    )
    assert response.status_code == 400
    assert not ExchangeRate.objects.exists()


def test_wrong_rates_are_refused(world):
    client = world.client_for(world.intl_editor)
    for values in ({"currency": "EURO", "valid_from": "2025-01-01", "rate": "1"},
                   {"currency": "EUR", "valid_from": "2025-01-01", "rate": "0"},
                   {"currency": "EUR", "valid_from": "someday", "rate": "1"}):  # fmt: skip
        assert client.post(url(world, "rates/"), values).status_code == 400
    assert not ExchangeRate.objects.exists()
    assert world.client_for(world.intl_viewer).post(url(world, "rates/"), {}).status_code == 403


def test_a_csv_file_with_a_nul_byte_is_refused(world, media_in_tmp):
    content = b"date,kind,receiver,amount,currency\n2025-01-01,disbursement,A\x00B,1,USD\n"
    record = import_funding_file(world.intl, world.intl_editor, content, "nul.csv", kind="csv")
    assert record.status == "failed" and record.error == "not_csv"


def test_an_iati_amount_is_valued_at_its_value_date(world, media_in_tmp):
    for valid_from, rate in (("2025-01-01", "1.05"), ("2025-07-01", "1.10")):
        world.client_for(world.intl_editor).post(
            url(world, "rates/"), {"currency": "EUR", "valid_from": valid_from, "rate": rate}
        )
    content = b"""<iati-activities version="2.03"><iati-activity default-currency="EUR">
    <iati-identifier>XE-VALUE-1</iati-identifier>
    <transaction><transaction-type code="3"/><transaction-date iso-date="2025-07-05"/>
    <value value-date="2025-06-30">1000</value>
    <receiver-org type="24"><narrative>Partner</narrative></receiver-org></transaction>
    </iati-activity></iati-activities>"""
    import_funding_file(world.intl, world.intl_editor, content)
    metrics = funding_overview(world.intl, period(world.intl, 2025, False), Filters())["metrics"]
    assert metrics.total == Decimal("1050.00")  # the rate of 30 June, not of 5 July
