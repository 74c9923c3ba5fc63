"""Every write about organisations, members and invitations: atomic, permission-checked, audited."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record, snapshot
from counterpart.common import ratelimit

from .models import Invitation, Membership, Organisation, Role
from .names import SAME_NAME_MESSAGE, name_key
from .permissions import has_role, membership_of, require_role
from .selectors import name_taken

ORGANISATION_FIELDS = Organisation.PROFILE_FIELDS
INVITATION_SALT = "counterpart.organisations.invitation"


@transaction.atomic
def organisation_create(*, actor, add_creator_as_admin=True, **fields) -> Organisation:
    """A new organisation. Its creator becomes its first admin."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("You need to sign in to register an organisation."))
    organisation = Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    organisation.full_clean()
    _refuse_same_name(organisation)
    organisation.save()
    if add_creator_as_admin:
        Membership.objects.create(organisation=organisation, user=actor, role=Role.ADMIN)
    audit_record(
        actor=actor,
        action="organisation_create",
        obj=organisation,
        organisation=organisation,
        after=snapshot(organisation, ORGANISATION_FIELDS),
    )
    return organisation


def _refuse_same_name(organisation: Organisation) -> None:
    """Two organisations in one country never share a name (docs/decisions/0011)."""
    if name_taken(organisation.name, organisation.country, exclude=organisation.pk):
        raise ValidationError({"name": SAME_NAME_MESSAGE})


def _renamed(before: dict, organisation: Organisation) -> bool:
    return (
        name_key(before["name"]) != name_key(organisation.name)
        or before["country"] != snapshot(organisation, ["country"])["country"]
    )


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    require_role(actor, organisation, Role.ADMIN)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"not an organisation field: {name}")
        setattr(organisation, name, value)
    if organisation.affiliate_of_id == organisation.pk:
        raise ValidationError(
            {"affiliate_of": _("An organisation cannot be an affiliate of itself.")}
        )
    organisation.full_clean()
    if _renamed(before, organisation):
        # Only a new name or country is checked: one of two organisations that already shared
        # a name still saves the rest of its profile.
        _refuse_same_name(organisation)
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation_update",
        obj=organisation,
        organisation=organisation,
        before=before,
        after=snapshot(organisation, ORGANISATION_FIELDS),
    )
    return organisation


# Invitations ---------------------------------------------------------------------------------


@dataclass
class InvitationProblem(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""

    message: str

    def __str__(self):
        return str(self.message)


def invitation_token(invitation: Invitation, secret: str) -> str:
    return signing.dumps({"i": invitation.pk, "s": secret}, salt=INVITATION_SALT)


def invitation_link(invitation: Invitation, secret: str) -> str:
    path = reverse("invitation_accept", kwargs={"token": invitation_token(invitation, secret)})
    return f"{settings.SITE_URL}{path}"


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link stands for, or InvitationProblem saying why not."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationProblem(
            _("This invitation has expired. Ask the person who invited you to send a new one.")
        ) from None
    except signing.BadSignature:
        raise InvitationProblem(
            _("This invitation link is not valid. Check that you copied all of it.")
        ) from None
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=data.get("i"), secret_hash=Invitation.hash_secret(str(data.get("s"))))
        .first()
    )
    if invitation is None:
        raise InvitationProblem(
            _("This invitation link is not valid. Check that you copied all of it.")
        )
    if invitation.accepted_at is not None:
        raise InvitationProblem(
            _("This invitation has already been used. Sign in to reach the organisation.")
        )
    if invitation.superseded:
        raise InvitationProblem(
            _("A newer invitation was sent to this address. Use the link in the latest email.")
        )
    if invitation.revoked_at is not None:
        raise InvitationProblem(_("This invitation was withdrawn by the organisation."))
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(
            _("This invitation has expired. Ask the person who invited you to send a new one.")
        )
    return invitation


