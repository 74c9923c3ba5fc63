"""Answers collected offline in KoboToolbox or ODK, exported as CSV or XLSX and imported into
the round: matched by question name, checked row by row, all or nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from counterpart.assessments import offline, services
from counterpart.assessments.models import Answer, Response

from .conftest import add_member, make_pooled_round, make_round

pytestmark = pytest.mark.xml_readers

# A KoboToolbox CSV export: ";" between columns, group paths in the headers, its own metadata.
KOBO_CSV = (
    "start;end;respondent_side;partnership_stage;respect/respect_advice_local;"
    "respect/respect_advice_intl;stage_implementation/check_implementation_checkins;"
    "stage_implementation/check_implementation_checkins_note;"
    "stage_implementation/fact_reports_per_year;_id;_uuid;_submission_time\n"
    "2026-11-02;2026-11-02;local;implementation;2;;done;Every month, in Arabic;4;"
    "11;a1b2-0001;2026-11-02T10:00:00\n"
    "2026-11-03;2026-11-03;international;implementation;;5;partly;;12;"
    "12;a1b2-0002;2026-11-03T10:00:00\n"
)


def _import(world, round_, data, name="export.csv"):
    """Imported by a facilitator who edits for both sides (a member of both organisations)."""
    if not world.intl_editor.memberships.filter(organisation=world.local).exists():
        add_member(world.local, world.intl_editor, "editor")
    return services.responses_import(
        actor=world.intl_editor,
        round_=round_,
        data=data.encode() if isinstance(data, str) else data,
        filename=name,
    )


def test_a_kobo_csv_export_is_stored_with_each_rows_side(world):
    round_ = make_round(world)
    report = _import(world, round_, KOBO_CSV)
    assert report == {"stored": 2, "skipped": []}
    local = Response.objects.get(round=round_, side="local")
    answers = {a.question.name: a for a in local.answers.select_related("question")}
    assert answers["respect_advice_local"].value == "2"
    assert answers["check_implementation_checkins"].value == "done"
    assert answers["check_implementation_checkins"].note == "Every month, in Arabic"
    assert answers["fact_reports_per_year"].value == "4"
    assert (
        Answer.objects.get(
            response__side="international", question__name="respect_advice_intl"
        ).value
        == "5"
    )
    assert local.source_key == "a1b2-0001"


def test_the_same_export_imported_again_adds_nothing(world):
    round_ = make_round(world)
    _import(world, round_, KOBO_CSV)
    assert _import(world, round_, KOBO_CSV) == {"stored": 0, "skipped": [2, 3]}
    assert Response.objects.filter(round=round_).count() == 2


def test_an_odk_central_xlsx_export_with_dashed_group_paths(world):
    round_ = make_round(world)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "SubmissionDate",
            "respondent_side",
            "voice-voice_budget_local",
            "stage_implementation-fact_reports_per_year",
            "meta-instanceID",
            "KEY",
        ]
    )
    sheet.append(["2026-11-02", "local", "dont_know", 6, "uuid:1", "uuid:1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _import(world, round_, buffer.getvalue(), "export.xlsx")
    assert report["stored"] == 1
    answer = Answer.objects.get(question__name="fact_reports_per_year")
    assert answer.value == "6"


def test_every_problem_is_reported_row_by_row_and_nothing_is_stored(world):
    round_ = make_round(world)
    bad = (
        "respondent_side,partnership_stage,respect/respect_advice_local,respect/respect_advice_intl,"
        "stage_implementation/fact_reports_per_year,stage_review/fact_credit\n"
        "local,implementation,7,,4,\n"  # 7 is not on the scale
        "partner,implementation,2,,4,\n"  # unknown side
        "local,review,2,,4,\n"  # another stage's submission
        "local,implementation,2,4,,\n"  # the other side's question answered
        "international,implementation,,4,many,\n"  # not a number
        "local,implementation,3,,2,\n"  # fine, but the file has problems: not stored
    )
    with pytest.raises(offline.ExportInvalid) as caught:
        _import(world, round_, bad)
    found = [(p.row, p.column, p.message) for p in caught.value.problems]
    rows = [row for row, _c, _m in found]
    assert rows == [2, 3, 4, 5, 6]
    assert found[0][1] == "respect/respect_advice_local" and "valid choice" in found[0][2]
    assert "international" in found[1][2] and "partner" in found[1][2]
    assert "review" in found[2][2]
    assert "not asked of the local side" in found[3][2]
    assert "whole number" in found[4][2]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("export.csv", b"", "empty"),
        ("export.csv", b"\xff\xfe\x00broken", "not UTF-8"),
        ("export.xlsx", b"PK\x03\x04 not really a workbook", "could not be read"),
        ("export.pdf", b"%PDF-1.4", "CSV or XLSX"),
        ("export.csv", b"name,age\nAmina,34\n", "No column matches"),
        ("export.csv", b'a,b\n"' + b"x" * 200_000 + b'"\n', "could not be read as CSV"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_with_a_reason(world, name, data, message):
    round_ = make_round(world)
    with pytest.raises(offline.ExportInvalid) as caught:
        _import(world, round_, data, name)
    assert any(message in p.message for p in caught.value.problems)
    assert not Response.objects.exists()


def test_the_import_page_lists_the_problems_in_the_users_language(world):
    round_ = make_round(world)
    client = world.client_for(world.local_editor)
    client.cookies["counterpart_language"] = "fr"
    upload = io.BytesIO(b"respondent_side,respect/respect_advice_local\nlocal,9\n")
    upload.name = "export.csv"
    response = client.post(reverse("round_import", args=[round_.pk]), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ligne 2" in page
    assert not Response.objects.exists()


def test_one_side_cannot_import_answers_for_the_other(world):
    round_ = make_round(world)
    with pytest.raises(offline.ExportInvalid) as caught:
        services.responses_import(
            actor=world.local_editor, round_=round_, data=KOBO_CSV.encode(), filename="e.csv"
        )
    assert [(p.row, p.message) for p in caught.value.problems] == [
        (3, "You can import only the answers of your own side, not the international side.")
    ]
    assert not Response.objects.exists()


def test_an_anonymous_round_takes_no_import(world):
    """Otherwise the organisation assessed could add answers until its results show."""
    round_ = make_pooled_round(world)
    with pytest.raises(services.ValidationError, match="anonymous round"):
        _import(world, round_, "respect/respect_advice_local,_uuid\n4,k-1\n")
    assert not Response.objects.exists()


def test_the_round_questionnaire_downloads_as_xlsform(world):
    round_ = make_round(world)
    response = world.client_for(world.intl_editor).get(reverse("round_xlsform", args=[round_.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in workbook["survey"].iter_rows(values_only=True)]
    assert "respondent_side" in names and "check_implementation_checkins_note" in names
