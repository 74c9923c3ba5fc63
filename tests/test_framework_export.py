"""Any version downloads as an XLSForm that pyxform turns into an XForm, and as that XForm;
reading the download back gives the same framework."""

import io

import openpyxl
import pytest
from django.urls import reverse
from lxml import etree
from pyxform import xls2xform

from counterpart.frameworks import xlsform
from counterpart.frameworks.models import Part

from .conftest import builtin_version, make_framework

pytestmark = pytest.mark.django_db


def _download(client, name, version):
    response = client.get(reverse(name, args=[version.pk]))
    assert response.status_code == 200
    return response


def test_the_xlsform_has_the_three_sheets_translations_and_our_columns(client):
    version = builtin_version()
    response = _download(client, "framework_version_xlsform", version)
    assert response["Content-Disposition"] == (
        'attachment; filename="equitable_partnerships-v1.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    headers = [cell.value for cell in workbook["survey"][1]]
    for language in ("English (en)", "French (fr)", "Spanish (es)", "Arabic (ar)"):
        assert f"label::{language}" in headers
        assert f"hint::{language}" in headers
        assert f"prompt::{language}" in headers
        assert f"label::{language}" in [cell.value for cell in workbook["choices"][1]]
    for column in ("part", "element", "side", "pair", "foundations", "stage"):
        assert column in headers
    rows = {
        row[1]: dict(zip(headers, row, strict=False))
        for row in workbook["survey"].iter_rows(min_row=2, values_only=True)
    }
    pair = rows["voice_budget_local"]
    assert (pair["part"], pair["element"], pair["side"], pair["pair"]) == (
        "relationship",
        "voice",
        "local",
        "voice_budget",
    )
    assert pair["relevant"] == "${respondent_side} = 'local'"
    assert pair["label::Arabic (ar)"]
    # Each practice carries a note and an evidence link for offline answers.
    note = rows["check_review_safe_note"]
    assert (note["type"], note["part"]) == ("text", "practice_note")
    assert (
        rows["check_review_safe_evidence"]["label::French (fr)"]
        == "Lien vers une preuve (facultatif)"
    )
    settings = [cell.value for cell in workbook["settings"][2]]
    assert settings == ["Equitable Partnerships", "equitable_partnerships", "1", "English (en)"]


def test_pyxform_turns_the_download_into_an_xform_in_four_languages(client):
    response = _download(client, "framework_version_xlsform", builtin_version())
    result = xls2xform.convert(xlsform=io.BytesIO(response.content), file_type=".xlsx")
    tree = etree.fromstring(result.xform.encode())
    namespaces = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
    languages = tree.xpath("//x:itext/x:translation/@lang", namespaces=namespaces)
    assert languages == ["English (en)", "French (fr)", "Spanish (es)", "Arabic (ar)"]
    instance = tree.xpath("//x:instance/x:data", namespaces=namespaces)[0]
    assert instance.get("id") == "equitable_partnerships"
    assert instance.find("x:voice/x:voice_budget_local", namespaces) is not None
    assert instance.find("x:stage_review/x:check_review_safe_evidence", namespaces) is not None


def test_the_xform_download_is_the_same_questionnaire(client):
    response = _download(client, "framework_version_xform", builtin_version())
    assert response["Content-Type"] == "text/xml"
    tree = etree.fromstring(response.content)
    names = {element.tag.split("}")[1] for element in tree.iter() if isinstance(element.tag, str)}
    assert {"respondent_side", "respect_time_intl", "fact_overhead_rate"} <= names


def test_reading_the_download_back_gives_the_same_framework(client):
    version = builtin_version()
    response = _download(client, "framework_version_xlsform", version)
    again = xlsform.read_workbook(response.content)
    stored = {
        q.name: (q.type, q.part, q.element, q.side, q.pair, q.stage, q.foundations, q.label)
        for q in version.questions.all()
    }
    read = {
        row.name: (
            row.type,
            row.part,
            row.element or (row.section if row.part == Part.RELATIONSHIP else ""),
            row.side,
            row.pair,
            row.stage,
            row.foundations,
            row.texts["label"],
        )
        for row in again.rows
    }
    assert read == stored
    assert [(c.list_name, c.value, c.label) for c in version.choices.all()] == again.choices
    assert [g.code for g in again.groups] == [s.code for s in version.sections.all()]


def test_an_uploaded_framework_downloads_with_its_own_languages(world):
    version = make_framework(world.intl, world.intl_editor)
    response = _download(world.client_for(world.local_viewer), "framework_version_xlsform", version)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook["survey"][1]]
    assert "label::French (fr)" in headers
    assert "label::Arabic (ar)" not in headers


def test_text_that_looks_like_a_formula_downloads_as_text(world):
    from .conftest import edited_workbook, small_framework_workbook

    def formula_label(workbook):
        # A text cell, as a spreadsheet stores a label typed with a leading apostrophe.
        workbook["survey"]["C4"] = '=HYPERLINK("https://evil.example","Click")'
        workbook["survey"]["C4"].data_type = "s"

    version = make_framework(
        world.intl,
        world.intl_editor,
        data=edited_workbook(formula_label, small_framework_workbook()),
    )
    label = version.questions.get(position=4).label["en"]
    assert label == '=HYPERLINK("https://evil.example","Click")'
    response = _download(world.client_for(world.intl_viewer), "framework_version_xlsform", version)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = workbook["survey"]["C4"]
    assert cell.value == label
    assert cell.data_type == "s"