def _send_invitation_email(invitation: Invitation, link: str) -> None:
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "link": link,
            "days": settings.INVITATION_MAX_AGE_DAYS,
            "inviter": invitation.invited_by,
        }
        subject = _("You are invited to join %(organisation)s on Counterpart") % {
            "organisation": invitation.organisation.name
        }
        body = render_to_string("organisations/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def _supersede(invitations) -> None:
    """Waiting invitations replaced by a newer one stop working, and say so when opened."""
    invitations.update(revoked_at=timezone.now(), superseded=True)


def _invitation_make(*, actor, organisation, email, role, language, send, counted_for=None):
    """`counted_for` is the organisation whose invitations the sending counts against (the one
    that registered a partner, for the partner's first admin)."""
    if send:
        invitations_count(counted_for or organisation)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    # A new invitation replaces any earlier one still waiting for the same address.
    _supersede(Invitation.objects.pending().filter(organisation=organisation, email__iexact=email))
    now = timezone.now()
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        language=language,
        invited_by=actor,
        secret_hash=Invitation.hash_secret(secret),
        expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        action="invitation_create",
        obj=invitation,
        organisation=organisation,
        after={"email": email, "role": role},
    )
    link = invitation_link(invitation, secret)
    if send:
        transaction.on_commit(lambda: _send_invitation_email(invitation, link))
    return invitation, link


def invitations_count(organisation: Organisation) -> None:
    """Count one more invitation email sent by the organisation, or raise
    ratelimit.RateLimited (answered with 429) once it has sent its share for the day."""
    ratelimit.hit("invitation", organisation.pk)


@transaction.atomic
def invitation_create(*, actor, organisation, email, role, language="en", send=True):
    """Invite a person by email. Returns the invitation and its link (sent by email)."""
    require_role(actor, organisation, Role.ADMIN)
    return _invitation_make(
        actor=actor, organisation=organisation, email=email, role=role, language=language, send=send
    )


def _refuse_own_staff_as_contact(registering_organisation, email):
    """The partner's first admin works for the partner, not for the organisation registering it."""
    if Membership.objects.filter(
        organisation=registering_organisation, user__email__iexact=email.strip()
    ).exists():
        raise ValidationError(
            _(
                "This address belongs to a member of your own organisation. Invite a contact "
                "person who works for the partner."
            )
        )


@transaction.atomic
def invitation_create_first_admin(*, actor, organisation, email, language="en", send=True):
    """Invite the first admin of an organisation nobody has joined yet.

    Only editors of the organisation that registered it may do this: it is how a lost or
    expired first invitation is sent again, or sent to a corrected address (the new invitation
    replaces every one still waiting). Once someone has joined, only the organisation's own
    admins invite."""
    if organisation.memberships.exists():
        raise ValidationError(
            _("Someone from this organisation has already joined. Ask its admins to invite people.")
        )
    if organisation.registered_by_id is None or not has_role(
        actor, organisation.registered_by, Role.EDITOR
    ):
        raise PermissionDenied(
            _("Only the organisation that registered this partner may invite its first admin.")
        )
    _refuse_own_staff_as_contact(organisation.registered_by, email)
    _supersede(Invitation.objects.pending().filter(organisation=organisation))
    return _invitation_make(
        actor=actor,
        organisation=organisation,
        email=email,
        role=Role.ADMIN,
        language=language,
        send=send,
        counted_for=organisation.registered_by,
    )


