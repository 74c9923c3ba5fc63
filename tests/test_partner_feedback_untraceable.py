"""Partner feedback that cannot be rigged or traced: the organisation assessed chooses partner
organisations, never addresses; the threshold counts organisations; and someone who can read
the whole database after three partners answered cannot tell which answer is whose."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from counterpart.assessments import partner_feedback, services
from counterpart.assessments.models import Answer, Draft, Response, RoundState
from counterpart.audit.models import AuditEvent
from counterpart.notifications.models import Notification

from .conftest import (
    add_member,
    answer_everything,
    make_org,
    make_pooled_round,
    make_user,
    partner_organisations,
    respondent_client,
    submit_answers,
)


def _stored_order(round_):
    """The responses of the round in the order their rows are stored in the database."""
    physical = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM assessments_response WHERE round_id = %s ORDER BY {physical}",  # noqa: S608
            [round_.pk],
        )
        ids = [row[0] for row in cursor.fetchall()]
    value_of = {
        str(a.response_id).replace("-", ""): a.value
        for a in Answer.objects.filter(
            response__round=round_, question__name="respect_advice_local"
        )
    }
    return [value_of[str(i).replace("-", "")] for i in ids]


def test_three_partners_answer_and_the_database_cannot_tell_them_apart(world, client):
    round_ = make_pooled_round(world, people=3, threshold=3)
    people = list(round_.respondents.order_by("email"))
    # The first partner is signed in to Counterpart while answering.
    member = make_user("signed-in@local0.example.org", "Signed In")
    add_member(people[0].organisation, member, "viewer")
    signed_in = respondent_client(people[0])
    signed_in.force_login(member)
    sessions_before = {s.session_key: s.session_data for s in Session.objects.all()}
    events_before, notes_before = AuditEvent.objects.count(), Notification.objects.count()
    for number, (person, browser) in enumerate(
        [(people[0], signed_in), (people[1], None), (people[2], None)], start=1
    ):
        answer_everything(browser or respondent_client(person), str(number))
    # Sessions: nothing was written while people answered.
    sessions_after = {s.session_key: s.session_data for s in Session.objects.all()}
    assert sessions_after == sessions_before
    # Invitations: used, with no time; no draft remains.
    for person in round_.respondents.all():
        assert person.used and person.submitted_at is None
    assert not Draft.objects.filter(respondent__round=round_).exists()
    # Responses: no link, no language, only the week, random keys.
    responses = list(Response.objects.filter(round=round_))
    assert len(responses) == 3
    assert {r.respondent_id for r in responses} == {None}
    assert {r.language for r in responses} == {""}
    assert len({r.submitted_on for r in responses}) == 1
    # Nothing else recorded the moment any of them answered.
    assert AuditEvent.objects.count() == events_before
    assert Notification.objects.count() == notes_before


def test_the_order_of_stored_responses_does_not_follow_who_answered_first(world):
    orders = set()
    for _repeat in range(8):
        round_ = make_pooled_round(world, people=3, threshold=3)
        for number, person in enumerate(round_.respondents.order_by("email"), start=1):
            submit_answers(person, {"respect_advice_local": str(number)})
        orders.add(tuple(_stored_order(round_)))
        services.round_close(actor=world.intl_editor, round_=round_)
    # Stored in the order of submission, every round would read ("1", "2", "3").
    assert len(orders) > 1, orders


def test_the_organisation_assessed_chooses_partners_never_addresses(world):
    round_ = make_pooled_round(world, people=3, threshold=3, open_it=False)
    # Not an organisation it has no accepted partnership with.
    with pytest.raises(services.ValidationError, match="accepted a partnership"):
        partner_feedback.respondents_add_members(
            actor=world.intl_editor, round_=round_, organisations=[world.other]
        )
    # Not an address, on the page either.
    client = world.client_for(world.intl_editor)
    page = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert reverse("respondent_add", args=[round_.pk]) not in page
    response = client.post(
        reverse("respondent_add", args=[round_.pk]),
        {"email": "mine@example.org", "name": "Mine", "language": "en", "side": "local"},
    )
    assert response.status_code in (400, 403)
    assert not round_.respondents.filter(email="mine@example.org").exists()


def test_a_partners_admin_adds_a_colleague_and_the_assessed_side_learns_no_address(world):
    round_ = make_pooled_round(world, people=3, threshold=3)
    partner = round_.respondents.order_by("email").first().organisation
    admin = partner.memberships.get(role="admin").user
    url = reverse("round_partner_staff", args=[round_.pk])
    # The assessed organisation, another organisation and a stranger cannot reach the page.
    for person in (world.intl_admin, world.outsider, world.local_admin):
        assert world.client_for(person).get(url).status_code == 404
    client = world.client_for(admin)
    page = client.get(url).content.decode()
    assert "Colleagues asked from your organisation" in page
    response = client.post(
        url,
        {"organisation": partner.pk, "email": "field.officer@example.org", "language": "fr"},
    )
    assert response.status_code == 302
    added = round_.respondents.get(email="field.officer@example.org")
    assert added.organisation == partner
    assessed_log = AuditEvent.objects.filter(organisation=world.intl, action="respondent_add")
    assert "field.officer@example.org" not in str([e.after for e in assessed_log])
    partner_log = AuditEvent.objects.filter(organisation=partner, action="respondent_add")
    assert "field.officer@example.org" in str([e.after for e in partner_log])


def test_the_threshold_counts_organisations_not_people(world):
    round_ = make_pooled_round(world, people=3, threshold=4, open_it=False)
    # The fourth organisation has two people; with three others, that makes five people but
    # four organisations, and two people from one partner are still one organisation.
    (fourth,) = partner_organisations(world, 4)[3:]
    add_member(fourth, make_user("second@local3.example.org", "Second"), "viewer")
    partner_feedback.respondents_add_members(
        actor=world.intl_editor, round_=round_, organisations=[fourth]
    )
    services.round_open(actor=world.intl_editor, round_=round_)
    people = list(round_.respondents.order_by("email"))
    by_organisation = {}
    for person in people:
        by_organisation.setdefault(person.organisation_id, []).append(person)
    answering = by_organisation[fourth.pk] + [
        by_organisation[o.pk][0] for o in partner_organisations(world, 2)
    ]
    for person in answering:
        submit_answers(person, {"respect_advice_local": "3"})
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    # Four responses, from three organisations: not enough.
    assert round_.responses.count() == 4
    assert round_.state == RoundState.CLOSED
    page = world.client_for(world.intl_admin).get(reverse("round_detail", args=[round_.pk]))
    assert "People from 3 partner organisations answered" in page.content.decode()


def test_a_round_cannot_run_beside_another_nor_reopen_once_shown(world):
    first = make_pooled_round(world, people=3, threshold=3)
    with pytest.raises(services.ValidationError, match="already has a partner feedback round"):
        make_pooled_round(world, people=3, threshold=3)
    for number, person in enumerate(first.respondents.all(), start=1):
        submit_answers(person, {"respect_advice_local": str(number)})
    services.round_close(actor=world.intl_editor, round_=first)
    first.refresh_from_db()
    assert first.state == RoundState.RELEASED
    # Once results were shown, the round cannot take more answers: the difference would
    # be one partner's.
    with pytest.raises(services.ValidationError, match="Only an open round"):
        services.round_extend(
            actor=world.intl_editor, round_=first, closes_on=first.closes_on.replace(year=2099)
        )


def test_the_start_page_promises_what_the_round_applies(world):
    round_ = make_pooled_round(world, people=3, threshold=3)
    page = respondent_client(round_.respondents.first()).get("/respond/start/").content.decode()
    assert "people from at least 3 partner organisations have answered" in page


def test_an_organisation_only_proposed_as_partner_cannot_be_asked(world):
    from counterpart.partnerships.services import partnership_propose

    waiting = make_org("Waiting Partner", "national_ngo", "KE")
    add_member(waiting, make_user("w@waiting.example.org"), "admin")
    partnership_propose(
        actor=world.intl_editor,
        organisation=world.intl,
        side="international",
        role="funding",
        partner=waiting,
        partner_side="local",
        partner_role="implementing",
        stage="exploring",
        title="Not yet",
    )
    round_ = make_pooled_round(world, people=3, threshold=3, open_it=False)
    with pytest.raises(services.ValidationError, match="accepted a partnership"):
        partner_feedback.respondents_add_members(
            actor=world.intl_editor, round_=round_, organisations=[waiting]
        )


def test_a_local_organisations_page_does_not_offer_to_be_assessed_by_local_partners(world):
    local = world.client_for(world.local_admin).get(
        reverse("organisation_detail", args=[world.local.pk])
    )
    assert "Your local partners assess your organisation" not in local.content.decode()
    intl = world.client_for(world.intl_admin).get(
        reverse("organisation_detail", args=[world.intl.pk])
    )
    assert "Your local partners assess your organisation" in intl.content.decode()
