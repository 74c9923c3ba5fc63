"""Feedback convened by partners: a local organisation asks, anonymously, how its funders work
with their partners.

- One round per funder, each a partner feedback round (anonymous, threshold k counting
  organisations) whose `organisation` is the funder and whose `convened_by` is the local
  organisation running it. A funder has one partner feedback round prepared or open at a time,
  its own or convened, so no two results can differ by one organisation.
- The convener asks its own members, and invites other organisations by name, never from the
  funder's list of partners, which it does not see. The invited organisation's admins answer:
  only a local partner of the funder (in a partnership both accepted) can join, and the
  convener learns only that the invitation was answered, never how or why.
- The funder's members see the round's page and, once shown, its results; they cannot add or
  remove anyone, nor open, close or extend the round. The funder is not told which partner
  convened it, nor which partners take part. Its admins decide whether the results appear on
  its public accountability page."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record, snapshot
from counterpart.notifications.services import notify
from counterpart.organisations.models import Membership, Organisation, Role
from counterpart.organisations.permissions import has_role, require_role
from counterpart.partnerships.models import Party, Side

from . import services
from .models import ConvenedInvitation, InvitationAnswer, Privacy, Round, RoundKind, RoundState
from .partner_feedback import members_ask, require_one_round_at_a_time
from .permissions import require_manager

# The settings of a convened round, as its page and form show them.
CONVENED_FIELDS = ("title", "framework_version", "opens_on", "closes_on", "threshold")


def funders_of(organisation) -> list:
    """The organisations on the international side of a partnership in which `organisation`
    is on the local side, both as parties (a proposal nobody accepted does not count)."""
    theirs = Party.objects.filter(organisation=organisation, side=Side.LOCAL).values(
        "partnership_id"
    )
    return list(
        Organisation.objects.filter(
            parties__side=Side.INTERNATIONAL, parties__partnership_id__in=theirs
        )
        .exclude(pk=organisation.pk)
        .distinct()
        .order_by("name")
    )


def _funds(funder, organisation) -> bool:
    """Whether `organisation` is on the local side of a partnership in which `funder` is on the
    international side, both as parties."""
    return Party.objects.filter(
        organisation=organisation,
        side=Side.LOCAL,
        partnership__parties__organisation=funder,
        partnership__parties__side=Side.INTERNATIONAL,
    ).exists()


def _share_members(one, other) -> bool:
    """Organisations run by the same people cannot vouch for each other's feedback."""
    return Membership.objects.filter(
        organisation=one,
        user_id__in=Membership.objects.filter(organisation=other).values("user_id"),
    ).exists()


def can_take_part(organisation, round_) -> bool:
    """Whether the organisation may answer feedback convened about the round's funder: a local
    partner of the funder that shares no member with it."""
    return (
        organisation.pk != round_.organisation_id
        and _funds(round_.organisation, organisation)
        and not _share_members(organisation, round_.organisation)
    )


def _title(title, funder, several):
    """Each round's title; with several funders, each ends with its funder's name."""
    if not several:
        return title
    suffix = f" – {funder.name}"
    return title[: Round._meta.get_field("title").max_length - len(suffix)] + suffix


@transaction.atomic
def rounds_convene(*, actor, convener, funders, language="en", **fields) -> list[Round]:
    """Prepare one anonymous feedback round about each of these funders of the convener, and
    ask the convener's members. If any funder cannot be asked about now, nothing is prepared."""
    require_role(actor, convener, Role.EDITOR)
    if not convener.is_local:
        raise ValidationError(_("Only a local organisation can ask about its funders."))
    if not funders:
        raise ValidationError({"funders": _("Choose at least one funder to ask about.")})
    allowed = {funder.pk for funder in funders_of(convener)}
    rounds = []
    for funder in funders:
        if funder.pk not in allowed:
            raise ValidationError(
                {
                    "funders": _(
                        "Only organisations that fund yours, in a partnership both accepted, "
                        "can be asked about."
                    )
                }
            )
        if _share_members(convener, funder):
            raise ValidationError(
                {
                    "funders": _(
                        "%(organisation)s and your organisation share members: feedback about "
                        "it must come from partners it does not run."
                    )
                    % {"organisation": funder.name}
                }
            )
        try:
            require_one_round_at_a_time(funder)
        except ValidationError:
            # Said from the convener's side: the funder's own words would say "your".
            raise ValidationError(
                {
                    "funders": _(
                        "%(organisation)s already has a partner feedback round being prepared "
                        "or answered, its own or one its partners convened. Ask about it once "
                        "that round has closed."
                    )
                    % {"organisation": funder.name}
                }
            ) from None
        round_ = Round(
            kind=RoundKind.POOLED,
            organisation=funder,
            convened_by=convener,
            privacy=Privacy.ANONYMOUS,
            created_by=actor,
            **{**fields, "title": _title(fields.get("title", ""), funder, len(funders) > 1)},
        )
        services._check_dates(round_.opens_on, round_.closes_on)
        services._check_threshold({"privacy": round_.privacy, "threshold": round_.threshold})
        round_.closes_at = services._close_instant(round_.closes_on)
        round_.full_clean()
        round_.save()
        settings_ = snapshot(round_, Round.SETTINGS_FIELDS)
        audit_record(
            actor=actor,
            action="round_convene",
            obj=round_,
            organisation=convener,
            after={**settings_, "about": funder.pk},
        )
        # The funder's log does not name who convened it.
        audit_record(
            actor=None, action="round_convene", obj=round_, organisation=funder, after=settings_
        )
        members_ask(
            actor=actor,
            round_=round_,
            organisations=[convener],
            language=language,
            tell_admins=False,
        )
        notify(
            _admins(funder),
            "convened_feedback_started",
            {"round": round_.title, "threshold": round_.threshold},
            reverse("round_detail", args=[round_.pk]),
        )
        rounds.append(round_)
    return rounds


