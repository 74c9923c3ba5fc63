"""Uploading an adapted framework: every problem explained by sheet, row and column, and
nothing stored unless the whole file is right."""

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.frameworks.models import Framework, FrameworkVersion

from .conftest import (
    BUILTIN_XLSFORM,
    FIXTURE_XLSFORMS,
    edited_workbook,
    make_framework,
    small_framework_workbook,
    survey_cell,
)

pytestmark = pytest.mark.xml_readers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data, target, name="adapted.xlsx", note=""):
    return client.post(
        reverse("framework_upload"),
        {"target": target, "note": note, "file": SimpleUploadedFile(name, data, XLSX)},
    )


def problems_of(response):
    return [(problem.where(), problem.message) for problem in response.context["problems"]]


def counts():
    return Framework.objects.count(), FrameworkVersion.objects.count()


def test_an_adapted_framework_becomes_the_organisations_own(world):
    def adapt(workbook):
        survey_cell(
            workbook, "respect_time_intl", "label::English (en)"
        ).value = "We give our partner at least two weeks for any request."

    client = world.client_for(world.intl_editor)
    response = upload(
        client, edited_workbook(adapt), f"new:{world.intl.pk}", note="Our own wording"
    )
    version = FrameworkVersion.objects.get(framework__organisation=world.intl)
    assert response.status_code == 302
    assert response["Location"] == reverse("framework_version", args=[version.pk])
    assert version.number == 1
    assert version.note == "Our own wording"
    assert version.created_by == world.intl_editor
    label = version.questions.get(name="respect_time_intl").label
    assert label["en"] == "We give our partner at least two weeks for any request."
    assert version.framework.slug == "equitable_partnerships"
    page = client.get(response["Location"]).content.decode()
    assert "We give our partner at least two weeks for any request." in page
    event = AuditEvent.objects.get(action="framework_version_import", organisation=world.intl)
    assert event.actor == world.intl_editor


def test_the_next_upload_makes_version_two_and_version_one_stays(world):
    first = make_framework(world.intl, world.intl_editor)
    client = world.client_for(world.intl_admin)
    response = upload(
        client,
        small_framework_workbook(extra_language=("sw", "Swahili")),
        f"version:{first.framework_id}",
    )
    assert response.status_code == 302
    second = FrameworkVersion.objects.get(framework=first.framework, number=2)
    assert second.language_codes == ["en", "fr", "sw"]
    first.refresh_from_db()
    assert first.language_codes == ["en", "fr"]
    page = client.get(reverse("framework_version", args=[second.pk]), {"lang": "sw"})
    assert "Our partner listens. [sw]" in page.content.decode()


