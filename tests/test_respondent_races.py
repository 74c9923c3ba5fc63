"""Requests of one respondent that really overlap, each on its own database connection: a double
click or two devices submitting at once store one response; a page saved while the answers are
submitted is either in them or refused; when the last two people submit together, the round
closes and its answers unseal; one person submitting twice never helps reach an anonymous
round's threshold. These run on PostgreSQL, where requests truly run side by side. SQLite's
test database lives in memory, shared by the threads, and refuses a second writer outright
instead of making it wait; bench/respondent_drill.py plays the same races against a SQLite file
behind gunicorn."""

import re
from http.cookies import SimpleCookie

import pytest
from django.db import connection
from django.test import Client

from counterpart.assessments.models import Answer, Respondent, Response, RoundState
from counterpart.assessments.selectors import organisations_answered
from counterpart.partnerships.models import Side

from .concurrency import together
from .conftest import make_pooled_round, make_round, respondent_client

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs a database server: run with DATABASE_URL"
    ),
]

ATTEMPTS = 4


def _together(calls):
    return together(calls)


def _same_browser(client):
    """A second client holding the same cookies: the second click of a double click."""
    twin = Client()
    twin.cookies = SimpleCookie()
    for key, morsel in client.cookies.items():
        twin.cookies[key] = morsel.value
    return twin


def _answer_pages(client, value="4", skip_page=None):
    """Save every page with `value` on the agreement scale (except `skip_page`); returns the
    field names of each page."""
    client.post("/respond/start/", {"language": "en"})
    names_by_page = {}
    page = 1
    while True:
        form = client.get(f"/respond/page/{page}/").content.decode()
        names = sorted(set(re.findall(r'name="([a-z0-9_]+)" value="' + value + '"', form)))
        names_by_page[page] = names
        data = {} if page == skip_page else {n: value for n in names}
        response = client.post(f"/respond/page/{page}/", data)
        assert response.status_code == 302, response.content.decode()[:500]
        if response["Location"].endswith("/respond/review/"):
            return names_by_page
        page += 1


def _submitted(response):
    return response.status_code == 302 and response["Location"].endswith("/respond/done/")


def _local(round_):
    return round_.respondents.get(side=Side.LOCAL)


@pytest.mark.parametrize("devices", ["double click", "two devices"])
def test_one_person_submitting_twice_at_once_is_stored_once(world, devices):
    for _attempt in range(ATTEMPTS):
        round_ = make_round(world, title=f"Race {_attempt}")
        respondent = _local(round_)
        first = respondent_client(respondent)
        _answer_pages(first)
        second = (
            _same_browser(first) if devices == "double click" else respondent_client(respondent)
        )
        outcomes = _together(
            [lambda: first.post("/respond/review/"), lambda: second.post("/respond/review/")]
        )
        assert sum(_submitted(o) for o in outcomes) == 1, [o.status_code for o in outcomes]
        assert Response.objects.filter(round=round_, side=Side.LOCAL).count() == 1
        refused = next(o for o in outcomes if not _submitted(o))
        assert "now used" in refused.content.decode() or "no longer" in refused.content.decode()


def test_a_page_saved_while_the_answers_are_submitted_is_in_them_or_refused(world):
    for attempt in range(ATTEMPTS * 2):
        round_ = make_round(world, title=f"Save and submit {attempt}")
        respondent = _local(round_)
        client = respondent_client(respondent)
        names = _answer_pages(client, skip_page=1)[1]
        other_device = respondent_client(respondent)
        saved, submitted = _together(
            [
                lambda: other_device.post("/respond/page/1/", {n: "2" for n in names}),
                lambda: client.post("/respond/review/"),
            ]
        )
        assert _submitted(submitted), submitted.status_code
        stored = dict(
            Answer.objects.filter(response__round=round_, question__name__in=names).values_list(
                "question__name", "value"
            )
        )
        if saved.status_code == 302:
            # Acknowledged: the page is in the submitted answers.
            assert stored == {n: "2" for n in names}, stored
        else:
            # Refused, with a message: the answers were sent without it.
            assert "no longer be used" in saved.content.decode() or "now used" in (
                saved.content.decode()
            )
            assert stored == {}
    assert Response.objects.filter(side=Side.LOCAL).count() == ATTEMPTS * 2


def test_when_the_last_two_people_submit_together_the_round_closes_and_unseals(world):
    for attempt in range(ATTEMPTS):
        round_ = make_round(world, title=f"Last two {attempt}")
        clients = [respondent_client(r) for r in round_.respondents.order_by("side")]
        for client in clients:
            _answer_pages(client)
        outcomes = _together([lambda c=c: c.post("/respond/review/") for c in clients])
        assert all(_submitted(o) for o in outcomes), [o.status_code for o in outcomes]
        round_.refresh_from_db()
        assert round_.state == RoundState.RELEASED, (attempt, round_.state)


def test_one_person_twice_never_counts_towards_an_anonymous_threshold(world):
    round_ = make_pooled_round(world, people=5, threshold=5)
    people = list(round_.respondents.all())
    for respondent in people[:3]:
        first = respondent_client(respondent)
        _answer_pages(first)
        second = _same_browser(first)
        _together([lambda: first.post("/respond/review/"), lambda: second.post("/respond/review/")])
    assert Response.objects.filter(round=round_).count() == 3
    assert Respondent.objects.filter(round=round_, used=True).count() == 3
    assert organisations_answered(round_) == 3
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN
