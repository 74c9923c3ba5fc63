"""Every write about concerns: raising one (signed in, or anonymously through an organisation's
public link), the focal points' steps, the raiser's additions, escalation of what is overdue,
and the organisation's settings.

Atomic, permission-checked and audit-logged. The log keeps a concern's reference, category and
status, never what it says: admins read the log, and some concerns are not theirs to read. An
anonymous concern is stored with no account, no address and no session, and its events name
nobody."""

import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record
from counterpart.notifications.services import notify
from counterpart.organisations.models import Membership, Role
from counterpart.organisations.permissions import require_role
from counterpart.partnerships.models import Side

from . import selectors
from .models import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    Category,
    Concern,
    ConcernEvent,
    ConcernSettings,
    Deadline,
    EventKind,
    ReplyBy,
    Status,
    end_of_day_after,
    hash_secret,
    new_intake_key,
    new_reference,
)
from .oversight import focal_points_tell_changes
from .permissions import focal_point_memberships, require_handler

ESCALATED_FIELD = {
    Deadline.ACKNOWLEDGE: "acknowledge_escalated_at",
    Deadline.RESPOND: "respond_escalated_at",
}

# A phone number as people write it: digits, spaces and the usual signs, one line.
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,30}$")


class LinkProblem(Exception):
    """Why a concerns link cannot be used, in words for the person holding it."""


# --- Checks ---------------------------------------------------------------------------------


def _text(value, *, field, limit, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Write something here.")})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("Keep it under %(limit)s characters.")
                % {"limit": number_format(limit, force_grouping=True)}
            }
        )
    return value


def _reply_contact(reply_by, contact) -> str:
    """The contact to keep for the reply: only what the chosen way of replying needs."""
    contact = (contact or "").strip()
    if reply_by not in ReplyBy.values:
        raise ValidationError({"reply_by": _("Choose whether and how you want a reply.")})
    if reply_by == ReplyBy.EMAIL:
        try:
            validate_email(contact)
        except ValidationError:
            raise ValidationError(
                {"contact": _("Give the email address the reply should go to.")}
            ) from None
        return contact
    if reply_by == ReplyBy.PHONE:
        if not PHONE.match(contact):
            raise ValidationError(
                {"contact": _("Give the phone number to call, with its country code.")}
            )
        return contact
    return ""


def _audit_after(concern, **extra):
    """What the log keeps about a concern: never its words, nor its raiser."""
    return {
        "reference": concern.reference,
        "category": concern.category,
        "status": concern.status,
        **extra,
    }


def _free_reference() -> str:
    for _attempt in range(20):
        reference = new_reference()
        if not Concern.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("no free concern reference")  # about 900 million of them


# --- Raising --------------------------------------------------------------------------------


def _new_concern(organisation, *, now, category, description, reply_by, contact, language, **extra):
    if category not in Category.values:
        raise ValidationError({"category": _("Choose what the concern is about.")})
    description = _text(description, field="description", limit=DESCRIPTION_MAX)
    contact = _reply_contact(reply_by, contact)
    chosen = selectors.settings_for(organisation)
    zone = organisation.time_zone or "UTC"
    acknowledge_by, acknowledge_due_at = end_of_day_after(now, chosen.acknowledge_days, zone)
    respond_by, respond_due_at = end_of_day_after(now, chosen.respond_days, zone)
    concern = Concern.objects.create(
        reference=_free_reference(),
        organisation=organisation,
        category=category,
        description=description,
        reply_by=reply_by,
        contact=contact,
        # Needed only to write the emails of the reply in the person's language.
        language=language if reply_by == ReplyBy.EMAIL else "",
        received_at=now,
        time_zone=zone,
        acknowledge_by=acknowledge_by,
        acknowledge_due_at=acknowledge_due_at,
        respond_by=respond_by,
        respond_due_at=respond_due_at,
        **extra,
    )
    ConcernEvent.objects.create(
        concern=concern,
        kind=EventKind.RECEIVED,
        author=concern.raised_by,
        by_raiser=True,
        at=now,
    )
    return concern


def _detail_link(concern):
    return reverse("concern_detail", args=[concern.pk])


def _tell_focal_points(concern, kind, params):
    people = [m.user for m in focal_point_memberships(concern.organisation)]
    notify(people, kind, params, _detail_link(concern))


