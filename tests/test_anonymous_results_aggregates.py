"""Anonymous results are aggregates only, everywhere. An organisation runs a partner feedback
round, five partners answer, and the organisation then takes everything it can: the responses
and results as CSV and XLSX, the PDF report, the results page, the dialogue guide and the API.
No output holds a row of one response (no identifier, no answers of one person side by side,
no date), the counts of each question add up to the responses that answered it, comments come
sorted by their text and never beside anything of their author's, and below the threshold
nothing but the count is computed."""

import datetime
import json
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counterpart.assessments import services
from counterpart.assessments.models import Answer, Response, RoundState
from counterpart.frameworks.models import Question
from counterpart.frameworks.selectors import choice_labels, version_content
from counterpart.reports import export_selectors

from .conftest import api_client, make_pooled_round, submit_answers
from .export_reading import as_dicts, body, export_url, read_csv, read_xlsx
from .pdf_reading import read_pdf, whole_text

QUESTIONS = ["respect_advice_local", "respect_time_local", "voice_design_local"]
# What each partner answered, in the order they submitted. Each pattern is unique, so a row
# holding a person's answers side by side would give them away.
PATTERNS = [
    {"respect_advice_local": "1", "respect_time_local": "5", "voice_design_local": "2"},
    {"respect_advice_local": "2", "respect_time_local": "4", "voice_design_local": "2"},
    {"respect_advice_local": "3", "respect_time_local": "4", "voice_design_local": "dont_know"},
    {"respect_advice_local": "4", "respect_time_local": "2"},
    {"respect_advice_local": "5", "respect_time_local": "4", "voice_design_local": "3"},
]
LABELS = {
    "1": "Strongly disagree",
    "2": "Disagree",
    "3": "Neither agree nor disagree",
    "4": "Agree",
    "5": "Strongly agree",
    "dont_know": "I don't know",
}
# Comments that came with the answers (as an offline import keeps them), written by the first
# and the last partner. Their alphabetical order is not the order of the partners.
NOTES = {
    ("respect_advice_local", "1"): "Zero say in the budget, again.",
    ("respect_time_local", "5"): "Meetings are at times that suit us.",
    ("respect_advice_local", "5"): "Always asked before a change.",
}


def _answered(world, patterns=PATTERNS, threshold=5, people=5):
    """A partner feedback round of `people` partners, in which one partner per pattern
    answered, then closed."""
    round_ = make_pooled_round(world, people=people, threshold=threshold)
    for respondent, answers in zip(round_.respondents.order_by("pk"), patterns, strict=False):
        submit_answers(respondent, answers)
    for (question, value), note in NOTES.items():
        given = Answer.objects.filter(response__round=round_, question__name=question)
        given.filter(value=value).update(note=note)
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    return round_


def _secrets(round_):
    """What would join an output row to a response or a person."""
    responses = Response.objects.filter(round=round_)
    answers = Answer.objects.filter(response__round=round_)
    found = [str(pk) for pk in responses.values_list("pk", flat=True)]
    found += [str(pk) for pk in answers.values_list("pk", flat=True)]
    for respondent in round_.respondents.all():
        found += [respondent.email] + ([respondent.name] if respondent.name else [])
    return found


def _expected_counts():
    counts = {question: Counter() for question in QUESTIONS}
    for pattern in PATTERNS:
        for question, value in pattern.items():
            counts[question][value] += 1
    return counts


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _download(world, round_, name, fmt):
    client = world.client_for(world.intl_admin)
    response = client.get(export_url(name, fmt, round_id=round_.pk))
    assert response.status_code == 200, response.status_code
    return response


def _questions_in(row):
    return {cell for cell in row if cell in QUESTIONS}


