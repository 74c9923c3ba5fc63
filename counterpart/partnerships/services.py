"""Every write about partnerships: atomic, permission-checked, audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record, snapshot
from counterpart.notifications.services import notify
from counterpart.organisations.models import Role
from counterpart.organisations.permissions import has_role, require_role
from counterpart.organisations.services import (
    invitation_create_first_admin,
    organisation_register_partner,
)

from .models import (
    Agreement,
    FundingRoute,
    Intermediary,
    Partnership,
    Party,
    PartyProposal,
    ProposalStatus,
    Side,
    StageChange,
    other_side,
)
from .permissions import require_partnership_role

PARTNERSHIP_FIELDS = Partnership.DETAIL_FIELDS


def _audit(partnership, **kwargs):
    """Partnership events carry the partnership, so that every party sees its history."""
    audit_record(context=f"partnership:{partnership.pk}", **kwargs)


AGREEMENT_FIELDS = Agreement.TERMS_FIELDS


def _require_findable(organisation, proposing_organisation):
    """An organisation can be proposed once someone has joined it, or when the proposer has
    just registered it (its contact person is invited and will answer the proposal)."""
    if organisation.registered_by_id == proposing_organisation.pk:
        return
    if not organisation.memberships.exists():
        raise ValidationError(
            {"partner": _("Nobody has joined this organisation on Counterpart yet.")}
        )


@transaction.atomic
def partnership_propose(
    *,
    actor,
    organisation,
    side,
    role,
    partner,
    partner_side,
    partner_role,
    stage,
    stage_entered_on=None,
    **fields,
) -> Partnership:
    """A partnership between the actor's organisation and a partner, with its first stage.

    The actor's organisation is its first party; the partner is only proposed, and becomes a
    party when its admins accept (`proposal_accept`)."""
    require_role(actor, organisation, Role.EDITOR)
    if partner.pk == organisation.pk:
        raise ValidationError({"partner": _("Choose an organisation other than your own.")})
    if {side, partner_side} != {Side.INTERNATIONAL, Side.LOCAL}:
        raise ValidationError(
            {"partner_side": _("A partnership needs one international and one local side.")}
        )
    _require_findable(partner, organisation)
    partnership = Partnership(
        stage=stage,
        created_by=actor,
        **{k: v for k, v in fields.items() if k in PARTNERSHIP_FIELDS},
    )
    partnership.full_clean()
    partnership.save()
    Party.objects.create(partnership=partnership, organisation=organisation, side=side, role=role)
    StageChange.objects.create(
        partnership=partnership,
        stage=stage,
        entered_on=stage_entered_on or timezone.localdate(),
        changed_by=actor,
    )
    Agreement.objects.create(partnership=partnership)
    after = snapshot(partnership, [*PARTNERSHIP_FIELDS, "stage"])
    after["parties"] = [{"organisation": organisation.pk, "side": side, "role": role}]
    _audit(
        partnership,
        actor=actor,
        action="partnership_create",
        obj=partnership,
        organisation=organisation,
        after=after,
    )
    _proposal_make(
        actor=actor,
        partnership=partnership,
        proposing_organisation=organisation,
        organisation=partner,
        side=partner_side,
        role=partner_role,
        needs_other_side=False,
    )
    return partnership


@transaction.atomic
def partnership_update(*, actor, partnership, **fields) -> Partnership:
    membership = require_partnership_role(actor, partnership, Role.EDITOR)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    before = snapshot(partnership, PARTNERSHIP_FIELDS)
    for name, value in fields.items():
        if name not in PARTNERSHIP_FIELDS:
            raise ValueError(f"not a partnership field: {name}")
        setattr(partnership, name, value)
    partnership.full_clean()
    partnership.save()
    _audit(
        partnership,
        actor=actor,
        action="partnership_update",
        obj=partnership,
        organisation=membership.organisation,
        before=before,
        after=snapshot(partnership, PARTNERSHIP_FIELDS),
    )
    return partnership


@transaction.atomic
def partnership_set_stage(*, actor, partnership, stage, entered_on=None, note="") -> StageChange:
    """Move the partnership to a life-cycle stage, kept in its dated history."""
    membership = require_partnership_role(actor, partnership, Role.EDITOR)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    entered_on = entered_on or timezone.localdate()
    before = {"stage": partnership.stage}
    change = StageChange(
        partnership=partnership, stage=stage, entered_on=entered_on, note=note, changed_by=actor
    )
    change.full_clean()
    change.save()
    # The current stage is the one entered most recently.
    latest = partnership.stage_changes.order_by("-entered_on", "-created_at", "-id").first()
    partnership.stage = latest.stage
    partnership.save(update_fields=["stage", "updated_at"])
    _audit(
        partnership,
        actor=actor,
        action="partnership_set_stage",
        obj=partnership,
        organisation=membership.organisation,
        before=before,
        after={"stage": partnership.stage, "entered_on": entered_on.isoformat(), "note": note},
    )
    return change


@transaction.atomic
def agreement_update(*, actor, partnership, intermediaries=(), **fields) -> Agreement:
    """Record the agreement terms; intermediaries are listed from the funder to the partner."""
    membership = require_partnership_role(actor, partnership, Role.EDITOR)
    agreement, _created = Agreement.objects.select_for_update().get_or_create(
        partnership=partnership
    )
    before = snapshot(agreement, AGREEMENT_FIELDS)
    before["intermediaries"] = list(
        agreement.intermediaries.order_by("position").values_list("organisation_id", flat=True)
    )
    for name, value in fields.items():
        if name not in AGREEMENT_FIELDS:
            raise ValueError(f"not an agreement field: {name}")
        setattr(agreement, name, value)
    intermediaries = [org for org in intermediaries if org is not None]
    if agreement.funding_route == FundingRoute.THROUGH_INTERMEDIARIES and not intermediaries:
        raise ValidationError(
            {"funding_route": _("Name at least one intermediary, or choose 'directly'.")}
        )
    if agreement.funding_route == FundingRoute.DIRECT and intermediaries:
        raise ValidationError(
            {"funding_route": _("Money sent directly has no intermediaries. Remove them first.")}
        )
    if len({org.pk for org in intermediaries}) != len(intermediaries):
        raise ValidationError({"funding_route": _("Name each intermediary only once.")})
    agreement.full_clean()
    agreement.save()
    agreement.intermediaries.all().delete()
    Intermediary.objects.bulk_create(
        Intermediary(agreement=agreement, organisation=org, position=i)
        for i, org in enumerate(intermediaries, start=1)
    )
    after = snapshot(agreement, AGREEMENT_FIELDS)
    after["intermediaries"] = [org.pk for org in intermediaries]
    _audit(
        partnership,
        actor=actor,
        action="agreement_update",
        obj=agreement,
        organisation=membership.organisation,
        before=before,
        after=after,
    )
    return agreement


def _require_editor_on_side(actor, partnership, side, message):
    """Each side manages its own organisations: neither side adds to or removes from the other."""
    if side not in editor_sides(actor, partnership):
        raise PermissionDenied(message % {"side": Side(side).label.lower()})


def editor_sides(actor, partnership) -> set:
    """The sides of the partnership on which the person is an editor or admin."""
    return set(
        Party.objects.filter(
            partnership=partnership,
            organisation__memberships__user=actor,
            organisation__memberships__role__in=[Role.EDITOR, Role.ADMIN],
        ).values_list("side", flat=True)
    )


def _admins_of(organisation_ids) -> list:
    from counterpart.accounts.models import User

    return list(
        User.objects.filter(
            memberships__organisation_id__in=organisation_ids, memberships__role=Role.ADMIN
        ).distinct()
    )


def _party_organisation_ids(partnership, side=None) -> list:
    parties = Party.objects.filter(partnership=partnership)
    if side is not None:
        parties = parties.filter(side=side)
    return list(parties.values_list("organisation_id", flat=True))


def _audit_in_logs(partnership, organisation_ids, **kwargs):
    """One event in the log of each organisation concerned, so none learns of a step only
    from another's log."""
    from counterpart.organisations.models import Organisation

    for organisation in Organisation.objects.filter(pk__in=set(organisation_ids)):
        _audit(partnership, organisation=organisation, **kwargs)


