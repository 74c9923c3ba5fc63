"""Reads about partnerships, always limited to partnerships the person's organisations are in."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.accounts.models import User
from counterpart.organisations.models import Membership, Role

from .models import Intermediary, Partnership, Party, PartyProposal, ProposalStatus, StageChange


def side_editors(partnership_id, side) -> list:
    """The people who may act for one side of the partnership: editors and admins of its
    organisations on that side, each once."""
    return list(
        User.objects.filter(
            memberships__organisation__parties__partnership_id=partnership_id,
            memberships__organisation__parties__side=side,
            memberships__role__in=[Role.EDITOR, Role.ADMIN],
        ).distinct()
    )


def _visible_to(user):
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(
        pk__in=Partnership.objects.filter(parties__organisation__memberships__user=user).values(
            "pk"
        )
    )


def partnerships_for_user(user, *, stage=None, organisation_id=None):
    qs = _visible_to(user).prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("organisation"))
    )
    if stage:
        qs = qs.filter(stage=stage)
    if organisation_id:
        qs = qs.filter(parties__organisation_id=organisation_id)
    return list(qs.order_by("title"))


def partnership_for_user(user, partnership_id) -> Partnership:
    """The partnership with its parties, stage history and agreement, or 404 for outsiders."""
    partnership = (
        _visible_to(user)
        .filter(pk=partnership_id)
        .select_related("agreement", "created_by")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation", "organisation__affiliate_of"),
            ),
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related("changed_by").order_by(
                    "-entered_on", "-created_at"
                ),
            ),
            Prefetch(
                "agreement__intermediaries",
                queryset=Intermediary.objects.select_related("organisation"),
            ),
        )
        .first()
    )
    if partnership is None:
        raise Http404(_("This partnership does not exist or your organisation is not part of it."))
    return partnership


def party_in(partnership, party_id) -> Party:
    try:
        return Party.objects.select_related("organisation").get(
            partnership=partnership, pk=party_id
        )
    except Party.DoesNotExist:
        raise Http404(_("This organisation is not a party to this partnership.")) from None


def parties_nobody_joined(partnership):
    """Party organisations with no member yet, with the invitation still waiting, if any."""
    from counterpart.organisations.models import Invitation, Membership

    parties = list(partnership.parties.select_related("organisation"))
    org_ids = [p.organisation_id for p in parties]
    joined = set(
        Membership.objects.filter(organisation_id__in=org_ids).values_list(
            "organisation_id", flat=True
        )
    )
    waiting = {
        i.organisation_id: i
        for i in Invitation.objects.pending().filter(organisation_id__in=org_ids)
    }
    return {
        p.pk: waiting.get(p.organisation_id) for p in parties if p.organisation_id not in joined
    }


def _proposals():
    return PartyProposal.objects.select_related(
        "partnership",
        "organisation",
        "proposing_organisation",
        "proposed_by",
        "organisation__affiliate_of",
        "proposing_organisation__affiliate_of",
    )


def proposals_waiting_for(user) -> list:
    """Proposals the person's answer is needed for: as an admin of the organisation asked, or
    as an admin across from a third organisation proposed to a partnership."""
    if not user.is_authenticated:
        return []
    admin_of = Membership.objects.filter(user=user, role=Role.ADMIN).values("organisation_id")
    waiting = _proposals().filter(status=ProposalStatus.WAITING)
    mine = Q(organisation_id__in=admin_of, organisation_accepted_at__isnull=True)
    across = Q(needs_other_side=True, other_side_accepted_at__isnull=True) & Q(
        Exists(
            Party.objects.filter(
                partnership=OuterRef("partnership"), organisation_id__in=admin_of
            ).exclude(side=OuterRef("side"))
        )
    )
    return list(waiting.filter(mine | across).order_by("-created_at"))


def proposal_for_user(user, proposal_id) -> PartyProposal:
    """A proposal, for the admins of the organisation asked and the members of the
    partnership's organisations; 404 for anyone else."""
    proposal = _proposals().filter(pk=proposal_id).first()
    if proposal is not None and user.is_authenticated:
        member_of = set(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        organisations = {org for org, _role in member_of}
        if (proposal.organisation_id, Role.ADMIN) in member_of:
            return proposal
        if organisations & {proposal.proposing_organisation_id}:
            return proposal
        if proposal.partnership.parties.filter(organisation_id__in=organisations).exists():
            return proposal
    raise Http404(_("This proposal does not exist or is not addressed to you."))


def waiting_proposals_of(partnership) -> list:
    return list(_proposals().filter(partnership=partnership, status=ProposalStatus.WAITING))
