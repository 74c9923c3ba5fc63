"""Personal links that must not work: forged, altered, before opening, after closing, for a
person removed mid-round, a second submit, and a submit from a page loaded before the first."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from counterpart.assessments import services
from counterpart.assessments.models import Draft, Response, RoundState
from counterpart.partnerships.models import Side

from .conftest import answer_everything, make_round, respondent_client


def _path(respondent):
    return services.respondent_link(respondent).removeprefix(settings.SITE_URL)


def _local(round_):
    return round_.respondents.get(side=Side.LOCAL)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-3] + ("abd" if token.endswith("abc") else "abc"),  # signature
        lambda token: ("y" if token[0] == "x" else "x") + token[1:],  # key altered
        lambda token: token.split(":")[0],  # signature missing
        lambda token: "forged:token",
    ],
)
def test_an_altered_or_forged_link_is_refused_and_records_nothing(world, tamper):
    round_ = make_round(world)
    token = services.respondent_token(_local(round_))
    client = Client()
    response = client.get(f"/respond/{tamper(token)}/")
    assert response.status_code == 410
    assert "This link is not valid" in response.content.decode()
    assert client.get("/respond/start/").status_code == 403


def test_a_link_before_the_round_opens(world):
    round_ = make_round(world, open_it=False)
    response = Client().get(_path(_local(round_)))
    assert "has not opened yet" in response.content.decode()


def test_a_link_after_the_closing_date_even_before_the_round_is_marked_closed(world):
    round_ = make_round(world)
    respondent = _local(round_)
    client = respondent_client(respondent)
    client.post("/respond/start/", {"language": "en"})
    round_.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    round_.save()
    assert client.get("/respond/page/1/").status_code == 403
    response = Client().get(_path(respondent))
    assert response.status_code == 410
    assert "This round is closed" in response.content.decode()
    with pytest.raises(services.LinkProblem):
        services.response_submit(respondent=respondent)
    assert not Response.objects.exists()


def test_a_respondent_removed_mid_round_is_stopped_and_their_draft_dropped(world):
    round_ = make_round(world)
    respondent = _local(round_)
    client = respondent_client(respondent)
    client.post("/respond/start/", {"language": "en"})
    services.draft_save(
        respondent=respondent, answers={"voice_budget_local": "3"}, page=2, language="en"
    )
    services.respondent_remove(actor=world.local_editor, respondent=respondent)
    assert not Draft.objects.filter(respondent=respondent).exists()
    page = client.get("/respond/page/1/")
    assert page.status_code == 403
    assert "no longer asked" in page.content.decode()
    assert client.post("/respond/review/").status_code == 403
    assert not Response.objects.exists()


def test_removing_the_last_person_who_had_not_answered_releases_the_round(world):
    round_ = make_round(world)
    answer_everything(respondent_client(round_.respondents.get(side=Side.INTERNATIONAL)))
    services.respondent_remove(actor=world.local_editor, respondent=_local(round_))
    round_.refresh_from_db()
    assert round_.state == RoundState.RELEASED


def test_a_submitted_person_cannot_be_removed(world):
    round_ = make_round(world)
    respondent = _local(round_)
    answer_everything(respondent_client(respondent))
    with pytest.raises(services.ValidationError, match="already submitted"):
        services.respondent_remove(actor=world.local_editor, respondent=respondent)


def test_a_second_submit_is_refused(world):
    round_ = make_round(world)
    respondent = _local(round_)
    client = respondent_client(respondent)
    client.post("/respond/start/", {"language": "en"})
    client.post("/respond/review/")
    with pytest.raises(services.LinkProblem, match="now used"):
        services.response_submit(respondent=respondent)
    assert Response.objects.count() == 1


def test_a_submit_from_a_page_loaded_before_the_first_submit_is_refused(world):
    """The second request loaded the respondent before the first wrote: only the first claims
    it. Requests that truly overlap are played in test_respondent_races."""
    round_ = make_round(world)
    first = _local(round_)
    second = type(first).objects.get(pk=first.pk)  # a stale copy, as the other request holds
    services.response_submit(respondent=first)
    assert second.used is False
    with pytest.raises(services.LinkProblem):
        services.response_submit(respondent=second)
    assert Response.objects.filter(round=round_).count() == 1


def test_only_the_persons_own_side_removes_them_or_sends_their_link(world):
    round_ = make_round(world)
    with pytest.raises(PermissionDenied):
        services.respondent_remove(actor=world.intl_editor, respondent=_local(round_))
    with pytest.raises(PermissionDenied):
        services.respondent_send_again(actor=world.intl_editor, respondent=_local(round_))
