"""A round's results as XLSX and CSV: the scores by element and foundation with each side's
score and the gap, each statement with what each side chose, the practices and the facts;
no number at all in conversation mode."""

from django.http import FileResponse, StreamingHttpResponse

from counterpart.assessments.services import round_close
from counterpart.partnerships.models import Side

from .conftest import make_pooled_round, released_round, submit_answers
from .export_reading import as_dicts, export_url, read_csv, read_xlsx, xlsx_cells

INTERNATIONAL = {
    "respect_advice_intl": "5",
    "respect_time_intl": "4",
    "check_implementation_checkins": "done",
    "fact_reports_per_year": "4",
}
LOCAL = {
    "respect_advice_local": "2",
    "respect_time_local": "dont_know",
    "check_implementation_checkins": "partly",
    "check_implementation_checkins_note": "Only when we ask.",
}


def _round(world, **fields):
    return released_round(
        world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]}, **fields
    )


def _get(world, round_, fmt="csv", query="", user=None):
    client = world.client_for(user or world.local_viewer)
    return client.get(export_url("export_round_results", fmt, query, round_id=round_.pk))


def _find(rows, **where):
    found = [row for row in rows if all(row[k] == v for k, v in where.items())]
    assert found, where
    return found


def test_scores_and_gaps_by_element_with_codes_and_labels(world):
    round_ = _round(world)
    response = _get(world, round_)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        f'attachment; filename="counterpart-round-{round_.pk}-check-in-2026-results.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == [
        "Section code",
        "Section",
        "Element code",
        "Element",
        "Item code",
        "Item",
        "Side code",
        "Side",
        "Measure code",
        "Measure",
        "Value code",
        "Value",
        "Count",
        "Score",
        "Gap",
        "Gap flag code",
        "Gap flag",
        "Text",
    ]
    rows = as_dicts(rows)
    counted = _find(rows, **{"Section code": "responses"})
    assert [(r["Side code"], r["Count"]) for r in counted] == [
        ("international", "1"),
        ("local", "1"),
    ]
    (intl,) = _find(
        rows,
        **{"Section code": "elements", "Element code": "respect", "Side code": "international"},
    )
    assert intl["Element"] == "Mutual respect" and intl["Section"] == "Scores by element"
    assert intl["Side"] == "International side" and intl["Measure code"] == "score"
    assert (intl["Count"], intl["Score"], intl["Gap"]) == ("2", "88", "63")
    assert (intl["Gap flag code"], intl["Gap flag"]) == ("blind_spot", "blind spot")
    (local,) = _find(
        rows, **{"Section code": "elements", "Element code": "respect", "Side code": "local"}
    )
    assert (local["Count"], local["Score"], local["Gap"]) == ("1", "25", "63")
    # An element nobody answered has no score rather than zero.
    (nobody,) = _find(
        rows, **{"Section code": "elements", "Element code": "transparency", "Side code": "local"}
    )
    assert (nobody["Count"], nobody["Score"], nobody["Gap"]) == ("0", "", "")
    (trust,) = _find(
        rows, **{"Section code": "foundations", "Item code": "trust", "Side code": "international"}
    )
    assert trust["Item"] == "Trust" and trust["Gap"] == "63"


def test_each_statement_with_what_each_side_chose(world):
    rows = as_dicts(read_csv(_get(world, _round(world))))
    advice = _find(rows, **{"Section code": "statements", "Item code": "respect_advice"})
    scores = [r for r in advice if r["Measure code"] == "score"]
    assert [(r["Side code"], r["Score"], r["Gap"], r["Gap flag code"]) for r in scores] == [
        ("international", "100", "75", "blind_spot"),
        ("local", "25", "75", "blind_spot"),
    ]
    chosen = [r for r in advice if r["Measure code"] == "chosen"]
    assert [(r["Side code"], r["Value code"], r["Value"], r["Count"]) for r in chosen] == [
        ("international", "5", "Strongly agree", "1"),
        ("local", "2", "Disagree", "1"),
    ]
    assert chosen[0]["Item"].startswith("We ask for our partner's advice")
    assert chosen[1]["Item"].startswith("Our partner asks for our advice")
    assert chosen[0]["Element"] == "Mutual respect" and chosen[0]["Measure"] == "Answer chosen"
    time = _find(
        rows, **{"Item code": "respect_time", "Side code": "local", "Measure code": "chosen"}
    )
    assert [(r["Value code"], r["Value"]) for r in time] == [("dont_know", "I don't know")]


