"""The real IATI files in tests/data/iati: what each one gives, counted by hand."""

import pytest

from counterpart.funding.models import ActivityLink, Flow
from tests.conftest import fixture_bytes, import_funding_file

pytestmark = [pytest.mark.django_db, pytest.mark.xml_readers]


def reasons(record):
    return [(line[0], line[2], line[3].get("code", "")) for line in record.lines]


@pytest.mark.parametrize(
    "name", ["IATI-Stats/funder2-activities.xml", "IATI-Stats/funder2-v1-activities.xml"]
)
def test_the_same_file_in_version_2_and_1_reads_the_same(world, media_in_tmp, name):
    record = import_funding_file(world.intl, world.intl_editor, fixture_bytes(name))
    assert record.status == "done"
    assert record.counts["read"] == 5
    assert record.counts["stored"] == 0  # the outgoing transactions name no receiver
    assert record.counts["skipped"] == 8
    no_receiver = [where for where, reason, _c in reasons(record) if reason == "no_receiver"]
    assert no_receiver == ["XE-EXAMPLE-CC-01 #1", "XE-EXAMPLE-CC-02 #1", "XE-EXAMPLE-CC-03 #1",
                           "XE-EXAMPLE-CC-04 #2", "XE-EXAMPLE-CC-05 #2"]  # fmt: skip
    incoming = [code for _w, reason, code in reasons(record) if reason == "incoming"]
    assert incoming == (["1", "1", "1"] if "v1" not in name else ["IF", "IF", "IF"])
    assert sorted(ActivityLink.objects.values_list("activity", "provider_activity")) == [
        ("XE-EXAMPLE-CC-02", "XE-EXAMPLE-BB-01"),
        ("XE-EXAMPLE-CC-04", "XE-EXAMPLE-BB-01"),
        ("XE-EXAMPLE-CC-05", "XE-EXAMPLE-CC-04"),
    ]
    assert record.counts["version"] == ("1.05" if "v1" in name else "2.03")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IATI-Stats/recipient-activities.xml",
         [("XE-EXAMPLE-AA-01 #1", "incoming", "1"), ("XE-EXAMPLE-AA-01 #2", "incoming", "1"),
          ("XE-EXAMPLE-AA-01 #3", "incoming", "1")]),
        ("IATI-Stats/funder-activities.xml", []),
        ("IATI-Extra-Documentation/activity-standard-example-annotated.xml",
         [("AA-AAA-123456789-ABC123 #1", "incoming", "1")]),
        ("iatikit/fixture-org-activities.xml", [("GB-COH-01234567-1 #1", "other_type", "4")]),
        ("IATI-Schemas-2.03/should-pass/21-transaction.xml", [("?", "no_identifier", "")]),
        ("IATI-Schemas-2.03/should-pass/22-participating-org.xml", [("?", "no_identifier", "")]),
        ("IATI-Schemas-2.03/should-fail/10-two-receiver-org.xml", [("?", "no_identifier", "")]),
    ],
)  # fmt: skip
def test_what_each_real_file_gives(world, media_in_tmp, name, expected):
    record = import_funding_file(world.intl, world.intl_editor, fixture_bytes(name))
    assert record.status == "done"
    assert reasons(record) == expected
    assert Flow.objects.count() == 0
