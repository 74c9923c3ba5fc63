"""A file that declares a document type is refused for that reason, in the reader's language,
by every reader of uploaded XML: IATI files, adapted frameworks (XLSForm spreadsheets) and
offline answers (XLSX exports). The reason is decided before any parser runs, so it is the same
whichever libxml2 is installed; `make test` runs this file on two lines of lxml."""

import codecs
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from counterpart.assessments.models import Response
from counterpart.common.xml_prolog import CHUNK, declares_doctype, workbook_declares_doctype
from counterpart.frameworks.models import Framework, FrameworkVersion
from counterpart.funding.models import Flow

from .conftest import BUILTIN_XLSFORM, import_funding_file, make_round

pytestmark = [pytest.mark.django_db, pytest.mark.xml_readers]

BOMB_SUBSET = (
    '<!DOCTYPE r [\n  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    '  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
    '  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n'
    '  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">\n]>\n'
)
EXTERNAL_ENTITY = '<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
EXTERNAL_DTD = '<!DOCTYPE r SYSTEM "http://example.org/evil.dtd">\n'
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (DECLARATION + BOMB_SUBSET + "<r>&d;</r>", True),
        (DECLARATION + EXTERNAL_ENTITY + "<r>&secret;</r>", True),
        (EXTERNAL_DTD + "<r/>", True),
        # Comments, processing instructions and white space may come before it.
        (DECLARATION + "<!-- a note -->\n<?style x?>\n  \n" + EXTERNAL_DTD + "<r/>", True),
        # However long the comment before it: the scan reads the whole prolog.
        ("<!--" + "x" * (3 * CHUNK + 5) + "-->" + EXTERNAL_DTD + "<r/>", True),
        # A DOCTYPE split across two reads.
        ("<!--" + "y" * (CHUNK - 10) + "-->" + EXTERNAL_DTD + "<r/>", True),
        # Any spelling is refused rather than left to a parser to interpret.
        ('<!doctype r SYSTEM "x.dtd"><r/>', True),
        (DECLARATION + "<r>no declaration here</r>", False),
        (DECLARATION + "<!-- <!DOCTYPE r> is only mentioned here --><r/>", False),
        ("<r><![CDATA[<!DOCTYPE r>]]></r>", False),
        ("", False),
        ("not xml at all", False),
        ("<!-- a comment that never ends", False),
    ],
)
def test_the_prolog_is_read_for_a_document_type(text, expected):
    assert declares_doctype(io.BytesIO(text.encode())) is expected


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: text.encode("utf-16-le"),  # no byte order mark
        lambda text: text.encode("utf-16-be"),
        lambda text: text.encode("utf-32-le"),
        lambda text: text.encode("cp500"),  # EBCDIC
    ],
    ids=["utf-8 bom", "utf-16le bom", "utf-16be bom", "utf-16le", "utf-16be", "utf-32le", "ebcdic"],
)
def test_every_encoding_an_xml_file_may_use_is_read(encode):
    assert declares_doctype(io.BytesIO(encode('<?xml version="1.0"?>' + EXTERNAL_DTD + "<r/>")))
    assert not declares_doctype(io.BytesIO(encode('<?xml version="1.0"?><r/>')))


def with_doctype(workbook: bytes, member: str, doctype: str) -> bytes:
    """The zipped workbook with a DOCTYPE written into one of its parts, after its declaration."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                text = data.decode("utf-8")
                end = text.index("?>") + 2 if text.startswith("<?xml") else 0
                data = (text[:end] + "\n" + doctype + text[end:]).encode("utf-8")
            target.writestr(info.filename, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (BOMB_SUBSET.replace("r [", "iati-activities [") + '<iati-activities version="2.03"/>',
         "doctype"),
        ("<!--" + "z" * (2 * CHUNK) + "-->" + EXTERNAL_DTD + '<iati-activities version="2.03"/>',
         "doctype"),
        ((EXTERNAL_ENTITY + '<iati-activities version="2.03"/>').encode("utf-16"), "doctype"),
    ],
    ids=["entity bomb", "after a long comment", "utf-16"],
)  # fmt: skip
def test_an_iati_file_with_a_document_type_is_refused_for_that_reason(
    world, media_in_tmp, content, code
):
    data = content if isinstance(content, bytes) else content.encode()
    record = import_funding_file(world.intl, world.intl_editor, data)
    assert (record.status, record.error) == ("failed", code)
    assert Flow.objects.count() == 0


def _framework_upload(client, data):
    return client.post(
        reverse("framework_upload"),
        {
            "target": "new:" + str(client.organisation.pk),
            "note": "",
            "file": SimpleUploadedFile("adapted.xlsx", data),
        },
        HTTP_ACCEPT_LANGUAGE=client.language,
    )


@pytest.mark.parametrize(
    ("member", "doctype"),
    [
        ("xl/worksheets/sheet1.xml", BOMB_SUBSET.replace("r [", "worksheet [")),
        ("[Content_Types].xml", EXTERNAL_ENTITY),
        ("xl/workbook.xml", EXTERNAL_DTD),
    ],
)
def test_an_adapted_framework_with_a_document_type_is_refused(world, member, doctype):
    data = with_doctype(BUILTIN_XLSFORM.read_bytes(), member, doctype)
    assert workbook_declares_doctype(data)
    before = (Framework.objects.count(), FrameworkVersion.objects.count())
    client = world.client_for(world.intl_editor)
    client.organisation, client.language = world.intl, "en"
    response = _framework_upload(client, data)
    assert response.status_code == 400
    assert "declares a document type (DTD)" in response.content.decode()
    assert (Framework.objects.count(), FrameworkVersion.objects.count()) == before

    client.language = "fr"
    french = _framework_upload(client, data).content.decode()
    assert "déclare un type de document (DTD)" in french


def _offline_export() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["respondent_side", "respect-respect_advice_local", "KEY"])
    workbook.active.append(["local", "2", "uuid:1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_offline_answers_with_a_document_type_are_refused(world):
    round_ = make_round(world)
    clean = _offline_export()
    assert not workbook_declares_doctype(clean)
    data = with_doctype(
        clean, "xl/worksheets/sheet1.xml", BOMB_SUBSET.replace("r [", "worksheet [")
    )
    client = world.client_for(world.local_editor)
    for language, words in (("en", "declares a document type (DTD)"), ("ar", "جداول البيانات")):
        upload = io.BytesIO(data)
        upload.name = "export.xlsx"
        response = client.post(
            reverse("round_import", args=[round_.pk]),
            {"file": upload},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        assert words in response.content.decode()
    assert not Response.objects.filter(round=round_).exists()


def test_a_workbook_that_is_not_a_zip_is_left_to_its_reader():
    assert not workbook_declares_doctype(b"PK\x03\x04 not really a workbook")
    assert not workbook_declares_doctype(b"")