def test_extra_questions_are_kept(world):
    def add_question(workbook):
        sheet = workbook["survey"]
        headers = [cell.value for cell in sheet[1]]
        row = survey_cell(workbook, "learning_safe_local", "type").row
        sheet.insert_rows(row + 1)
        values = {
            "type": "text",
            "name": "learning_anything_else",
            "label::English (en)": "What else should change?",
            "label::French (fr)": "Quoi d'autre devrait changer ?",
            "label::Spanish (es)": "¿Qué más debería cambiar?",
            "label::Arabic (ar)": "ما الذي يجب أن يتغير أيضًا؟",
        }
        for column, header in enumerate(headers, start=1):
            if header in values:
                sheet.cell(row=row + 1, column=column, value=values[header])

    version = make_framework(world.intl, world.intl_editor, data=edited_workbook(add_question))
    question = version.questions.get(name="learning_anything_else")
    assert question.section.code == "learning"
    assert question.label["es"] == "¿Qué más debería cambiar?"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda wb: setattr(survey_cell(wb, "voice_budget_intl", "element"), "value", None),
            ("survey, row 20, column S (element)", "A relationship question needs an element."),
        ),
        (
            lambda wb: wb["survey"].delete_rows(survey_cell(wb, "voice_hiring_local", "type").row),
            (
                "survey, row 24, column U (pair)",
                "The pair “voice_hiring” has no local question. Add the mirrored question with "
                "the same pair and side “local”.",
            ),
        ),
        (
            lambda wb: setattr(
                survey_cell(wb, "culture_language_intl", "type"), "value", "select_one scale5"
            ),
            (
                "survey, row 56, column A (type)",
                "The choice list “scale5” is not on the choices sheet.",
            ),
        ),
        (
            lambda wb: setattr(
                survey_cell(wb, "adapt_risk_local", "label::Arabic (ar)"), "value", None
            ),
            ("survey, row 53, column F (label::Arabic (ar))", "The label is missing in Arabic."),
        ),
        (
            lambda wb: setattr(survey_cell(wb, "respect_time_intl", "side"), "value", "donor"),
            (
                "survey, row 8, column T (side)",
                "Unknown side “donor”. Write “international”, “local”, or leave it empty.",
            ),
        ),
        (
            lambda wb: setattr(survey_cell(wb, "check_review_safe", "stage"), "value", "closure"),
            (
                "survey, row 116, column W (stage)",
                "Unknown stage “closure”. Use one of: exploring, co_design, agreement, "
                "implementation, review, transition.",
            ),
        ),
    ],
    ids=["missing-element", "half-pair", "unknown-list", "untranslated", "bad-side", "bad-stage"],
)
def test_each_problem_is_named_by_sheet_row_and_column(world, change, expected):
    before = counts()
    response = upload(
        world.client_for(world.intl_editor), edited_workbook(change), f"new:{world.intl.pk}"
    )
    assert response.status_code == 400
    assert expected in problems_of(response)
    page = response.content.decode()
    assert "Nothing was saved." in page
    assert counts() == before


def test_pyxforms_own_errors_are_reported(world):
    def broken_reference(workbook):
        survey_cell(workbook, "respect_time_intl", "relevant").value = "${no_such_question} = 'x'"

    response = upload(
        world.client_for(world.intl_editor),
        edited_workbook(broken_reference),
        f"new:{world.intl.pk}",
    )
    assert response.status_code == 400
    [(where, message)] = problems_of(response)
    assert message.startswith("pyxform, the XLSForm converter, reports:")
    assert "no_such_question" in message
    assert where == "survey, row 8"


def test_several_problems_are_all_listed(world):
    def break_three(workbook):
        survey_cell(workbook, "voice_budget_intl", "element").value = None
        survey_cell(workbook, "adapt_risk_local", "label::Arabic (ar)").value = None
        workbook["settings"]["D2"] = "Swahili (sw)"

    response = upload(
        world.client_for(world.intl_editor), edited_workbook(break_three), f"new:{world.intl.pk}"
    )
    messages = [message for _where, message in problems_of(response)]
    assert len(messages) == 3
    assert "The default language “Swahili (sw)” has no label column in the survey sheet." in (
        messages
    )


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "UCL_Biomass_Plot_Form.xlsx",
            ("survey, row 16, column A (type)", "Counterpart does not use the type "),
        ),
        (
            "choice_filter_test.xlsx",
            (
                "choices, row 6, column B (name)",
                "The choice “king” already appears in the list “counties” on row 4.",
            ),
        ),
        (
            "exp.xlsx",
            (
                "survey, row 1, column C (label)",
                "Name the language of this column with its code, for example "
                "“label::English (en)”.",
            ),
        ),
        (
            "form_with_unicode_in_relevant_column.xlsx",
            (
                "survey, row 1, column D (label::Tetun)",
                "The language “Tetun” has no code. Write it as a name with its code in "
                "brackets, for example “English (en)”.",
            ),
        ),
        (
            "xl_date_ambiguous.xlsx",
            (
                "survey",
                "The questionnaire has no relationship questions. A framework needs at least "
                "one element group with mirrored questions (part “relationship”).",
            ),
        ),
    ],
)
def test_real_xlsforms_from_other_tools_are_explained_not_stored(world, fixture, expected):
    before = counts()
    response = upload(
        world.client_for(world.intl_editor),
        (FIXTURE_XLSFORMS / fixture).read_bytes(),
        f"new:{world.intl.pk}",
        name=fixture,
    )
    assert response.status_code == 400
    found = problems_of(response)
    where, start = expected
    assert any(w.startswith(where) and m.startswith(start) for w, m in found), found
    assert counts() == before


