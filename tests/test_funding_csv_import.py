"""Funding flows from the CSV template: row by row reports, the figures worked out by hand, and
files that cannot be read."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from counterpart.funding.models import Flow, ReceiverDecision
from counterpart.funding.selectors import Filters, funding_overview, period
from tests.conftest import import_funding_file, sending

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,date,kind,provider,receiver,receiver_iati_identifier,receiver_type,country,"
    "amount,currency,humanitarian,intermediaries,flexible,multi_year,overhead_rate,note\n"
)
ROWS = """R1,2025-02-01,disbursement,,Camp Youth Network,,,KE,40000,USD,yes,,yes,yes,10,
R2,2025-03-01,disbursement,,Kisumu Health Alliance,,24,KE,30000,USD,yes,Country Office,no,yes,0,
R3,2025-04-01,disbursement,,Big Consulting Ltd,,70,KE,30000,USD,no,,no,no,,
R4,2025-05-01,disbursement,,Somewhere,,24,KE,"1,000",USD,,,,,,
R5,2025-13-01,disbursement,,Somewhere,,24,KE,10,USD,,,,,,
R6,2025-05-01,disbursement,,Somewhere,,24,KE,10,USD,maybe,,,,,
R7,2025-05-01,disbursement,,,,24,KE,10,USD,,,,,,
R1,2025-02-01,disbursement,,Camp Youth Network,,,KE,40000,USD,yes,,yes,yes,10,
R8,2025-06-01,disbursement,,Turkana Peace Group,,24,KE,20000,USD,yes,Lead; Country Office,no,no,5,
"""


def upload(world, content: bytes, name="flows.csv"):
    client = world.client_for(world.intl_editor)
    with sending():
        response = client.post(
            f"/organisations/{world.intl.pk}/funding/imports/new/",
            {"kind": "csv", "file": SimpleUploadedFile(name, content)},
        )
    response = client.get(response["Location"])
    assert response.status_code == 200
    return response.content.decode()


def test_the_template_offers_every_column(world):
    response = world.client_for(world.intl_viewer).get(
        f"/organisations/{world.intl.pk}/funding/flows/template.csv"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == HEADER.strip()


def test_rows_are_reported_one_by_one(world, media_in_tmp):
    page = upload(world, (HEADER + ROWS).encode())
    assert "The amount “1,000” is not a number." in page
    assert "The date is missing or is not a date (YYYY-MM-DD)." in page
    assert "“maybe” in the column humanitarian is neither yes nor no." in page
    assert "The row names no receiver." in page
    assert "This row repeats an earlier row with the same reference" in page
    assert Flow.objects.count() == 4
    # "Camp Youth Network" is the name of an organisation here: a person confirms it.
    waiting = Flow.objects.get(receiver_name="Camp Youth Network")
    assert waiting.receiver_organisation is None and waiting.receiver_class == "review"


def test_figures_after_confirming_the_partner(world, media_in_tmp):
    upload(world, (HEADER + ROWS).encode())
    client = world.client_for(world.intl_editor)
    response = client.post(
        f"/organisations/{world.intl.pk}/funding/receivers/decide/",
        {"key": "name:camp youth network", "name": "Camp Youth Network",
         "verdict": f"org:{world.local.pk}"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ReceiverDecision.objects.get().receiver_organisation == world.local
    result = funding_overview(world.intl, period(world.intl, 2025, False), Filters())
    m = result["metrics"]
    shares = {code: f.share for code, f in m.figures.items()}
    assert m.total == Decimal("120000")
    assert shares["local"] == Decimal("75.0")  # 90 000 / 120 000
    assert shares["direct_of_local"] == Decimal("77.8")  # 70 000 / 90 000 (R8 has two)
    assert shares["direct_of_all"] == Decimal("58.3")  # 70 000 / 120 000
    assert shares["refugee_led"] == Decimal("33.3")  # 40 000 / 120 000
    assert shares["flexible"] == Decimal("33.3")  # R1 only
    assert shares["multi_year"] == Decimal("58.3")  # R1 and R2
    assert shares["overhead"] == Decimal("66.7")  # 2 of 3 local partners: 10 %, 0 %, 5 %
    assert m.overhead_average == Decimal("7.5")
    humanitarian = funding_overview(
        world.intl, period(world.intl, 2025, False), Filters(humanitarian_only=True)
    )["metrics"]
    assert humanitarian.total == Decimal("90000")  # R3 is not humanitarian
    page = world.client_for(world.intl_viewer).get(
        f"/organisations/{world.intl.pk}/funding/?year=2025"
    )
    text = page.content.decode()
    assert "75.0 %" in text and "58.3 %" in text
    assert "2 of 3 partners" in text and "average rate covered: 7.5 %" in text


def test_the_same_file_again_changes_nothing(world, media_in_tmp):
    upload(world, (HEADER + ROWS).encode())
    before = list(Flow.objects.order_by("pk").values())
    record = import_funding_file(
        world.intl, world.intl_editor, (HEADER + ROWS).encode(), "again.csv", kind="csv"
    )
    assert record.counts["stored"] == 0 and record.counts["updated"] == 0
    assert record.counts["unchanged"] == 4
    assert list(Flow.objects.order_by("pk").values()) == before


def test_a_corrected_row_updates_its_flow(world, media_in_tmp):
    upload(world, (HEADER + ROWS).encode())
    corrected = ROWS.replace("Big Consulting Ltd,,70,KE,30000", "Big Consulting Ltd,,70,KE,35000")
    record = import_funding_file(
        world.intl, world.intl_editor, (HEADER + corrected).encode(), "fixed.csv", kind="csv"
    )
    assert record.counts["updated"] == 1
    assert Flow.objects.get(receiver_name="Big Consulting Ltd").amount == Decimal("35000")


def test_semicolons_and_a_byte_order_mark_are_read(world, media_in_tmp):
    content = "\ufeff" + (HEADER + ROWS.splitlines()[2] + "\n").replace(",", ";")
    record = import_funding_file(
        world.intl, world.intl_editor, content.encode(), "excel.csv", kind="csv"
    )
    assert record.status == "done" and record.counts["stored"] == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ((HEADER + "R1,2025-01-01,disbursement,,Réseau,,24,KE,1,EUR\n").encode("latin-1"),
         "encoding"),
        (b"date,amount\n2025-01-01,10\n", "missing_columns"),
        (b"", "no_header"),
    ],
)  # fmt: skip
def test_an_unreadable_file_stores_nothing(world, media_in_tmp, content, code):
    record = import_funding_file(world.intl, world.intl_editor, content, "bad.csv", kind="csv")
    assert record.status == "failed" and record.error == code
    assert Flow.objects.count() == 0
