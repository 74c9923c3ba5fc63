"""A round's responses as XLSX and CSV: one row per response, one column per question, the
labels beside the codes, notes and evidence of the practices, and a sheet of the questions."""

import datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from counterpart.assessments.models import Response
from counterpart.audit.models import AuditEvent
from counterpart.partnerships.models import Side

from .conftest import released_round
from .export_reading import as_dicts, export_url, read_csv, read_xlsx, xlsx_cells

INTERNATIONAL = {
    "respect_advice_intl": "5",
    "check_implementation_checkins": "done",
    "check_implementation_checkins_note": "Monthly calls since March.",
    "fact_reports_per_year": "4",
}
LOCAL = {
    "respect_advice_local": "2",
    "check_implementation_checkins": "partly",
    "check_implementation_checkins_evidence": "https://example.org/minutes",
}


def _named(world, **fields):
    return released_round(
        world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]}, privacy="named", **fields
    )


def _get(world, round_, fmt, user=None, query=""):
    client = world.client_for(user or world.local_viewer)
    return client.get(export_url("export_round_responses", fmt, query, round_id=round_.pk))


def test_the_workbook_has_one_row_per_response_with_codes_and_labels(world):
    round_ = _named(world)
    response = _get(world, round_, "xlsx")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="counterpart-round-{round_.pk}-check-in-2026-responses.xlsx"' in disposition
    assert "no-store" in response["Cache-Control"]
    sheets = read_xlsx(response)
    assert list(sheets) == ["Responses", "Questions"]
    header, *rows = sheets["Responses"]
    assert header[:6] == [
        "Response ID",
        "Respondent",
        "Submitted on",
        "Language code",
        "Side code",
        "Side",
    ]
    column = {name: n for n, name in enumerate(header)}
    assert header[column["respect_advice_intl"] + 1] == "respect_advice_intl (label)"
    assert header[column["check_implementation_checkins"] + 2] == (
        "check_implementation_checkins_note"
    )
    assert header[column["check_implementation_checkins"] + 3] == (
        "check_implementation_checkins_evidence"
    )
    # Both sides' questions, the stage's practices and facts; no structural question.
    assert "respect_advice_local" in column and "fact_reports_per_year" in column
    assert "respondent_side" not in column and "intro" not in column
    assert "check_exploring_due_diligence" not in str(header)  # another stage's practice
    assert len(rows) == 2
    intl, local = rows  # by side, then person
    ids = {str(pk) for pk in Response.objects.filter(round=round_).values_list("pk", flat=True)}
    assert intl[0] in ids and local[0] in ids and intl[0] != local[0]
    assert intl[1] == "Amira Haddad" and local[1] == "Joseph Deng"
    assert intl[2] == datetime.datetime.combine(timezone.localdate(), datetime.time())
    assert intl[3] == "en"
    assert intl[4:6] == ["international", "International side"]
    assert local[4:6] == ["local", "Local side"]
    assert intl[column["respect_advice_intl"]] == "5"
    assert intl[column["respect_advice_intl"] + 1] == "Strongly agree"
    assert intl[column["respect_advice_local"]] is None  # not asked of this side
    assert local[column["respect_advice_local"]] == "2"
    assert local[column["respect_advice_local"] + 1] == "Disagree"
    checkins = column["check_implementation_checkins"]
    assert intl[checkins : checkins + 4] == ["done", "Done", "Monthly calls since March.", None]
    assert local[checkins : checkins + 4] == [
        "partly",
        "Partly done",
        None,
        "https://example.org/minutes",
    ]
    # A number question gives a number cell.
    assert intl[column["fact_reports_per_year"]] == 4


def test_the_questions_sheet_describes_each_column(world):
    round_ = _named(world)
    sheets = read_xlsx(_get(world, round_, "xlsx"))
    questions = as_dicts(sheets["Questions"])
    advice = next(q for q in questions if q["Column"] == "respect_advice_local")
    assert advice["Question"].startswith("Our partner asks for our advice")
    assert advice["Element code"] == "respect" and advice["Element"] == "Mutual respect"
    assert advice["Side code"] == "local" and advice["Side"] == "Local side"
    assert advice["Part code"] == "relationship"
    assert advice["Type"] == "select_one agreement"
    assert advice["Choices"].startswith("1 = Strongly disagree; 2 = Disagree")
    columns = [q["Column"] for q in questions]
    header = sheets["Responses"][0]
    assert [name for name in header if name in columns] == columns