@transaction.atomic
def concern_raise(
    *,
    actor,
    partnership,
    organisation,
    category,
    description,
    reply_by,
    contact="",
    language="en",
    now=None,
) -> Concern:
    """A member of a local-side organisation raises a concern with an international-side
    organisation of the partnership, under their own name."""
    if not selectors.may_raise_in(actor, partnership.pk):
        raise PermissionDenied(
            _("Only members of the partnership's local organisations raise concerns here.")
        )
    if not partnership.parties.filter(organisation=organisation, side=Side.INTERNATIONAL).exists():
        raise ValidationError(
            {"organisation": _("Choose an organisation on the international side.")}
        )
    concern = _new_concern(
        organisation,
        now=now or timezone.now(),
        category=category,
        description=description,
        reply_by=reply_by,
        contact=contact,
        language=language,
        partnership=partnership,
        raised_by=actor,
    )
    # Admins who are not focal points read the log: a restricted concern's raiser stays out.
    audit_record(
        actor=None if concern.is_restricted else actor,
        action="concern_raise",
        obj=concern,
        organisation=organisation,
        after=_audit_after(concern),
    )
    _tell_focal_points(
        concern, "concern_received", {"category": category, "organisation": organisation.name}
    )
    return concern


def intake_link(chosen) -> str:
    """The organisation's public link for raising concerns without an account."""
    return f"{settings.SITE_URL}{reverse('concern_intake', args=[chosen.intake_key])}"


def tracking_page() -> str:
    """The page where an anonymous raiser opens their concern with its private code."""
    return f"{settings.SITE_URL}{reverse('concern_track')}"


def tracking_link(secret: str) -> str:
    """The private link of an anonymous concern. The code follows "#", so that browsers never
    send it to the server in an address (nor to its access logs); the page sends it by POST."""
    return f"{tracking_page()}#{secret}"


@transaction.atomic
def concern_raise_anonymous(
    *, intake_key, category, description, reply_by, contact="", language="en", now=None
) -> tuple[Concern, str]:
    """Anyone holding an organisation's public link raises a concern without an account.

    Nothing stored says who: no account, no address, no session. The person follows the
    concern through a private link; only a hash of its secret is kept. Returns the concern
    and the secret, which is shown once, in the response to the form, and stored nowhere."""
    intake = selectors.open_intake(intake_key)
    if intake is None:
        raise LinkProblem(_("This link for raising concerns is not valid or has been turned off."))
    secret = secrets.token_urlsafe(24)
    concern = _new_concern(
        intake.organisation,
        now=now or timezone.now(),
        category=category,
        description=description,
        reply_by=reply_by,
        contact=contact,
        language=language,
        secret_hash=hash_secret(secret),
    )
    audit_record(
        actor=None,
        action="concern_raise",
        obj=concern,
        organisation=intake.organisation,
        after=_audit_after(concern),
    )
    _tell_focal_points(
        concern,
        "concern_received",
        {"category": category, "organisation": intake.organisation.name},
    )
    return concern, secret


# --- The raiser's side ----------------------------------------------------------------------


def _email_raiser(concern, event, *, signed_in):
    """A reply by email, to the address the person gave, in the language they wrote in."""
    language = concern.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Your concern %(reference)s: %(status)s") % {
            "reference": concern.reference,
            "status": Status(concern.status).label,
        }
        body = render_to_string(
            "concerns/email/update.txt",
            {
                "concern": concern,
                "step": EventKind(event.kind).label,
                "message": event.message,
                "signed_in": signed_in,
                "link": f"{settings.SITE_URL}{reverse('concern_mine')}",
            },
        )
    send_mail(subject, body, None, [concern.contact])


def _tell_raiser(concern, event):
    """News meant for the person who raised the concern."""
    raiser = concern.raised_by
    by_email = concern.reply_by == ReplyBy.EMAIL and concern.contact
    if raiser is not None:
        notify(
            [raiser],
            "concern_updated",
            {"reference": concern.reference},
            reverse("concern_mine_detail", args=[concern.pk]),
        )
        if by_email and concern.contact.lower() != raiser.email.lower():
            transaction.on_commit(lambda: _email_raiser(concern, event, signed_in=True))
    elif by_email:
        transaction.on_commit(lambda: _email_raiser(concern, event, signed_in=False))


@transaction.atomic
def concern_add_information(*, concern, message, actor=None, secret_hash=None, now=None):
    """The person who raised the concern adds to it: signed in as its raiser, or holding its
    private link (`secret_hash`, from their session)."""
    concern = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=concern.pk)
    )
    if concern.raised_by_id is not None:
        allowed = actor is not None and actor.is_authenticated and actor.pk == concern.raised_by_id
    else:
        allowed = bool(secret_hash) and secret_hash == concern.secret_hash
    if not allowed:
        raise PermissionDenied(_("Only the person who raised this concern can add to it."))
    message = _text(message, field="message", limit=MESSAGE_MAX)
    event = ConcernEvent.objects.create(
        concern=concern,
        kind=EventKind.INFORMATION,
        message=message,
        author=concern.raised_by,
        by_raiser=True,
        at=now or timezone.now(),
    )
    named = concern.raised_by_id is not None and not concern.is_restricted
    audit_record(
        actor=actor if named else None,
        action="concern_add_information",
        obj=concern,
        organisation=concern.organisation,
        after=_audit_after(concern),
    )
    _tell_focal_points(concern, "concern_information", {"reference": concern.reference})
    return event


# --- The focal points' steps ----------------------------------------------------------------


def _lock_to_handle(actor, concern) -> Concern:
    require_handler(actor, concern)
    return (
        Concern.objects.select_for_update(of=("self",))
        .select_related("organisation", "raised_by")
        .get(pk=concern.pk)
    )


def _step(concern, kind, *, actor, message, now):
    return ConcernEvent.objects.create(
        concern=concern, kind=kind, message=message, author=actor, at=now
    )


def _log(actor, action, concern, before):
    audit_record(
        actor=actor,
        action=action,
        obj=concern,
        organisation=concern.organisation,
        before=before,
        after=_audit_after(concern),
    )


def _require_open(concern):
    if not concern.is_open:
        raise ValidationError(_("This concern is resolved."))


def _advance(
    actor, concern, message, *, kind, status, stamps, action, required=True, check=None, now=None
):
    """Move an open concern one step on, tell the person who raised it, and log it. `stamps`
    names the dates to set, each only if not set already; `check` may refuse the step."""
    concern = _lock_to_handle(actor, concern)
    message = _text(message, field="message", limit=MESSAGE_MAX, required=required)
    _require_open(concern)
    if check is not None:
        check(concern)
    now = now or timezone.now()
    before = _audit_after(concern)
    for stamp in stamps:
        setattr(concern, stamp, getattr(concern, stamp) or now)
    concern.status = status
    concern.save(update_fields=[*stamps, "status"])
    event = _step(concern, kind, actor=actor, message=message, now=now)
    _log(actor, action, concern, before)
    _tell_raiser(concern, event)
    return concern


@transaction.atomic
def concern_acknowledge(*, actor, concern, message, now=None) -> Concern:
    """Tell the person the concern is received and is being looked at."""
    return _advance(
        actor,
        concern,
        message,
        kind=EventKind.ACKNOWLEDGED,
        status=Status.ACKNOWLEDGED,
        stamps=["acknowledged_at"],
        action="concern_acknowledge",
        check=_not_acknowledged,
        now=now,
    )


def _not_acknowledged(concern):
    if concern.acknowledged_at is not None:
        raise ValidationError(_("This concern is already acknowledged."))


@transaction.atomic
def concern_respond(*, actor, concern, message, now=None) -> Concern:
    """Answer the concern: what was found and what is done. A response also acknowledges."""
    return _advance(
        actor,
        concern,
        message,
        kind=EventKind.RESPONDED,
        status=Status.RESPONDED,
        stamps=["acknowledged_at", "responded_at"],
        action="concern_respond",
        now=now,
    )


@transaction.atomic
def concern_resolve(*, actor, concern, message="", now=None) -> Concern:
    """Close the concern. Its deadlines no longer run."""
    return _advance(
        actor,
        concern,
        message,
        kind=EventKind.RESOLVED,
        status=Status.RESOLVED,
        stamps=["resolved_at"],
        action="concern_resolve",
        required=False,
        now=now,
    )


@transaction.atomic
def concern_note(*, actor, concern, message, now=None) -> ConcernEvent:
    """A note for the focal points only; the person who raised the concern never sees it."""
    concern = _lock_to_handle(actor, concern)
    message = _text(message, field="message", limit=MESSAGE_MAX)
    event = _step(concern, EventKind.NOTE, actor=actor, message=message, now=now or timezone.now())
    _log(actor, "concern_note", concern, None)
    return event


# --- Deadlines ------------------------------------------------------------------------------


def _tell_admins(concern, missed):
    """Admins hear of every escalation. Those who may not read the concern (a restricted one,
    when they are not focal points) get its reference, category and the deadline missed, with
    a link to the list rather than to the concern."""
    organisation = concern.organisation
    handlers = {m.pk for m in focal_point_memberships(organisation)}
    admins = Membership.objects.filter(organisation=organisation, role=Role.ADMIN).select_related(
        "user"
    )
    params = {
        "category": concern.category,
        "reference": concern.reference,
        "organisation": organisation.name,
        "missed": missed,
    }
    seeing, not_seeing = [], []
    for membership in admins:
        sees = membership.pk in handlers or not concern.is_restricted
        (seeing if sees else not_seeing).append(membership.user)
    notify(seeing, "concern_escalated", params, _detail_link(concern))
    notify(not_seeing, "concern_escalated", params, reverse("concern_list", args=[organisation.pk]))