def _proposal_logs(proposal) -> list:
    """The organisations whose logs record a step of a proposal: the one proposed, the one
    proposing and, when it must agree, the side across."""
    ids = [proposal.organisation_id, proposal.proposing_organisation_id]
    if proposal.needs_other_side:
        ids += _party_organisation_ids(proposal.partnership, other_side(proposal.side))
    return ids


def _proposal_snapshot(proposal) -> dict:
    return {
        "organisation": proposal.organisation_id,
        "side": proposal.side,
        "role": proposal.role,
        "status": proposal.status,
    }


def _proposal_make(
    *, actor, partnership, proposing_organisation, organisation, side, role, needs_other_side
) -> PartyProposal:
    if partnership.parties.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("This organisation is already part of the partnership.")}
        )
    if partnership.proposals.filter(
        organisation=organisation, status=ProposalStatus.WAITING
    ).exists():
        raise ValidationError(
            {"organisation": _("This organisation has already been asked and has not answered.")}
        )
    proposal = PartyProposal(
        partnership=partnership,
        organisation=organisation,
        side=side,
        role=role,
        proposed_by=actor,
        proposing_organisation=proposing_organisation,
        needs_other_side=needs_other_side,
    )
    proposal.full_clean()
    proposal.save()
    _log_step(proposal, actor, "party_propose")
    link = reverse("proposal_detail", args=[proposal.pk])
    params = {
        "organisation": proposing_organisation.name,
        "partner": organisation.name,
        "partnership": partnership.title,
    }
    notify(_admins_of([organisation.pk]), "partnership_proposed", params, link)
    if needs_other_side:
        notify(
            _admins_of(_party_organisation_ids(partnership, other_side(side))),
            "party_proposed_to_side",
            params,
            link,
        )
    return proposal


