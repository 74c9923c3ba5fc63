"""Files that are not what they claim, or that try to harm the server, are refused with a clear
message and store nothing."""

import pytest

from counterpart.funding.models import Flow
from counterpart.funding.report import reason_text
from tests.conftest import fixture_bytes, import_funding_file

pytestmark = [pytest.mark.django_db, pytest.mark.xml_readers]

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&e;</iati-identifier>
<transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-01"/>
<value currency="USD">1</value><receiver-org type="24"><narrative>&e;</narrative></receiver-org>
</transaction></iati-activity></iati-activities>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>XE-1</iati-identifier>
<transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-01"/>
<value currency="USD">1</value><receiver-org type="24"><narrative>&secret;</narrative>
</receiver-org></transaction></iati-activity></iati-activities>"""

NETWORK_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities SYSTEM "http://example.org/evil.dtd">
<iati-activities version="2.03"/>"""

DEEP = (
    b'<iati-activities version="2.03"><iati-activity><iati-identifier>XE-1</iati-identifier>'
    + b"<x>" * 400
    + b"</x>" * 400
    + b"</iati-activity></iati-activities>"
)

BROKEN = b"""<iati-activities version="2.03">
<iati-activity><iati-identifier>XE-1</iati-identifier>
<transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-01"/>
<value currency="USD">100</value><receiver-org type="24"><narrative>Ok</narrative></receiver-org>
</transaction></iati-activity>
<iati-activity><iati-identifier>XE-2</iati-identifier></iati-activty>
</iati-activities>"""


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (BOMB, "doctype"),
        (EXTERNAL, "doctype"),
        (NETWORK_DTD, "doctype"),
        (DEEP, "depth"),
        (BROKEN, "syntax"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "empty"),
        (b'<?xml version="1.0"?><html><body>Not IATI</body></html>', "root"),
        (fixture_bytes("IATI-Extra-Documentation/organisation-standard-example-annotated.xml"),
         "root"),
    ],
)  # fmt: skip
def test_refused_with_a_clear_message_and_nothing_stored(world, media_in_tmp, content, code):
    record = import_funding_file(world.intl, world.intl_editor, content)
    assert record.status == "failed"
    assert record.error == code
    assert Flow.objects.count() == 0
    assert list(media_in_tmp.rglob("*.xml")) == []  # the upload is not kept


def test_the_message_names_the_line_of_a_broken_file(world, media_in_tmp):
    record = import_funding_file(world.intl, world.intl_editor, BROKEN)
    text = reason_text(record.error, record.counts["params"])
    assert "line 6" in text  # where </iati-activty> closes the wrong element
    # The good first activity is not kept either: a broken file stores nothing.
    assert Flow.objects.count() == 0


def test_the_page_shows_the_reason_in_the_readers_language(world, media_in_tmp):
    record = import_funding_file(world.intl, world.intl_editor, EXTERNAL)
    client = world.client_for(world.intl_viewer)
    page = client.get(f"/organisations/{world.intl.pk}/funding/imports/{record.pk}/")
    assert "declares a document type (DTD)" in page.content.decode()
    assert "Nothing from this file was stored." in page.content.decode()
    assert "/etc/passwd" not in page.content.decode()
    french = client.get(
        f"/organisations/{world.intl.pk}/funding/imports/{record.pk}/",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "DTD" in french.content.decode()
    assert 'lang="fr"' in french.content.decode()


def test_a_file_above_the_limit_is_refused_before_it_is_kept(world, media_in_tmp, settings):
    settings.FUNDING_IMPORT_MAX_MB = 1
    client = world.client_for(world.intl_editor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.xml", b"<iati-activities>" + b" " * (1024 * 1024 + 10))
    response = client.post(
        f"/organisations/{world.intl.pk}/funding/imports/new/", {"kind": "iati", "file": big}
    )
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert list(media_in_tmp.rglob("*")) == []


def test_schema_invalid_files_are_read_where_they_can_be(world, media_in_tmp):
    """The IATI schema's should-fail files: each problem is named, nothing is guessed."""
    two_orgs = import_funding_file(
        world.intl,
        world.intl_editor,
        fixture_bytes("IATI-Schemas-2.03/should-fail/20-two-reporting-orgs.xml"),
    )
    assert two_orgs.status == "done"
    assert [line[2] for line in two_orgs.lines] == ["no_identifier"]
    flag = import_funding_file(
        world.intl,
        world.intl_editor,
        fixture_bytes(
            "IATI-Schemas-2.03/should-fail/02-humanitarian-transaction-validation-non-numerical.xml"
        ),
    )
    assert flag.status == "done"
    assert flag.counts["read"] == 1 and flag.counts["skipped"] == 1
    assert Flow.objects.count() == 0