def _admins(organisation) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    ]


@transaction.atomic
def invitation_send(*, actor, round_, organisation) -> ConvenedInvitation:
    """The convener invites an organisation, named by the convener, to answer. Nothing says
    whether it works with the funder: its own admins find out, and answer."""
    round_ = services._lock(round_)
    if not round_.convened_by_id:
        raise ValidationError(_("Only feedback convened by partners takes invitations."))
    require_manager(actor, round_)
    if round_.state not in (RoundState.DRAFT, RoundState.OPEN):
        raise ValidationError(_("Organisations can only be invited before the round closes."))
    if organisation.pk in (round_.organisation_id, round_.convened_by_id):
        raise ValidationError(
            {
                "organisation": _(
                    "Invite another organisation: neither yours nor the one the feedback is about."
                )
            }
        )
    if ConvenedInvitation.objects.filter(round=round_, organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already invited.")})
    invitation = ConvenedInvitation.objects.create(
        round=round_, organisation=organisation, invited_by=actor
    )
    for logged in (round_.convened_by, organisation):
        audit_record(
            actor=actor,
            action="convened_invite",
            obj=round_,
            organisation=logged,
            after={"organisation": organisation.pk},
        )
    notify(
        _admins(organisation),
        "convened_feedback_invited",
        {
            "convener": round_.convened_by.name,
            "organisation": round_.organisation.name,
            "round": round_.title,
        },
        reverse("convened_invitation", args=[invitation.pk]),
    )
    return invitation


def invitation_for_admin(user, invitation_id) -> ConvenedInvitation:
    """An invitation, for an admin of the organisation invited; else PermissionDenied (the
    view answers 404, as for anything else the person may not see)."""
    invitation = (
        ConvenedInvitation.objects.select_related(
            "round__organisation", "round__convened_by", "organisation"
        )
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not has_role(user, invitation.organisation, Role.ADMIN):
        raise PermissionDenied
    return invitation


@transaction.atomic
def invitation_answer(*, actor, invitation, join, language="en") -> ConvenedInvitation:
    """The invited organisation's admin joins (every member is then asked, for the
    organisation) or declines. Only a local partner of the funder can join. The convener's log
    says that the invitation was answered, never how."""
    invitation = ConvenedInvitation.objects.select_for_update().get(pk=invitation.pk)
    require_role(actor, invitation.organisation, Role.ADMIN)
    round_ = services._lock(invitation.round)
    if invitation.answer:
        raise ValidationError(_("This invitation has already been answered."))
    if join:
        if round_.state not in (RoundState.DRAFT, RoundState.OPEN):
            raise ValidationError(_("This round has closed: it can no longer be joined."))
        if not can_take_part(invitation.organisation, round_):
            raise ValidationError(
                _(
                    "Your organisation cannot take part: only local partners of the "
                    "organisation asked about, in a partnership both accepted, can answer."
                )
            )
        members_ask(
            actor=actor,
            round_=round_,
            organisations=[invitation.organisation],
            language=language,
            tell_admins=False,
        )
    invitation.answer = InvitationAnswer.JOINED if join else InvitationAnswer.DECLINED
    invitation.save(update_fields=["answer"])
    audit_record(
        actor=actor,
        action="convened_invitation_answer",
        obj=round_,
        organisation=invitation.organisation,
        after={"answer": invitation.answer},
    )
    audit_record(
        actor=None,
        action="convened_invitation_answer",
        obj=round_,
        organisation=round_.convened_by,
        after={"organisation": invitation.organisation_id},
    )
    return invitation


def invitations_of(round_) -> list:
    """The organisations the convener invited, each with only whether it answered."""
    return list(
        ConvenedInvitation.objects.filter(round=round_)
        .select_related("organisation")
        .order_by("organisation__name")
    )


@transaction.atomic
def round_publish_set(*, actor, round_, publish: bool) -> Round:
    """The funder's admin shows (or stops showing) the results of feedback its partners
    convened on its public accountability page, beside its own partner feedback."""
    round_ = services._lock(round_)
    if not round_.convened_by_id:
        raise ValidationError(_("Only feedback convened by partners is published this way."))
    require_role(actor, round_.organisation, Role.ADMIN)
    if round_.funder_publishes == publish:
        return round_
    before = {"funder_publishes": round_.funder_publishes}
    round_.funder_publishes = publish
    round_.save(update_fields=["funder_publishes"])
    for logged in (round_.organisation, round_.convened_by):
        audit_record(
            actor=actor,
            action="round_publish",
            obj=round_,
            organisation=logged,
            before=before,
            after={"funder_publishes": publish},
        )
    return round_


def funder_told_released(round_) -> None:
    """Once a convened round's results can be read, the funder's log and admins are told."""
    audit_record(
        actor=None,
        action="round_release",
        obj=round_,
        organisation=round_.organisation,
        before={"state": RoundState.CLOSED},
        after={"state": RoundState.RELEASED},
    )
    notify(
        _admins(round_.organisation),
        "convened_feedback_released",
        {"round": round_.title},
        reverse("round_results", args=[round_.pk]),
    )