@transaction.atomic
def party_propose(*, actor, partnership, organisation, side, role) -> PartyProposal:
    """Ask an organisation to join the partnership. Editors propose for their own side; they
    propose for the other side only while it has no organisation (the partner declined or
    left). When both sides already have organisations, the side across must agree too."""
    require_partnership_role(actor, partnership, Role.EDITOR)
    my_sides = editor_sides(actor, partnership)
    side_has_parties = partnership.parties.filter(side=side).exists()
    if side_has_parties:
        _require_editor_on_side(
            actor, partnership, side, _("Only editors on the %(side)s may add organisations to it.")
        )
    elif other_side(side) not in my_sides:
        raise PermissionDenied(_("Only editors of the partnership may propose a partner."))
    proposing_side = side if side_has_parties else other_side(side)
    proposing = (
        partnership.parties.filter(
            side=proposing_side,
            organisation__memberships__user=actor,
            organisation__memberships__role__in=[Role.EDITOR, Role.ADMIN],
        )
        .select_related("organisation")
        .first()
        .organisation
    )
    _require_findable(organisation, proposing)
    needs_other_side = (
        side_has_parties and partnership.parties.filter(side=other_side(side)).exists()
    )
    return _proposal_make(
        actor=actor,
        partnership=partnership,
        proposing_organisation=proposing,
        organisation=organisation,
        side=side,
        role=role,
        needs_other_side=needs_other_side,
    )


def _lock_proposal(proposal) -> PartyProposal:
    proposal = (
        PartyProposal.objects.select_for_update()
        .select_related("partnership", "organisation", "proposing_organisation")
        .get(pk=proposal.pk)
    )
    if not proposal.is_waiting:
        raise ValidationError(_("This proposal has already been answered or withdrawn."))
    return proposal