def test_practices_notes_and_facts(world):
    rows = as_dicts(read_csv(_get(world, _round(world))))
    checkins = _find(
        rows, **{"Section code": "practices", "Item code": "check_implementation_checkins"}
    )
    assert {(r["Side code"], r["Value code"], r["Count"]) for r in checkins if r["Value code"]} == {
        ("international", "done", "1"),
        ("local", "partly", "1"),
    }
    (note,) = [r for r in checkins if r["Measure code"] == "comment"]
    assert note["Text"] == "Only when we ask." and note["Side code"] == "local"
    (fact,) = _find(rows, **{"Section code": "facts", "Item code": "fact_reports_per_year"})
    assert (fact["Side code"], fact["Value"], fact["Measure code"]) == (
        "international",
        "4",
        "fact",
    )


def test_the_workbook_holds_numbers_as_numbers(world):
    round_ = _round(world)
    response = _get(world, round_, "xlsx")
    assert isinstance(response, FileResponse)
    assert list(read_xlsx(response)) == ["Results"]
    cells = xlsx_cells(_get(world, round_, "xlsx"))
    header = [cell.value for cell in cells[0]]
    row = next(
        r
        for r in cells[1:]
        if r[header.index("Section code")].value == "elements"
        and r[header.index("Element code")].value == "respect"
        and r[header.index("Side code")].value == "international"
    )
    assert row[header.index("Score")].value == 88
    assert row[header.index("Score")].data_type == "n"
    assert row[header.index("Gap")].value == 63


def test_conversation_mode_has_no_count_score_or_gap(world):
    round_ = _round(world, conversation_mode=True)
    for fmt in ("csv", "xlsx"):
        response = _get(world, round_, fmt)
        rows = read_csv(response) if fmt == "csv" else read_xlsx(response)["Results"]
        header = rows[0]
        for column in ("Count", "Score", "Gap", "Gap flag code", "Gap flag"):
            assert column not in header
        measures = {row[header.index("Measure code")] for row in rows[1:]}
        assert measures == {"chosen", "comment", "fact"}
        sections = {row[0] for row in rows[1:]}
        assert "elements" not in sections and "foundations" not in sections
        assert "responses" not in sections
        # The answers themselves stay, as on the page.
        values = [row[header.index("Value")] for row in rows[1:]]
        assert "Strongly agree" in values and "Disagree" in values
        assert not any("blind" in str(cell) for row in rows for cell in row)


def test_labels_in_french_and_arabic(world):
    round_ = _round(world)
    french = read_csv(_get(world, round_, query="?lang=fr"))
    header = french[0]
    element = header.index("Élément")
    row = next(r for r in french if r[0] == "elements" and r[2] == "respect")
    assert row[1] == "Notes par élément"
    assert row[element] == "Respect mutuel"
    assert row[7] == "Côté international"
    assert "angle mort" in row
    chosen = next(r for r in french if r[8] == "chosen" and r[10] == "5")
    assert chosen[11] == "Tout à fait d'accord"
    arabic = read_xlsx(_get(world, round_, "xlsx", query="?lang=ar"))
    rows = next(iter(arabic.values()))
    row = next(r for r in rows if r[0] == "elements" and r[2] == "respect")
    assert row[3] == "الاحترام المتبادل" and row[7] == "الطرف الدولي"


def test_a_partner_feedback_round_speaks_of_partners_and_has_no_gap(world):
    round_ = make_pooled_round(world, people=3, threshold=3)
    for respondent, given in zip(round_.respondents.all(), "524", strict=True):
        submit_answers(respondent, {"respect_advice_local": given})
    round_close(actor=world.intl_editor, round_=round_)
    rows = as_dicts(read_csv(_get(world, round_, user=world.intl_viewer)))
    assert {r["Side code"] for r in rows} == {"local"}
    assert {r["Side"] for r in rows} == {"Partners"}
    assert all(r["Gap"] == "" and r["Gap flag code"] == "" for r in rows)
    (score,) = _find(rows, **{"Section code": "elements", "Element code": "respect"})
    assert (score["Count"], score["Score"]) == ("3", "67")
    # As on the page: a partner feedback round shows no statement's score, only its answers.
    statements = _find(rows, **{"Section code": "statements"})
    assert not [r for r in statements if r["Measure code"] == "score"]
    counts = _find(rows, **{"Item code": "respect_advice", "Measure code": "chosen"})
    assert [(r["Value code"], r["Count"]) for r in counts] == [("2", "1"), ("4", "1"), ("5", "1")]
