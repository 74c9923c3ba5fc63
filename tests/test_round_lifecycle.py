"""A partnership round from preparation to release: both sides accept, links go out, both
answer, and the answers unseal only then."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from counterpart.assessments import services
from counterpart.assessments.models import Answer, Response, RoundState
from counterpart.audit.models import AuditEvent
from counterpart.partnerships.models import Side

from .conftest import answer_everything, make_round, respondent_client, sending


def test_the_other_side_is_asked_to_accept_and_the_round_opens_only_then(world):
    round_ = make_round(world, open_it=False, respondents=False)
    mail.outbox.clear()
    round_ = make_round(world, open_it=False, respondents=True, title="Second")
    assert round_.accepted_by(Side.INTERNATIONAL) and round_.accepted_by(Side.LOCAL)
    # A change of settings by the international side clears the local side's acceptance.
    with sending():
        services.round_update(actor=world.intl_editor, round_=round_, title="Second, renamed")
    round_.refresh_from_db()
    assert not round_.accepted_by(Side.LOCAL)
    assert any("Please review the round" in m.subject for m in mail.outbox)
    with pytest.raises(services.ValidationError, match="Both sides must accept"):
        services.round_open(actor=world.intl_editor, round_=round_)
    page = world.client_for(world.local_editor).get(reverse("round_detail", args=[round_.pk]))
    assert "Accept these settings for our side" in page.content.decode()
    world.client_for(world.local_editor).post(
        reverse("round_accept", args=[round_.pk]), {"side": "local"}
    )
    mail.outbox.clear()
    with sending():
        response = world.client_for(world.intl_editor).post(reverse("round_open", args=[round_.pk]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amira@intl.example.org",
        "joseph@local.example.org",
    ]
    assert "/respond/" in mail.outbox[0].body


def test_answers_stay_sealed_until_both_sides_submit(world):
    round_ = make_round(world)
    intl, local = round_.respondents.order_by("side")
    results = reverse("round_results", args=[round_.pk])
    answer_everything(respondent_client(intl), "4")
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN
    for user in (world.intl_admin, world.local_admin):
        page = world.client_for(user).get(results)
        assert page.status_code == 403
        assert "sealed" in page.content.decode()
    done = answer_everything(respondent_client(local), "2")
    assert done.status_code == 302 and done["Location"].endswith("/respond/done/")
    round_.refresh_from_db()
    assert round_.state == RoundState.RELEASED
    page = world.client_for(world.local_viewer).get(results).content.decode()
    assert "International side" in page and "Local side" in page
    # Each side answered only its own half of the pairs, pinned to the round's version.
    assert Response.objects.filter(round=round_).count() == 2
    intl_names = set(
        Answer.objects.filter(response__round=round_, side="international").values_list(
            "question__name", flat=True
        )
    )
    assert "voice_budget_intl" in intl_names and "voice_budget_local" not in intl_names
    assert set(
        Answer.objects.filter(question__name="voice_budget_local").values_list("value", flat=True)
    ) == {"2"}
    actions = list(
        AuditEvent.objects.filter(object_id=str(round_.pk)).values_list("action", flat=True)
    )
    for action in (
        "round_create",
        "round_accept",
        "round_open",
        "response_submit",
        "round_close",
        "round_release",
    ):
        assert action in actions


@pytest.mark.parametrize(("privacy", "linked"), [("named", True), ("organisation", False)])
def test_only_a_named_round_keeps_who_gave_the_answers(world, privacy, linked):
    round_ = make_round(world, privacy=privacy)
    respondent = round_.respondents.get(side=Side.LOCAL)
    answer_everything(respondent_client(respondent), "3")
    response = Response.objects.get(round=round_)
    assert (response.respondent_id == respondent.pk) is linked
    assert response.side == Side.LOCAL
    page = world.client_for(world.intl_viewer)
    services.round_close(actor=world.intl_editor, round_=round_)
    html = page.get(reverse("round_results", args=[round_.pk])).content.decode()
    assert ("Joseph Deng" in html) is linked


def test_each_side_sees_its_own_people_and_only_numbers_for_the_other(world):
    round_ = make_round(world)
    local_page = world.client_for(world.local_viewer).get(reverse("round_detail", args=[round_.pk]))
    html = local_page.content.decode()
    assert "joseph@local.example.org" in html
    assert "amira@intl.example.org" not in html
    assert "0 of 1 asked have answered." in html


def test_comments_are_listed_in_an_order_that_says_nothing_of_who_came_first(world):
    round_ = make_round(world, open_it=False)
    for n in range(3):
        services.respondent_add(
            actor=world.local_editor, round_=round_, side=Side.LOCAL, email=f"p{n}@x.example.org"
        )
    with sending():
        services.round_open(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    notes = iter(["zebra crossing", "apple harvest", "mango season", "kiwi juice"])
    for respondent in round_.respondents.filter(side=Side.LOCAL).order_by("pk"):
        respondent.round = round_
        services.draft_save(
            respondent=respondent,
            answers={
                "check_implementation_checkins": "done",
                "check_implementation_checkins_note": next(notes),
            },
            page=7,
            language="en",
        )
        services.response_submit(respondent=respondent)
    services.round_close(actor=world.intl_editor, round_=round_)
    page = world.client_for(world.intl_viewer).get(reverse("round_results", args=[round_.pk]))
    html = page.content.decode()
    positions = [html.index(n) for n in ("apple", "kiwi", "mango", "zebra")]
    assert positions == sorted(positions)


def test_the_form_to_ask_someone_starts_on_the_editor_s_own_side(world):
    round_ = make_round(world, respondents=False, open_it=False)
    for editor, side in ((world.local_editor, "local"), (world.intl_editor, "international")):
        page = world.client_for(editor).get(f"/rounds/{round_.pk}/").content.decode()
        assert re.search(rf'<option value="{side}" selected>', page), side