def test_the_csv_holds_the_same_rows_and_opens_in_excel(world):
    round_ = _named(world)
    response = _get(world, round_, "csv")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="counterpart-round-{round_.pk}-check-in-2026-responses.csv"'
    )
    rows = as_dicts(read_csv(response))
    assert [row["Respondent"] for row in rows] == ["Amira Haddad", "Joseph Deng"]
    intl, local = rows
    assert intl["Submitted on"] == timezone.localdate().isoformat()
    assert intl["respect_advice_intl"] == "5"
    assert intl["respect_advice_intl (label)"] == "Strongly agree"
    assert intl["check_implementation_checkins_note"] == "Monthly calls since March."
    assert intl["fact_reports_per_year"] == "4"
    assert local["respect_advice_local (label)"] == "Disagree"
    assert local["respect_advice_intl"] == ""


def test_labels_follow_the_language_asked(world):
    round_ = _named(world)
    responses, questions = read_xlsx(_get(world, round_, "xlsx", query="?lang=ar")).values()
    header = responses[0]
    intl = dict(zip(header, responses[1], strict=True))
    assert intl["respect_advice_intl (التسمية)"] == "أوافق بشدة"
    assert intl["check_implementation_checkins (التسمية)"] == "تم"
    # Codes stay as they are; the side's label and the headers are in Arabic.
    assert header[4:6] == ["رمز الطرف", "الطرف"]
    assert intl["رمز الطرف"] == "international"
    assert intl["الطرف"] == "الطرف الدولي"
    advice = next(row for row in questions[1:] if row[0] == "respect_advice_local")
    assert advice[1] == "يطلب شريكنا مشورتنا حول طريقة العمل في مجتمعنا، ويأخذ بها."
    assert advice[2:4] == ["respect", "الاحترام المتبادل"]
    rows = read_csv(_get(world, round_, "csv", query="?lang=fr"))
    assert rows[0][4:6] == ["Code du côté", "Côté"]
    french = dict(zip(rows[0], rows[1], strict=True))
    assert french["Côté"] == "Côté international"
    assert french["respect_advice_intl (libellé)"] == "Tout à fait d'accord"


def test_a_reader_in_french_gets_french_without_asking(world):
    round_ = _named(world)
    client = world.client_for(world.local_viewer)
    client.cookies["counterpart_language"] = "fr"
    response = client.get(export_url("export_round_responses", "csv", round_id=round_.pk))
    rows = as_dicts(read_csv(response))
    assert rows[1]["Côté"] == "Côté local"
    assert rows[1]["respect_advice_local (libellé)"] == "Pas d'accord"


def test_text_cells_stay_text_and_numbers_stay_numbers(world):
    round_ = _named(world)
    cells = xlsx_cells(_get(world, round_, "xlsx"))
    header = [cell.value for cell in cells[0]]
    assert all(cell.data_type == "s" for cell in cells[0])
    intl = cells[1]
    assert intl[header.index("respect_advice_intl")].data_type == "s"
    assert intl[header.index("fact_reports_per_year")].data_type == "n"
    assert intl[header.index("Submitted on")].is_date


def test_each_download_is_in_the_audit_log(world):
    round_ = _named(world)
    before = AuditEvent.objects.filter(action="round_responses_export").count()
    _get(world, round_, "csv", user=world.local_viewer)
    event = AuditEvent.objects.filter(action="round_responses_export").latest("id")
    assert AuditEvent.objects.filter(action="round_responses_export").count() == before + 1
    assert event.actor == world.local_viewer
    assert event.organisation == world.local
    assert event.object_id == str(round_.pk)
    assert event.after == {"format": "csv", "privacy": "named"}
    assert event.context == f"partnership:{world.partnership.pk}"
