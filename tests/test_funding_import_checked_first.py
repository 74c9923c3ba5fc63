"""An import writes its flows in batches, each in a transaction of its own, yet a file that
cannot be read as a whole still stores nothing: the whole file is read first. A fault far past
the first batches refuses the file before any flow is written."""

import pytest

from counterpart.funding.models import Flow, ImportStatus

from .conftest import import_funding_file

pytestmark = pytest.mark.xml_readers

ROWS = 2_500  # more than two batches of flows before the fault


def _iati_activities(count):
    return "".join(
        f'<iati-activity default-currency="USD"><iati-identifier>GB-1-{n}</iati-identifier>'
        f'<transaction><transaction-type code="3"/><transaction-date iso-date="2026-01-02"/>'
        f'<value>{n + 1}</value><receiver-org ref="KE-NGO-{n}" type="24"><narrative>Partner '
        f"{n}</narrative></receiver-org></transaction></iati-activity>\n"
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("tail", "code"),
    [
        ("<iati-activity><unclosed></iati-activity>", "syntax"),
        ("<a>" * 300 + "</a>" * 300, "depth"),
    ],
)
def test_an_iati_file_broken_near_its_end_stores_nothing(world, media_in_tmp, tail, code):
    content = f"<iati-activities version='2.03'>{_iati_activities(ROWS)}{tail}</iati-activities>"
    record = import_funding_file(world.intl, world.intl_editor, content.encode())
    assert record.status == ImportStatus.FAILED and record.error == code
    assert not Flow.objects.exists()
    assert record.path == "" and not list(media_in_tmp.joinpath("funding-imports").iterdir())


def test_a_csv_file_broken_near_its_end_stores_nothing(world, media_in_tmp):
    rows = "".join(f"ref-{n},2026-01-02,disbursement,Partner {n},100,USD\n" for n in range(ROWS))
    content = f"reference,date,kind,receiver,amount,currency\n{rows}".encode() + b"bad,\xff\xfe\n"
    record = import_funding_file(world.intl, world.intl_editor, content, "flows.csv", "csv")
    assert record.status == ImportStatus.FAILED and record.error == "encoding"
    assert not Flow.objects.exists()


def test_the_same_file_whole_is_stored_in_batches(world, media_in_tmp):
    content = f"<iati-activities version='2.03'>{_iati_activities(ROWS)}</iati-activities>"
    record = import_funding_file(world.intl, world.intl_editor, content.encode())
    assert record.status == ImportStatus.DONE, record.error
    assert record.counts["stored"] == ROWS == Flow.objects.count()
    assert record.attempts == 1 and record.heartbeat_at is not None
    again = import_funding_file(world.intl, world.intl_editor, content.encode())
    assert again.counts["stored"] == 0 and again.counts["unchanged"] == ROWS