def proposal_roles(actor, proposal) -> set:
    """What the person may do with a proposal: "organisation" (an admin of the organisation
    asked), "other_side" (an admin across, who must agree to a third organisation) and
    "proposer" (an editor of the proposing organisation, who may withdraw it)."""
    roles = set()
    if has_role(actor, proposal.organisation, Role.ADMIN):
        roles.add("organisation")
    if (
        proposal.needs_other_side
        and Party.objects.filter(
            partnership_id=proposal.partnership_id,
            side=other_side(proposal.side),
            organisation__memberships__user=actor,
            organisation__memberships__role=Role.ADMIN,
        ).exists()
    ):
        roles.add("other_side")
    if has_role(actor, proposal.proposing_organisation, Role.EDITOR):
        roles.add("proposer")
    return roles


def _log_step(proposal, actor, action):
    _audit_in_logs(
        proposal.partnership,
        _proposal_logs(proposal),
        actor=actor,
        action=action,
        obj=proposal,
        after=_proposal_snapshot(proposal),
    )


def _close(proposal, actor, status, now=None):
    proposal.status, proposal.decided_by, proposal.decided_at = status, actor, now or timezone.now()


def _proposal_answered(proposal, actor, action, kind):
    _log_step(proposal, actor, action)
    notify(
        _admins_of([*_party_organisation_ids(proposal.partnership), proposal.organisation_id]),
        kind,
        {"partner": proposal.organisation.name, "partnership": proposal.partnership.title},
        reverse("proposal_detail", args=[proposal.pk]),
    )


@transaction.atomic
def proposal_accept(*, actor, proposal) -> PartyProposal:
    """An admin accepts for the organisation asked, or for the side across when a third
    organisation is proposed. The organisation becomes a party once all who must agree have."""
    proposal = _lock_proposal(proposal)
    roles = proposal_roles(actor, proposal) & {"organisation", "other_side"}
    if not roles:
        raise PermissionDenied(_("Only the admins asked may accept this proposal."))
    now = timezone.now()
    if "organisation" in roles and proposal.organisation_accepted_at is None:
        proposal.organisation_accepted_by, proposal.organisation_accepted_at = actor, now
    if "other_side" in roles and proposal.other_side_accepted_at is None:
        proposal.other_side_accepted_by, proposal.other_side_accepted_at = actor, now
    if proposal.organisation_accepted_at and (
        not proposal.needs_other_side or proposal.other_side_accepted_at
    ):
        _close(proposal, actor, ProposalStatus.ACCEPTED, now)
        Party.objects.create(
            partnership=proposal.partnership,
            organisation=proposal.organisation,
            side=proposal.side,
            role=proposal.role,
        )
    proposal.save()
    if proposal.status == ProposalStatus.ACCEPTED:
        _proposal_answered(proposal, actor, "party_join", "partnership_accepted")
    else:
        _log_step(proposal, actor, "party_proposal_agree")
    return proposal


@transaction.atomic
def proposal_decline(*, actor, proposal) -> PartyProposal:
    proposal = _lock_proposal(proposal)
    if not proposal_roles(actor, proposal) & {"organisation", "other_side"}:
        raise PermissionDenied(_("Only the admins asked may decline this proposal."))
    _close(proposal, actor, ProposalStatus.DECLINED)
    proposal.save()
    _proposal_answered(proposal, actor, "party_proposal_decline", "partnership_declined")
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor, proposal) -> PartyProposal:
    proposal = _lock_proposal(proposal)
    if "proposer" not in proposal_roles(actor, proposal):
        raise PermissionDenied(_("Only editors of the proposing organisation may withdraw it."))
    _close(proposal, actor, ProposalStatus.WITHDRAWN)
    proposal.save()
    _log_step(proposal, actor, "party_proposal_withdraw")
    return proposal


