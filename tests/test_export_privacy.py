"""Exports keep what the pages keep: nothing of a sealed round or of a partner feedback round
below its threshold; in the anonymous tier no person, response identifier, time or language,
and no row per response at all, only the answers counted; in the organisation tier the side
and never the person, rows in an order that says nothing of who answered first; in the named
tier the names the results page shows."""

import datetime
import re

import pytest

from counterpart.assessments import services
from counterpart.assessments.models import Response
from counterpart.audit.models import AuditEvent
from counterpart.partnerships.models import Side

from .conftest import make_pooled_round, make_round, released_round, submit_answers
from .export_reading import as_dicts, body, export_url, read_csv, read_xlsx

EXPORTS = ["export_round_responses", "export_round_results"]
FORMATS = ["xlsx", "csv"]
# Submitted in this order; the content sorts them 1, 3, 5.
LOCAL_ANSWERS = [
    {"respect_advice_local": "5", "check_implementation_checkins": "done"},
    {"respect_advice_local": "1", "check_implementation_checkins": "not_yet"},
    {"respect_advice_local": "3", "check_implementation_checkins": "partly"},
]
INTERNATIONAL = {"respect_advice_intl": "4", "check_implementation_checkins_note": "Kept up."}
PEOPLE = ["Amira Haddad", "Joseph Deng", "amira@intl.example.org", "joseph@local.example.org"]
PEOPLE += ["local1@example.org", "local2@example.org"]


def _released(world, privacy):
    return released_round(
        world,
        {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: LOCAL_ANSWERS},
        privacy=privacy,
    )


def _download(world, round_, name, fmt, user=None):
    client = world.client_for(user or world.intl_viewer)
    return client.get(export_url(name, fmt, round_id=round_.pk))


def _rows(response, fmt):
    if fmt == "csv":
        return read_csv(response)
    return next(iter(read_xlsx(response).values()))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", EXPORTS)
def test_a_sealed_round_is_refused_with_its_sealed_page(world, name, fmt):
    round_ = make_round(world, privacy="named")
    submit_answers(round_.respondents.get(side=Side.LOCAL), {"respect_advice_local": "2"})
    events = AuditEvent.objects.count()
    response = _download(world, round_, name, fmt)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "The results are not available" in page
    assert "The answers stay sealed until everyone asked has submitted" in page
    assert "respect_advice_local" not in page and "Joseph Deng" not in page
    assert AuditEvent.objects.count() == events  # nothing was downloaded


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", EXPORTS)
def test_a_partner_feedback_round_below_its_threshold_is_never_exported(world, name, fmt):
    round_ = make_pooled_round(world, people=5, threshold=5)
    for respondent in list(round_.respondents.all())[:4]:
        submit_answers(respondent, {"respect_advice_local": "2"})
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    assert round_.state == "closed"
    response = _download(world, round_, name, fmt, user=world.intl_admin)
    assert response.status_code == 403
    page = response.content.decode()
    assert "People from 4 partner organisations answered this round" in page
    assert "respect_advice_local" not in page and "Disagree" not in page


def _feedback(world, values="524", language="fr"):
    """A partner feedback round (anonymous) whose partners answered `values` in that order."""
    round_ = make_pooled_round(world, people=len(values), threshold=3)
    for respondent, given in zip(round_.respondents.order_by("pk"), values, strict=True):
        answers = {"respect_advice_local": given, "respect_time_local": "4"}
        submit_answers(respondent, answers, language=language)
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    assert round_.state == "released"
    return round_


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_anonymous_tier_names_nobody_and_only_counts(world, fmt):
    round_ = _feedback(world, "524")
    response = _download(world, round_, "export_round_responses", fmt)
    assert response.status_code == 200
    rows = _rows(response, fmt)
    header = rows[0]
    for column in ("Response ID", "Respondent", "Submitted on", "Language code"):
        assert column not in header
    data = body(response) if fmt == "csv" else repr(rows).encode()
    secrets_ = [str(pk) for pk in Response.objects.values_list("pk", flat=True)]
    secrets_ += [p.email for p in round_.respondents.all()]
    secrets_ += [p.name for p in round_.respondents.all()]
    for secret in secrets_:
        assert secret.encode() not in data
    # No time (not even the week) and no language, in any cell.
    cells = [cell for row in rows for cell in row]
    assert not any(isinstance(cell, datetime.date) for cell in cells)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", str(cell)) for cell in cells)
    assert "fr" not in cells
    # No row per response, no column per question: one row per question and answer, counted.
    assert "respect_advice_local" not in header and "respect_time_local" not in header
    entries = as_dicts([["" if c is None else str(c) for c in row] for row in rows])
    advice = [e for e in entries if e["Question code"] == "respect_advice_local"]
    counted = {e["Value code"]: e["Count"] for e in advice if e["Count"] not in ("", "0")}
    assert counted == {"2": "1", "4": "1", "5": "1"}
    time = [e for e in entries if e["Question code"] == "respect_time_local"]
    assert {e["Value code"]: e["Count"] for e in time if e["Count"] not in ("", "0")} == {"4": "3"}
    asked_here = ("respect_advice_local", "respect_time_local")
    assert all(len({cell for cell in row if cell in asked_here}) <= 1 for row in rows)
    # A partner feedback round asks only the local side's relationship questions.
    asked = {e["Question code"] for e in entries}
    assert "respect_advice_intl" not in asked
    assert not any(name.startswith(("check_", "fact_")) for name in asked)