@transaction.atomic
def concern_escalate(*, concern, missed, now=None) -> bool:
    """Counterpart itself marks an overdue concern escalated, once per missed deadline, and
    tells the organisation's admins. Returns whether it did."""
    now = now or timezone.now()
    concern = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=concern.pk)
    )
    field = ESCALATED_FIELD
    if missed not in concern.overdue(now) or getattr(concern, field[missed]) is not None:
        return False
    before = _audit_after(concern)
    setattr(concern, field[missed], now)
    concern.status = Status.ESCALATED
    concern.save(update_fields=[field[missed], "status"])
    ConcernEvent.objects.create(concern=concern, kind=EventKind.ESCALATED, missed=missed, at=now)
    audit_record(
        actor=None,
        action="concern_escalate",
        obj=concern,
        organisation=concern.organisation,
        before=before,
        after=_audit_after(concern, missed=missed),
    )
    _tell_admins(concern, missed)
    return True


def concerns_process_due(now=None) -> dict:
    """Escalate every open concern whose deadline has passed unmet. Run hourly."""
    now = now or timezone.now()
    due = Concern.objects.filter(resolved_at__isnull=True).filter(
        Q(
            acknowledged_at__isnull=True,
            acknowledge_due_at__lte=now,
            acknowledge_escalated_at__isnull=True,
        )
        | Q(responded_at__isnull=True, respond_due_at__lte=now, respond_escalated_at__isnull=True)
    )
    escalated = 0
    for concern in due.order_by("pk"):
        for missed in concern.overdue(now):
            escalated += concern_escalate(concern=concern, missed=missed, now=now)
    return {"escalated": escalated}


# --- Settings -------------------------------------------------------------------------------


def _settings_snapshot(chosen, focal_points):
    return {
        "acknowledge_days": chosen.acknowledge_days,
        "respond_days": chosen.respond_days,
        "intake_open": chosen.intake_open,
        "focal_points": sorted(m.user.email for m in focal_points),
    }


def _lock_settings(organisation) -> ConcernSettings:
    ConcernSettings.objects.get_or_create(organisation=organisation)
    return ConcernSettings.objects.select_for_update().get(organisation=organisation)


@transaction.atomic
def concern_settings_update(
    *, actor, organisation, focal_points, acknowledge_days, respond_days, intake_open
) -> ConcernSettings:
    """Name the focal points, set the deadlines, open or close the public link. New deadlines
    apply to concerns received from now on.

    A change to who the focal points are is told to the focal points and the admins
    (oversight.py); the settings returned carry the people told, in `told`."""
    require_role(actor, organisation, Role.ADMIN)
    chosen = _lock_settings(organisation)
    handling = focal_point_memberships(organisation)
    focal_points = list(focal_points)
    if any(m.organisation_id != organisation.pk for m in focal_points):
        raise ValidationError(
            {
                "focal_points": _("Focal points must be members of %(org)s.")
                % {"org": organisation.name}
            }
        )
    current = list(chosen.focal_points.select_related("user"))
    before = _settings_snapshot(chosen, current)
    chosen.acknowledge_days = acknowledge_days
    chosen.respond_days = respond_days
    chosen.intake_open = intake_open
    chosen.full_clean(exclude=["organisation", "intake_key"])
    if respond_days < acknowledge_days:
        raise ValidationError(
            {"respond_days": _("The time to respond cannot be shorter than to acknowledge.")}
        )
    chosen.updated_at = timezone.now()
    chosen.save()
    chosen.focal_points.set(focal_points)
    after = _settings_snapshot(chosen, focal_points)
    audit_record(
        actor=actor,
        action="concern_settings_update",
        obj=chosen,
        organisation=organisation,
        before=before,
        after=after,
    )
    chosen.told = focal_points_tell_changes(
        actor=actor, organisation=organisation, before=handling, now=chosen.updated_at
    )
    return chosen


@transaction.atomic
def concern_intake_renew(*, actor, organisation) -> ConcernSettings:
    """Give the public link a new address; the old one stops working at once."""
    require_role(actor, organisation, Role.ADMIN)
    chosen = _lock_settings(organisation)
    chosen.intake_key = new_intake_key()
    chosen.updated_at = timezone.now()
    chosen.save(update_fields=["intake_key", "updated_at"])
    audit_record(
        actor=actor,
        action="concern_intake_renew",
        obj=chosen,
        organisation=organisation,
        after={"intake_open": chosen.intake_open},
    )
    return chosen
