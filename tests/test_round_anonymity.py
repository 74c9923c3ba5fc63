"""A partner feedback round in the anonymous tier: a submitted response cannot be joined back
to the invitation or the person through any stored column, log line, ordering or timestamp,
and nothing of the results is shown below the threshold."""

import datetime
import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.fields import AutoFieldMixin
from django.urls import reverse
from django.utils import timezone

from counterpart.assessments import services
from counterpart.assessments.models import Answer, Respondent, Response, RoundState
from counterpart.audit.models import AuditEvent
from counterpart.insights import selectors

from .conftest import answer_everything, make_pooled_round, respondent_client


def _fields(model):
    return {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}


def test_stored_responses_have_no_column_that_points_back_or_orders_them():
    for model in (Response, Answer):
        fields = _fields(model)
        assert isinstance(fields["id"], models.UUIDField), model
        assert not [f for f in fields.values() if isinstance(f, models.DateTimeField)], model
        assert not [f for f in fields.values() if isinstance(f, AutoFieldMixin)], model


def test_an_anonymous_submission_leaves_no_trace_that_joins_it_to_the_invitation(world, caplog):
    round_ = make_pooled_round(world, people=5)
    respondent = round_.respondents.first()
    before = Respondent.objects.filter(pk=respondent.pk).values().get()
    client = respondent_client(respondent)
    events = AuditEvent.objects.count()
    caplog.set_level(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        answer_everything(client, "3")
    response = Response.objects.get(round=round_)
    # No column of the response names the person, the invitation, the language or the hour.
    assert response.respondent_id is None
    assert response.language == ""
    assert response.source_key == ""
    today = timezone.localdate()
    assert response.submitted_on == today - datetime.timedelta(days=today.weekday())
    assert response.submitted_on.weekday() == 0
    # The invitation only records "used": nothing else changed on it, no time.
    after = Respondent.objects.filter(pk=respondent.pk).values().get()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"used"}
    assert after["submitted_at"] is None
    # No audit event was written by the submission (its time would tell who it was).
    assert AuditEvent.objects.count() == events
    # No log line names the person, the link or the response.
    secrets_ = [respondent.email, respondent.key, str(response.pk)]
    for record in caplog.records:
        message = record.getMessage()
        assert not any(s in message for s in secrets_), message
    # The session that carried the link no longer holds it.
    for session in Session.objects.all():
        assert respondent.key not in str(session.get_decoded())
    # The pages after the link carry nothing that identifies the respondent in their address.
    assert all(respondent.key not in r.getMessage() for r in caplog.records)


def test_below_the_threshold_only_the_count_is_shown(world):
    round_ = make_pooled_round(world, people=5, threshold=5)
    for respondent in list(round_.respondents.all())[:4]:
        answer_everything(respondent_client(respondent), "2")
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED  # not released: 4 responses, 5 needed
    client = world.client_for(world.intl_admin)
    detail = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert "People from 4 partner organisations answered. Results appear only from 5" in detail
    assert "Read the results" not in detail
    results = client.get(reverse("round_results", args=[round_.pk]))
    assert results.status_code == 403
    page = results.content.decode()
    assert "People from 4 partner organisations answered this round" in page
    assert "Disagree" not in page
    with pytest.raises(Exception, match="not available"):
        selectors.round_results(round_, "en")


def test_the_threshold_reached_releases_the_results(world):
    round_ = make_pooled_round(world, people=5, threshold=5)
    for respondent in round_.respondents.all():
        answer_everything(respondent_client(respondent), "2")
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN  # a partner feedback round waits for its date
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    assert round_.state == RoundState.RELEASED
    page = world.client_for(world.intl_viewer).get(reverse("round_results", args=[round_.pk]))
    assert page.status_code == 200
    assert "Disagree (5)" in page.content.decode()


def test_a_closed_round_below_the_threshold_can_be_opened_again(world):
    round_ = make_pooled_round(world, people=5, threshold=5)
    services.round_close(actor=world.intl_editor, round_=round_)
    later = timezone.localdate() + datetime.timedelta(days=10)
    services.round_extend(actor=world.intl_editor, round_=round_, closes_on=later)
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN and round_.closes_on == later


def test_a_threshold_below_three_is_refused(world):
    with pytest.raises(services.ValidationError):
        make_pooled_round(world, people=3, threshold=2)


def test_the_partners_cannot_see_the_round_page(world):
    round_ = make_pooled_round(world, people=5)
    for user in (world.local_admin, world.outsider):
        page = world.client_for(user).get(reverse("round_detail", args=[round_.pk]))
        assert page.status_code == 404


def test_the_organisation_sees_counts_never_who_answered(world):
    round_ = make_pooled_round(world, people=5)
    answered = round_.respondents.first()
    answer_everything(respondent_client(answered))
    page = world.client_for(world.intl_admin).get(reverse("round_detail", args=[round_.pk]))
    html = page.content.decode()
    assert "1 of 5 asked have answered." in html
    assert answered.email not in html


def test_the_organisation_cannot_probe_who_answered_or_ask_its_own_staff(world):
    round_ = make_pooled_round(world, people=5)
    answered = round_.respondents.first()
    answer_everything(respondent_client(answered))
    for action in (services.respondent_remove, services.respondent_send_again):
        with pytest.raises(services.ValidationError, match="anonymous round"):
            action(actor=world.intl_editor, respondent=answered)
    # No address of its choosing: not its own staff, nor anyone else's.
    for email in (world.intl_viewer.email, "someone@elsewhere.example.org"):
        with pytest.raises(services.ValidationError, match="asked through their organisation"):
            services.respondent_add(
                actor=world.intl_editor, round_=round_, side="local", email=email
            )


def test_the_send_again_page_refuses_in_an_anonymous_round_with_a_message(world):
    round_ = make_pooled_round(world, people=5)
    person = round_.respondents.first()
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("respondent_send", args=[round_.pk, person.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "links are not sent again one by one" in page
