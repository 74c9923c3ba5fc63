"""Every write about partnerships: atomic, permission-checked, audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record, snapshot
from counterpart.organisations.models import Role
from counterpart.organisations.permissions import require_role
from counterpart.organisations.services import (
    invitation_create_first_admin,
    organisation_register_partner,
)

from .models import Agreement, FundingRoute, Intermediary, Partnership, Party, Side, StageChange
from .permissions import require_partnership_role

PARTNERSHIP_FIELDS = Partnership.DETAIL_FIELDS


def _audit(partnership, **kwargs):
    """Partnership events carry the partnership, so that every party sees its history."""
    audit_record(context=f"partnership:{partnership.pk}", **kwargs)


AGREEMENT_FIELDS = Agreement.TERMS_FIELDS


@transaction.atomic
def partnership_create(
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
    """A partnership between the actor's organisation and a partner, with its first stage."""
    require_role(actor, organisation, Role.EDITOR)
    if partner.pk == organisation.pk:
        raise ValidationError({"partner": _("Choose an organisation other than your own.")})
    if {side, partner_side} != {Side.INTERNATIONAL, Side.LOCAL}:
        raise ValidationError(
            {"partner_side": _("A partnership needs one international and one local side.")}
        )
    partnership = Partnership(
        stage=stage,
        created_by=actor,
        **{k: v for k, v in fields.items() if k in PARTNERSHIP_FIELDS},
    )
    partnership.full_clean()
    partnership.save()
    Party.objects.create(partnership=partnership, organisation=organisation, side=side, role=role)
    Party.objects.create(
        partnership=partnership, organisation=partner, side=partner_side, role=partner_role
    )
    StageChange.objects.create(
        partnership=partnership,
        stage=stage,
        entered_on=stage_entered_on or timezone.localdate(),
        changed_by=actor,
    )
    Agreement.objects.create(partnership=partnership)
    after = snapshot(partnership, [*PARTNERSHIP_FIELDS, "stage"])
    after["parties"] = [
        {"organisation": organisation.pk, "side": side, "role": role},
        {"organisation": partner.pk, "side": partner_side, "role": partner_role},
    ]
    _audit(
        partnership,
        actor=actor,
        action="partnership_create",
        obj=partnership,
        organisation=organisation,
        after=after,
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


@transaction.atomic
def party_add(*, actor, partnership, organisation, side, role) -> Party:
    membership = require_partnership_role(actor, partnership, Role.EDITOR)
    _require_editor_on_side(
        actor, partnership, side, _("Only editors on the %(side)s may add organisations to it.")
    )
    if partnership.parties.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("This organisation is already part of the partnership.")}
        )
    party = Party(partnership=partnership, organisation=organisation, side=side, role=role)
    party.full_clean()
    party.save()
    _audit(
        partnership,
        actor=actor,
        action="party_add",
        obj=party,
        organisation=membership.organisation,
        after={"organisation": organisation.pk, "side": side, "role": role},
    )
    return party


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
    """Register a partner not yet on Counterpart (its contact is invited) and the partnership."""
    partner, _invitation, _link = organisation_register_partner(
        actor=actor,
        inviting_organisation=organisation,
        contact_email=contact_email,
        language=language,
        **new_partner,
    )
    return partnership_create(actor=actor, organisation=organisation, partner=partner, **kwargs)


@transaction.atomic
def party_invite_contact(*, actor, party, email, language="en"):
    """Invite the contact person of a party that nobody has joined yet, as its first admin."""
    membership = require_partnership_role(actor, party.partnership, Role.EDITOR)
    invitation, link = invitation_create_first_admin(
        actor=actor, organisation=party.organisation, email=email, language=language
    )
    _audit(
        party.partnership,
        actor=actor,
        action="party_invite_contact",
        obj=party,
        organisation=membership.organisation,
        after={"organisation": party.organisation_id, "email": invitation.email},
    )
    return invitation