@pytest.fixture
def attacked(world):
    round_ = _answered(world)
    assert round_.state == RoundState.RELEASED
    return round_


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_responses_file_counts_the_answers_and_holds_no_row_of_a_response(world, attacked, fmt):
    response = _download(world, attacked, "export_round_responses", fmt)
    if fmt == "csv":
        rows = read_csv(response)
        data = body(response).decode("utf-8-sig")
    else:
        sheets = read_xlsx(response)
        # The counts only: no sheet of questions that would repeat a column per question.
        assert list(sheets) == ["Responses"]
        rows = [["" if cell is None else cell for cell in row] for row in sheets["Responses"]]
        data = repr(rows)
    header = rows[0]
    assert header == [
        "Element code",
        "Element",
        "Question code",
        "Question",
        "Measure code",
        "Measure",
        "Value code",
        "Value",
        "Count",
        "Text",
    ]
    for secret in _secrets(attacked):
        assert secret not in data
    # Never a column per question, never two questions' answers in one row.
    assert not _questions_in(header)
    assert all(len(_questions_in(row)) <= 1 for row in rows[1:])
    # No day, no time, no language in any cell.
    assert not ISO_DAY.search(data)
    assert not any(isinstance(cell, datetime.date) for row in rows for cell in row)
    entries = as_dicts([[str(cell) for cell in row] for row in rows])
    for question, expected in _expected_counts().items():
        chosen = [
            e for e in entries if e["Question code"] == question and e["Measure code"] == "chosen"
        ]
        # Every answer that could be chosen, in the list's order, with how many chose it.
        assert [e["Value code"] for e in chosen] == [*LABELS, "not_applicable"]
        assert {e["Value code"]: int(e["Count"]) for e in chosen if e["Count"] != "0"} == expected
        assert sum(int(e["Count"]) for e in chosen) == sum(expected.values())
        assert all(e["Value"] == LABELS.get(e["Value code"], "Does not apply") for e in chosen)
        assert {e["Element code"] for e in chosen} == {question.split("_")[0]}
    advice = [e for e in entries if e["Question code"] == QUESTIONS[0] and e["Count"]]
    assert sum(int(e["Count"]) for e in advice) == 5
    # The comments, each under its question alone, sorted by their text.
    comments = [(e["Question code"], e["Text"]) for e in entries if e["Measure code"] == "comment"]
    assert comments == [
        ("respect_advice_local", "Always asked before a change."),
        ("respect_advice_local", "Zero say in the budget, again."),
        ("respect_time_local", "Meetings are at times that suit us."),
    ]
    for entry in entries:
        if entry["Measure code"] == "comment":
            assert entry["Value code"] == entry["Value"] == entry["Count"] == ""
    # A partner feedback round asks only the local side's relationship questions.
    asked = {e["Question code"] for e in entries}
    assert "respect_advice_intl" not in asked
    assert not any(code.startswith(("check_", "fact_")) for code in asked)


def test_the_responses_file_is_the_same_whatever_the_order_of_submission(world):
    first = read_csv(_download(world, _answered(world), "export_round_responses", "csv"))
    again = read_csv(
        _download(world, _answered(world, PATTERNS[::-1]), "export_round_responses", "csv")
    )
    assert first == again


def test_the_results_file_counts_and_lists_comments_without_a_person_or_a_date(world, attacked):
    for fmt in ("csv", "xlsx"):
        response = _download(world, attacked, "export_round_results", fmt)
        if fmt == "csv":
            rows = read_csv(response)
        else:
            rows = next(iter(read_xlsx(response).values()))
            rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
        data = repr(rows)
        for secret in _secrets(attacked):
            assert secret not in data
        assert not ISO_DAY.search(data)
        assert "Respondent" not in rows[0]
        entries = as_dicts(rows)
        assert not any(e["Measure code"] == "named_answer" for e in entries)
        for pair, expected in (
            ("respect_advice", _expected_counts()["respect_advice_local"]),
            ("respect_time", _expected_counts()["respect_time_local"]),
        ):
            chosen = [
                e for e in entries if e["Item code"] == pair and e["Measure code"] == "chosen"
            ]
            assert {e["Value code"]: int(float(e["Count"])) for e in chosen} == expected
        comments = [e["Text"] for e in entries if e["Measure code"] == "comment"]
        assert comments == [
            "Always asked before a change.",
            "Zero say in the budget, again.",
            "Meetings are at times that suit us.",
        ]


def test_the_api_gives_counts_and_comments_only(world, attacked):
    response = api_client(world.intl_viewer).get(f"/api/rounds/{attacked.pk}/results/")
    assert response.status_code == 200
    results = response.json()
    data = json.dumps(results)
    for secret in _secrets(attacked):
        assert secret not in data
    assert not ISO_DAY.search(data)
    assert set(results) == {
        "round",
        "language",
        "conversation_mode",
        "gap_threshold",
        "responses",
        "elements",
        "foundations",
        "pairs",
        "practices",
    }
    assert results["responses"] == [{"side": "local", "responses": 5}]
    expected = _expected_counts()
    for pair in results["pairs"]:
        question = f"{pair['code']}_local"
        (partners,) = pair["distribution"]
        counts = {c["value"]: c["count"] for c in partners["counts"] if c["count"]}
        assert counts == dict(expected.get(question, {}))
        assert sum(c["count"] for c in partners["counts"]) == sum(counts.values())
        for comment in pair["comments"]:
            assert set(comment) == {"side", "who", "text"} and comment["who"] == ""
    advice = next(p for p in results["pairs"] if p["code"] == "respect_advice")
    assert [c["text"] for c in advice["comments"]] == [
        "Always asked before a change.",
        "Zero say in the budget, again.",
    ]