@transaction.atomic
def party_leave(*, actor, party) -> None:
    """An organisation's admin takes it out of a partnership, even when it is the last one on
    its side. Its members stop seeing the partnership at once; what it said in released rounds
    stays part of the partnership's history for the others (see the decision on consent)."""
    party = (
        Party.objects.select_for_update()
        .select_related("partnership", "organisation")
        .get(pk=party.pk)
    )
    require_role(actor, party.organisation, Role.ADMIN)
    partnership = party.partnership
    logs = _party_organisation_ids(partnership)
    _audit_in_logs(
        partnership,
        logs,
        actor=actor,
        action="party_leave",
        obj=party,
        before={"organisation": party.organisation_id, "side": party.side, "role": party.role},
    )
    # Proposals the leaving organisation made and nobody answered leave with it.
    partnership.proposals.filter(
        proposing_organisation=party.organisation, status=ProposalStatus.WAITING
    ).update(status=ProposalStatus.WITHDRAWN, decided_by=actor, decided_at=timezone.now())
    party.delete()
    notify(
        _admins_of(_party_organisation_ids(partnership)),
        "partnership_left",
        {"partner": party.organisation.name, "partnership": partnership.title},
        reverse("partnership_detail", args=[partnership.pk]),
    )


@transaction.atomic
def party_remove(*, actor, party) -> None:
    """Editors remove organisations from their own side only: neither side can push out the
    other side's organisations."""
    partnership = party.partnership
    membership = require_partnership_role(actor, partnership, Role.EDITOR)
    _require_editor_on_side(
        actor,
        partnership,
        party.side,
        _("Only editors on the %(side)s may remove organisations from it."),
    )
    others_on_side = partnership.parties.filter(side=party.side).exclude(pk=party.pk).count()
    if others_on_side == 0:
        raise ValidationError(
            _("Each side needs at least one organisation. Add another one to this side first.")
        )
    if party.organisation_id == membership.organisation_id:
        remaining = partnership.parties.exclude(pk=party.pk).filter(
            organisation__memberships__user=actor
        )
        if not remaining.exists():
            raise ValidationError(
                _("You cannot remove your own organisation: you would lose access.")
            )
    _audit(
        partnership,
        actor=actor,
        action="party_remove",
        obj=party,
        organisation=membership.organisation,
        before={"organisation": party.organisation_id, "side": party.side, "role": party.role},
    )
    party.delete()


@transaction.atomic
def partnership_create_with_new_partner(
    *, actor, organisation, new_partner, contact_email, language="en", **kwargs
) -> Partnership:
    """Register a partner not yet on Counterpart and propose the partnership to it. Its contact
    person is invited to be its first admin; the email names the person, their organisation
    and the partnership, and the proposal waits for the new admin's answer."""
    partner, _invitation, _link = organisation_register_partner(
        actor=actor,
        inviting_organisation=organisation,
        contact_email=contact_email,
        language=language,
        **new_partner,
    )
    return partnership_propose(actor=actor, organisation=organisation, partner=partner, **kwargs)


def _invite_first_admin(*, actor, partnership, obj, organisation, logged_for, email, language):
    invitation, _link = invitation_create_first_admin(
        actor=actor, organisation=organisation, email=email, language=language
    )
    _audit(
        partnership,
        actor=actor,
        action="party_invite_contact",
        obj=obj,
        organisation=logged_for,
        after={"organisation": organisation.pk, "email": invitation.email},
    )
    return invitation


@transaction.atomic
def party_invite_contact(*, actor, party, email, language="en"):
    """Invite the contact person of a party that nobody has joined yet, as its first admin."""
    membership = require_partnership_role(actor, party.partnership, Role.EDITOR)
    return _invite_first_admin(
        actor=actor,
        partnership=party.partnership,
        obj=party,
        organisation=party.organisation,
        logged_for=membership.organisation,
        email=email,
        language=language,
    )


@transaction.atomic
def proposal_invite_contact(*, actor, proposal, email, language="en"):
    """Invite, again or to a corrected address, the first admin of an organisation asked to join
    that nobody has joined yet (only the organisation that registered it may)."""
    return _invite_first_admin(
        actor=actor,
        partnership=proposal.partnership,
        obj=proposal,
        organisation=proposal.organisation,
        logged_for=proposal.proposing_organisation,
        email=email,
        language=language,
    )