@transaction.atomic
def organisation_register_partner(
    *, actor, inviting_organisation, contact_email, language="en", send=True, **fields
):
    """An editor registers a partner organisation that is not yet on Counterpart.

    The new organisation has no members: its contact person is invited to be its first admin,
    so that nobody from the inviting organisation manages it."""
    require_role(actor, inviting_organisation, Role.EDITOR)
    _refuse_own_staff_as_contact(inviting_organisation, contact_email)
    organisation = Organisation(
        registered_by=inviting_organisation,
        **{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS},
    )
    organisation.full_clean()
    _refuse_same_name(organisation)
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation_register_partner",
        obj=organisation,
        organisation=inviting_organisation,
        after=snapshot(organisation, ORGANISATION_FIELDS),
    )
    invitation, link = _invitation_make(
        actor=actor,
        organisation=organisation,
        email=contact_email,
        role=Role.ADMIN,
        language=language,
        send=send,
        counted_for=inviting_organisation,
    )
    return organisation, invitation, link


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> None:
    require_role(actor, invitation.organisation, Role.ADMIN)
    # Read it again under a lock: it may have been accepted since the page was shown.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation is no longer waiting; nothing was changed."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="invitation_revoke",
        obj=invitation,
        organisation=invitation.organisation,
        before={"email": invitation.email, "role": invitation.role},
    )


def _join(invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationProblem(_("This invitation has already been used or has expired."))
    membership = membership_of(user, invitation.organisation)
    before = None
    if membership is None:
        membership = Membership.objects.create(
            organisation=invitation.organisation, user=user, role=invitation.role
        )
    else:
        before = {"role": membership.role}
        if Role.rank(invitation.role) > Role.rank(membership.role):
            membership.role = invitation.role
            membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="invitation_accept",
        obj=membership,
        organisation=invitation.organisation,
        before=before,
        after={"role": membership.role, "email": user.email},
    )
    return membership


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation) -> Membership:
    """A signed-in person joins the organisation the invitation is for."""
    if user.email.lower() != invitation.email.lower():
        raise InvitationProblem(
            _(
                "This invitation was sent to another email address. Sign out, then open the "
                "link again and sign in or create your account with the address it was sent to."
            )
        )
    return _join(invitation, user)


@transaction.atomic
def invitation_accept_new_person(*, invitation: Invitation, full_name: str, password: str):
    """Someone without an account joins: the account is created with the invited address."""
    User = get_user_model()
    exists = InvitationProblem(
        _("An account with this email address already exists. Sign in to accept.")
    )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise exists
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
    except IntegrityError:  # the same form sent twice at once
        raise exists from None
    audit_record(
        actor=user,
        action="user_create",
        obj=user,
        organisation=invitation.organisation,
        after={"email": user.email, "full_name": user.full_name},
    )
    return _join(invitation, user)


# Memberships ---------------------------------------------------------------------------------


def _lock_organisation(organisation):
    """Changes to who administers an organisation happen one at a time, so that two admins
    demoting each other at once cannot leave it with none."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _withdraw_invitations_sent_by(membership: Membership) -> None:
    """Invitations an admin sent do not outlive their admin rights."""
    Invitation.objects.pending().filter(
        organisation=membership.organisation, invited_by=membership.user
    ).update(revoked_at=timezone.now())


def _admins_left(organisation, without: Membership) -> int:
    return (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .exclude(pk=without.pk)
        .count()
    )


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role) -> Membership:
    require_role(actor, membership.organisation, Role.ADMIN)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    _lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if (
        membership.role == Role.ADMIN
        and role != Role.ADMIN
        and _admins_left(membership.organisation, membership) == 0
    ):
        raise ValidationError(
            _("An organisation needs at least one admin. Make someone else admin first.")
        )
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    if role != Role.ADMIN:
        _withdraw_invitations_sent_by(membership)
    audit_record(
        actor=actor,
        action="membership_set_role",
        obj=membership,
        organisation=membership.organisation,
        before=before,
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """An admin removes a member, or a member leaves. The last admin cannot go."""
    if membership.user_id != actor.pk:
        require_role(actor, membership.organisation, Role.ADMIN)
    _lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admins_left(membership.organisation, membership) == 0:
        raise ValidationError(
            _("An organisation needs at least one admin. Make someone else admin first.")
        )
    audit_record(
        actor=actor,
        action="membership_remove",
        obj=membership,
        organisation=membership.organisation,
        before={"email": membership.user.email, "role": membership.role},
    )
    _withdraw_invitations_sent_by(membership)
    membership.delete()
