"""Answers to one proposal that overlap (a double click, two admins at once) count once: the
organisation joins once, and an acceptance and a refusal sent together cannot both stand."""

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError

from counterpart.audit.models import AuditEvent
from counterpart.partnerships.models import Party, PartyProposal, ProposalStatus
from counterpart.partnerships.services import (
    partnership_propose,
    proposal_accept,
    proposal_decline,
)

from .concurrency import together
from .conftest import add_member, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _together(calls):
    return together(calls, expected=(ValidationError, OperationalError))


def _proposal(world):
    partnership = partnership_propose(
        actor=world.outsider,
        organisation=world.other,
        side="international",
        role="funding",
        partner=world.local,
        partner_side="local",
        partner_role="implementing",
        stage="exploring",
        title="Asked twice at once",
    )
    return partnership.proposals.get()


def test_two_acceptances_at_once_make_one_party(world):
    proposal = _proposal(world)
    second_admin = make_user("second-admin@example.org", "Second Admin")
    add_member(world.local, second_admin, "admin")
    outcomes = _together(
        [
            lambda: proposal_accept(actor=world.local_admin, proposal=proposal),
            lambda: proposal_accept(actor=second_admin, proposal=proposal),
        ]
    )
    assert sum(isinstance(o, PartyProposal) for o in outcomes) == 1, outcomes
    assert (
        Party.objects.filter(partnership=proposal.partnership, organisation=world.local).count()
        == 1
    )
    joined = AuditEvent.objects.filter(
        action="party_join", context=f"partnership:{proposal.partnership_id}"
    )
    assert sorted(e.organisation_id for e in joined) == sorted([world.local.pk, world.other.pk])


def test_an_acceptance_and_a_refusal_at_once_cannot_both_stand(world):
    proposal = _proposal(world)
    second_admin = make_user("second-admin@example.org", "Second Admin")
    add_member(world.local, second_admin, "admin")
    outcomes = _together(
        [
            lambda: proposal_accept(actor=world.local_admin, proposal=proposal),
            lambda: proposal_decline(actor=second_admin, proposal=proposal),
        ]
    )
    assert sum(isinstance(o, PartyProposal) for o in outcomes) == 1, outcomes
    proposal.refresh_from_db()
    joined = Party.objects.filter(partnership=proposal.partnership, organisation=world.local)
    if proposal.status == ProposalStatus.ACCEPTED:
        assert joined.count() == 1
    else:
        assert proposal.status == ProposalStatus.DECLINED
        assert not joined.exists()


def test_an_invitation_joined_and_declined_at_once_is_answered_once(world):
    from counterpart.assessments import convened
    from counterpart.assessments.models import ConvenedInvitation

    from .conftest import convened_round, partner_organisations

    round_ = convened_round(world)
    (partner,) = partner_organisations(world, 1)
    invitation = convened.invitation_send(
        actor=world.local_editor, round_=round_, organisation=partner
    )
    admin = partner.memberships.get(role="admin").user
    second_admin = make_user("second@partner.example.org", "Second Partner Admin")
    add_member(partner, second_admin, "admin")
    outcomes = _together(
        [
            lambda: convened.invitation_answer(actor=admin, invitation=invitation, join=True),
            lambda: convened.invitation_answer(
                actor=second_admin, invitation=invitation, join=False
            ),
        ]
    )
    assert sum(isinstance(o, ConvenedInvitation) for o in outcomes) == 1, outcomes
    invitation.refresh_from_db()
    asked = round_.respondents.filter(organisation=partner).exists()
    assert asked == (invitation.answer == "joined")