@pytest.mark.parametrize(
    "data",
    [
        b"not a spreadsheet at all",
        b"PK\x03\x04broken zip",
        BUILTIN_XLSFORM.read_bytes()[:4000],
    ],
    ids=["text", "broken-zip", "truncated"],
)
def test_an_unreadable_file_gets_one_clear_message(world, data):
    response = upload(world.client_for(world.intl_editor), data, f"new:{world.intl.pk}")
    assert response.status_code == 400
    assert problems_of(response) == [
        (
            "file",
            "This is not a spreadsheet Counterpart can read. Save it as an Excel workbook "
            "(.xlsx) and try again.",
        )
    ]


def test_a_file_that_unpacks_to_a_huge_size_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (41 * 1024 * 1024))
    response = upload(
        world.client_for(world.intl_editor), buffer.getvalue(), f"new:{world.intl.pk}"
    )
    assert problems_of(response) == [("file", "The spreadsheet unpacks to more than 40 MB.")]


def test_problems_are_explained_in_the_users_language(world):
    def blank_french(workbook):
        survey_cell(workbook, "voice_budget_local", "label::French (fr)").value = None

    client = world.client_for(world.intl_editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = upload(client, edited_workbook(blank_french), f"new:{world.intl.pk}")
    page = response.content.decode()
    assert "survey, ligne 21, colonne D (label::French (fr))" in page
    assert "Il manque le libellé en French." in page  # the file names its languages
    assert "Rien n’a été enregistré." in page


def test_a_viewer_cannot_upload(world):
    before = counts()
    response = upload(
        world.client_for(world.intl_viewer), small_framework_workbook(), f"new:{world.intl.pk}"
    )
    assert response.status_code == 302
    assert counts() == before


def test_nobody_adds_a_version_to_another_organisations_framework(world):
    theirs = make_framework(world.intl, world.intl_editor)
    before = counts()
    response = upload(
        world.client_for(world.local_editor),
        small_framework_workbook(),
        f"version:{theirs.framework_id}",
    )
    assert response.status_code == 400
    assert "target" in response.context["form"].errors
    assert counts() == before


def test_nobody_creates_a_framework_for_an_organisation_they_do_not_edit(world):
    before = counts()
    response = upload(
        world.client_for(world.local_editor), small_framework_workbook(), f"new:{world.intl.pk}"
    )
    assert response.status_code == 400
    assert counts() == before


def test_names_kept_for_practice_notes_are_refused(world):
    def clash(workbook):
        survey_cell(
            workbook, "fact_due_diligence_documents", "name"
        ).value = "check_exploring_both_ways_note"

    response = upload(
        world.client_for(world.intl_editor), edited_workbook(clash), f"new:{world.intl.pk}"
    )
    assert response.status_code == 400
    assert (
        "survey, row 84, column B (name)",
        "The name “check_exploring_both_ways_note” is kept for the note or the evidence link of "
        "the practice on row 80. Choose another name.",
    ) in problems_of(response)


def test_overlong_names_are_explained_not_stored(world):
    long_pair = "p" * 101

    def lengthen(workbook):
        survey_cell(workbook, "respect_time_intl", "pair").value = long_pair
        survey_cell(workbook, "respect_time_local", "pair").value = long_pair

    before = counts()
    response = upload(
        world.client_for(world.intl_editor), edited_workbook(lengthen), f"new:{world.intl.pk}"
    )
    assert response.status_code == 400
    assert (
        "survey, row 8, column U (pair)",
        "This is longer than 100 characters.",
    ) in problems_of(response)
    assert counts() == before


def test_a_sheet_beyond_the_row_limit_stops_the_checks_at_once(world):
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    survey = workbook.create_sheet("survey")
    survey.append(["type", "name", "label::English (en)"])
    for number in range(3001):
        survey.append(["text", f"q{number}", "Question"])
    workbook.create_sheet("choices").append(["list_name", "name", "label::English (en)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(
        world.client_for(world.intl_editor), buffer.getvalue(), f"new:{world.intl.pk}"
    )
    assert problems_of(response) == [("survey", "The sheet has more than 3000 rows.")]
