"""A commitment counts only when both sides agree to it: proposals, acceptance, changes and
dropping, each kept in the history, told to the other side and written to the audit log."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from counterpart.audit.models import AuditEvent
from counterpart.commitments import services
from counterpart.commitments.models import Commitment, CommitmentState, Revision
from counterpart.notifications.models import Notification
from counterpart.partnerships.models import Side

from .conftest import agreed_commitment, make_round, propose_commitment, released_round, sending

ANSWERS = {"international": [{"transparency_budget_intl": "5"}], "local": [{}]}


@pytest.fixture
def round_(world):
    return released_round(world, ANSWERS)


def _form(world, **values):
    due = timezone.localdate() + datetime.timedelta(days=45)
    return {
        "title": "Partners see budget revisions first",
        "topic": "transparency",
        "owner_side": "international",
        "owner": str(world.intl_admin.pk),
        "due_on": due.isoformat(),
        "evidence_expected": "Signed revision notes.",
        **values,
    }


def test_the_local_side_proposes_from_the_results_and_the_international_side_accepts(world, round_):
    client = world.client_for(world.local_editor)
    results = client.get(reverse("round_results", args=[round_.pk])).content.decode()
    assert reverse("commitment_propose", args=[round_.pk]) in results
    with sending():
        response = client.post(reverse("commitment_propose", args=[round_.pk]), _form(world))
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.state == CommitmentState.PROPOSED
    assert commitment.proposed_side == Side.LOCAL
    assert commitment.owner == world.intl_admin
    assert commitment.element == "transparency"
    # The international side hears of it, in the app and by email; the proposer's side does not.
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert told == {world.intl_editor.email, world.intl_admin.email}
    assert {m.to[0] for m in mail.outbox} >= told

    intl = world.client_for(world.intl_editor)
    page = intl.get(reverse("commitment_detail", args=[commitment.pk])).content.decode()
    assert "Waiting for the other side to accept" in page
    assert reverse("commitment_accept", args=[commitment.pk]) in page
    with sending():
        response = intl.post(reverse("commitment_accept", args=[commitment.pk]), {"note": ""})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.ACTIVE
    assert commitment.agreed_at is not None
    assert Revision.objects.get().status == "accepted"
    actions = list(AuditEvent.objects.values_list("action", "organisation__name"))
    assert ("commitment_propose", world.local.name) in actions
    assert ("commitment_accept", world.intl.name) in actions


def test_the_proposing_side_cannot_accept_its_own_proposal(world, round_):
    commitment = propose_commitment(world, round_)
    page = world.client_for(world.intl_admin).get(
        reverse("commitment_detail", args=[commitment.pk])
    )
    assert reverse("commitment_accept", args=[commitment.pk]) not in page.content.decode()
    with pytest.raises(PermissionDenied):
        services.commitment_accept(actor=world.intl_admin, commitment=commitment)
    response = world.client_for(world.intl_admin).post(
        reverse("commitment_accept", args=[commitment.pk])
    )
    assert response.status_code == 403
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.PROPOSED


def test_a_declined_proposal_says_why_and_counts_for_nothing(world, round_):
    commitment = propose_commitment(world, round_)
    client = world.client_for(world.local_editor)
    response = client.post(reverse("commitment_decline", args=[commitment.pk]), {"note": ""})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.PROPOSED
    with sending():
        client.post(
            reverse("commitment_decline", args=[commitment.pk]),
            {"note": "The date is too close to the budget cycle."},
        )
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DECLINED
    revision = Revision.objects.get()
    assert revision.status == "declined"
    assert revision.decision_note == "The date is too close to the budget cycle."


def test_a_change_holds_only_once_the_other_side_accepts_it_and_the_history_keeps_both(
    world, round_
):
    commitment = agreed_commitment(world, round_)
    new_due = commitment.due_on + datetime.timedelta(days=60)
    client = world.client_for(world.intl_editor)
    with sending():
        response = client.post(
            reverse("commitment_amend", args=[commitment.pk]),
            _form(
                world,
                title=commitment.title,
                due_on=new_due.isoformat(),
                reason="The finance system changes in March.",
            ),
        )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.due_on != new_due  # not yet agreed
    local = world.client_for(world.local_editor)
    page = local.get(reverse("commitment_detail", args=[commitment.pk])).content.decode()
    assert "A change is waiting for the other side" in page
    assert "The finance system changes in March." in page
    with sending():
        local.post(reverse("commitment_accept", args=[commitment.pk]), {"note": "Fine."})
    commitment.refresh_from_db()
    assert commitment.due_on == new_due
    assert commitment.state == CommitmentState.ACTIVE
    history = list(commitment.revisions.values_list("number", "kind", "status"))
    assert history == [(1, "proposal", "accepted"), (2, "amendment", "accepted")]


def test_a_later_proposal_replaces_one_still_waiting(world, round_):
    commitment = agreed_commitment(world, round_)
    for reason in ("First idea.", "Better idea."):
        with sending():
            services.commitment_amend(
                actor=world.intl_editor, commitment=commitment, reason=reason, drop=True
            )
    statuses = list(commitment.revisions.values_list("reason", "status"))
    assert statuses == [
        ("", "accepted"),
        ("First idea.", "superseded"),
        ("Better idea.", "pending"),
    ]


def test_both_sides_agree_to_drop_a_commitment(world, round_):
    commitment = agreed_commitment(world, round_)
    with sending():
        services.commitment_amend(
            actor=world.local_editor, commitment=commitment, reason="The project ended.", drop=True
        )
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.ACTIVE
    with sending():
        services.commitment_accept(actor=world.intl_editor, commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DROPPED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_on": "2020-01-01"}, "due_on"),
        ({"title": ""}, "title"),
        ({"owner": "999999"}, "owner"),
        ({"topic": "not_an_element"}, "topic"),
        ({"owner_side": "local"}, "owner"),  # the international admin is not on the local side
        ({"evidence_expected": ""}, "evidence_expected"),
    ],
)
def test_a_wrong_value_is_refused_with_a_message_and_nothing_is_stored(
    world, round_, change, field
):
    response = world.client_for(world.intl_editor).post(
        reverse("commitment_propose", args=[round_.pk]), _form(world, **change)
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Commitment.objects.exists()
    assert not AuditEvent.objects.filter(action="commitment_propose").exists()


def test_a_question_of_another_element_is_refused(world, round_):
    with pytest.raises(ValidationError):
        propose_commitment(world, round_, element="respect", question="transparency_budget")
    assert not Commitment.objects.exists()


def test_viewers_and_outsiders_cannot_propose(world, round_):
    for user, code in ((world.local_viewer, 403), (world.outsider, 404)):
        response = world.client_for(user).post(
            reverse("commitment_propose", args=[round_.pk]), _form(world)
        )
        assert response.status_code == code
    assert not Commitment.objects.exists()


def test_nothing_is_proposed_before_the_results_are_out(world):
    round_ = make_round(world)
    response = world.client_for(world.intl_editor).post(
        reverse("commitment_propose", args=[round_.pk]), _form(world)
    )
    assert response.status_code == 403
    assert "after the results" in response.content.decode()
    with pytest.raises(PermissionDenied):
        propose_commitment(world, round_)
    assert not Commitment.objects.exists()


def test_the_partnership_lists_its_commitments_for_both_sides(world, round_):
    agreed_commitment(world, round_)
    propose_commitment(world, round_, title="Joint visits to the camps")
    for user in (world.local_viewer, world.intl_viewer):
        page = world.client_for(user).get(
            reverse("partnership_commitments", args=[world.partnership.pk])
        )
        text = page.content.decode()
        assert "Share budget revisions with the partner before sending them" in text
        assert "Joint visits to the camps" in text
        assert "In progress" in text and "Waiting for the other side to accept" in text


def test_a_proposal_whose_due_date_passed_cannot_be_accepted(world, round_):
    commitment = propose_commitment(world, round_, days=2)
    later = commitment.due_at + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as problem:
        services.commitment_accept(actor=world.local_editor, commitment=commitment, now=later)
    assert "can no longer be accepted" in " ".join(problem.value.messages)
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.PROPOSED


def test_today_is_the_owner_organisations_day(world, round_):
    # 23:30 UTC on 1 March is already 2 March in Nairobi: 1 March is then in the past there.
    world.intl.time_zone = "Africa/Nairobi"
    world.intl.save()
    late_evening = datetime.datetime(2027, 3, 1, 23, 30, tzinfo=datetime.UTC)
    values = {
        "title": "Shared calendar",
        "owner_side": "international",
        "owner": world.intl_admin,
        "evidence_expected": "The calendar.",
    }
    with pytest.raises(ValidationError):
        services.commitment_propose(
            actor=world.intl_editor,
            round_=round_,
            due_on=datetime.date(2027, 3, 1),
            now=late_evening,
            **values,
        )
    services.commitment_propose(
        actor=world.intl_editor,
        round_=round_,
        due_on=datetime.date(2027, 3, 2),
        now=late_evening,
        **values,
    )


def test_a_title_with_a_line_break_is_refused(world, round_):
    response = world.client_for(world.intl_editor).post(
        reverse("commitment_propose", args=[round_.pk]), _form(world, title="First\rSecond")
    )
    assert response.status_code == 400
    assert not Commitment.objects.exists()


def test_a_forged_drop_value_asks_for_the_terms_instead_of_failing(world, round_):
    commitment = agreed_commitment(world, round_)
    response = world.client_for(world.intl_editor).post(
        reverse("commitment_amend", args=[commitment.pk]), {"drop": "false", "reason": "x"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("title")
    assert commitment.revisions.count() == 1


def test_a_change_still_waiting_lapses_once_the_commitment_is_kept(world, round_):
    commitment = agreed_commitment(world, round_)
    services.commitment_amend(
        actor=world.intl_editor, commitment=commitment, reason="Too hard.", drop=True
    )
    services.commitment_report(actor=world.intl_editor, commitment=commitment, done=True, note="x")
    services.commitment_confirm(actor=world.local_editor, commitment=commitment)
    with pytest.raises(ValidationError):
        services.commitment_accept(actor=world.local_editor, commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.KEPT
    assert commitment.revisions.get(number=2).status == "superseded"