def test_the_pages_and_the_report_show_counts_and_comments_only(world, attacked):
    client = world.client_for(world.intl_admin)
    texts = {
        name: client.get(reverse(name, args=[attacked.pk])).content.decode()
        for name in ("round_results", "dialogue_guide")
    }
    texts["pdf"] = whole_text(read_pdf(client.get(reverse("round_report_pdf", args=[attacked.pk]))))
    monday = Response.objects.filter(round=attacked).values_list("submitted_on", flat=True)[0]
    for name, text in texts.items():
        for secret in _secrets(attacked):
            assert secret not in text, name
        # The week of the answers is kept in storage; it is shown nowhere.
        if monday != timezone.localdate():
            assert monday.isoformat() not in text, name
    page = texts["round_results"]
    assert "Strongly disagree (1)" in page and "Agree (3)" in page
    advice = page.index("Always asked before a change.")
    assert advice < page.index("Zero say in the budget, again.")
    assert "Disagree (1)" in " ".join(texts["pdf"].split())
    # The page says what its download of the responses holds.
    assert "The answers counted, question by question, and the comments:" in page
    assert "never one row per response" in page


@pytest.mark.parametrize(
    "url",
    [
        lambda pk: export_url("export_round_responses", "csv", round_id=pk),
        lambda pk: export_url("export_round_responses", "xlsx", round_id=pk),
        lambda pk: export_url("export_round_results", "csv", round_id=pk),
        lambda pk: export_url("export_round_results", "xlsx", round_id=pk),
        lambda pk: reverse("round_report_pdf", args=[pk]),
        lambda pk: reverse("round_results", args=[pk]),
        lambda pk: reverse("dialogue_guide", args=[pk]),
        lambda pk: f"/api/rounds/{pk}/results/",
    ],
)
def test_below_the_threshold_nothing_but_the_count_is_computed(world, url):
    round_ = _answered(world, PATTERNS[:4], threshold=5)
    assert round_.state != RoundState.RELEASED
    # Even marked released by hand, four answers stay unread.
    round_.state = RoundState.RELEASED
    round_.save(update_fields=["state"])
    client = (
        api_client(world.intl_admin)
        if url(round_.pk).startswith("/api/")
        else world.client_for(world.intl_admin)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(round_.pk))
        content = body(response)
    assert response.status_code == 403
    assert not any('"assessments_answer"' in q["sql"] for q in queries)
    assert "Content-Disposition" not in response
    text = content.decode()
    for label in LABELS.values():
        assert label not in text
    for note in NOTES.values():
        assert note not in text


def test_an_anonymous_rounds_answers_are_never_read_by_response(world, attacked):
    questions = export_selectors.response_questions(attacked)
    with pytest.raises(ValueError, match="never by response"):
        list(export_selectors.response_rows(attacked, questions))


def _choices(round_, question_name):
    content = version_content(round_.framework_version)
    question = content.questions_by_name[question_name]
    return choice_labels(content.choices, "en", "en")[question.list_name]


def test_several_choices_and_numbers_are_counted_too(world, attacked):
    """Answers to other questions (as an offline import may bring): a question with several
    choices counts each choice ticked; a number has one row per value given, in order."""
    version = attacked.framework_version
    credit = Question.objects.get(version=version, name="fact_credit")
    reports = Question.objects.get(version=version, name="fact_reports_per_year")
    responses = list(Response.objects.filter(round=attacked))
    credit_codes = [c for c, _label in _choices(attacked, "fact_credit")]
    given = [f"{credit_codes[0]} {credit_codes[1]}", credit_codes[0], credit_codes[1]]
    for response, value, number in zip(responses, given, ["12", "4", "4"], strict=False):
        Answer.objects.create(response=response, question=credit, side="local", value=value)
        Answer.objects.create(response=response, question=reports, side="local", value=number)
    entries = as_dicts(read_csv(_download(world, attacked, "export_round_responses", "csv")))
    ticked = {e["Value code"]: e["Count"] for e in entries if e["Question code"] == "fact_credit"}
    assert ticked[credit_codes[0]] == ticked[credit_codes[1]] == "2"
    assert set(ticked.values()) <= {"0", "2"}
    numbers = [
        (e["Value code"], e["Count"])
        for e in entries
        if e["Question code"] == "fact_reports_per_year"
    ]
    assert numbers == [("4", "2"), ("12", "1")]