def test_the_anonymous_file_does_not_follow_the_order_of_submission(world):
    """Whatever the order the partners answered in, and whatever random identifiers their
    responses got, the file is the same: it holds counts, not responses."""
    files = []
    for order in ("35142", "12345", "54321"):
        round_ = _feedback(world, order)
        files.append(read_csv(_download(world, round_, "export_round_responses", "csv")))
    assert files[0] == files[1] == files[2]
    advice = [row for row in files[0] if "respect_advice_local" in row]
    count = files[0][0].index("Count")
    assert [row[count] for row in advice] == ["1"] * 5 + ["0", "0"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_organisation_tier_shows_the_side_never_the_person(world, fmt):
    round_ = _released(world, "organisation")
    response = _download(world, round_, "export_round_responses", fmt, user=world.local_admin)
    rows = _rows(response, fmt)
    header = rows[0]
    assert header[:2] == ["Side code", "Side"]
    assert "Respondent" not in header and "Response ID" not in header
    assert "Submitted on" not in header and "Language code" not in header
    data = body(response) if fmt == "csv" else repr(rows).encode()
    for secret in PEOPLE + [str(pk) for pk in Response.objects.values_list("pk", flat=True)]:
        assert secret.encode() not in data
    assert [row[1] for row in rows[1:]] == ["International side"] + ["Local side"] * 3
    advice = header.index("respect_advice_local")
    assert [row[advice] for row in rows[2:]] == ["1", "3", "5"]


def test_the_named_tier_names_each_person_as_the_results_page_does(world):
    round_ = _released(world, "named")
    rows = as_dicts(read_csv(_download(world, round_, "export_round_responses", "csv")))
    # A person with a name is named; one without is shown by email, as on the page.
    assert [row["Respondent"] for row in rows] == [
        "Amira Haddad",
        "Joseph Deng",
        "local1@example.org",
        "local2@example.org",
    ]
    page = world.client_for(world.intl_viewer).get(f"/rounds/{round_.pk}/results/")
    assert "Joseph Deng" in page.content.decode()


def _results(world, round_, user=None):
    return as_dicts(read_csv(_download(world, round_, "export_round_results", "csv", user)))


def test_results_name_the_person_only_in_the_named_tier(world):
    named = _results(world, _released(world, "named"))
    comment = next(row for row in named if row["Measure code"] == "comment")
    assert comment["Respondent"] == "Amira Haddad" and comment["Text"] == "Kept up."
    answered = [row for row in named if row["Measure code"] == "named_answer"]
    assert {(row["Respondent"], row["Value"]) for row in answered} >= {
        ("Joseph Deng", "Strongly agree"),
        ("local1@example.org", "Strongly disagree"),
        ("Amira Haddad", "Agree"),
    }
    rows = _results(world, _released(world, "organisation"))
    assert "Respondent" not in rows[0]
    assert not any(row["Measure code"] == "named_answer" for row in rows)
    comment = next(row for row in rows if row["Measure code"] == "comment")
    assert comment["Text"] == "Kept up."
    assert not any(person in str(rows) for person in PEOPLE)
    round_ = _feedback(world)
    rows = _results(world, round_)
    assert "Respondent" not in rows[0]
    assert not any(row["Measure code"] == "named_answer" for row in rows)
    assert not any(p.email in str(rows) for p in round_.respondents.all())
