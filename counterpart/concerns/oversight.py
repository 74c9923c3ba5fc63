"""Who reads the restricted concerns is known to those who handle them.

Safeguarding and fraud concerns are read by the focal points alone, and an admin can make
herself one. So every change to who the focal points are is told, in the app and by email, to
the focal points (before and after the change) and to the admins: who changed it, for whom,
and when. And every time a member opens the page of a safeguarding or fraud concern, who
and when is kept, for the focal points to see on that page.

The writes here belong to services.py, split out to keep it readable: concern_settings_update
calls focal_points_tell_changes in its transaction, and the concern's page calls
concern_access_record."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from counterpart.notifications.services import notify
from counterpart.organisations.models import Membership, Role

from .models import ACCESS_INTERVAL, ConcernAccess
from .permissions import focal_point_memberships, require_handler

NAMED = "concern_focal_point_named"
REMOVED = "concern_focal_point_removed"


def _name(user) -> str:
    return user.full_name or user.email


def focal_points_tell_changes(*, actor, organisation, before, now=None) -> list:
    """Tell the organisation's focal points and admins who became a focal point and who
    stopped being one, by whose hand and when. Returns the people told.

    `before` is the list of memberships that handled concerns before the change, as
    `focal_point_memberships` gave it; the change is read against what it gives now. Both
    count the admins who are focal points because nobody is named, so that naming the first
    focal point tells the admins who thereby stop being focal points, and removing the last
    one tells those who thereby become focal points again. The person who made the change is
    not sent a notification: the page tells them that the others are told."""
    now = now or timezone.now()
    after = focal_point_memberships(organisation)
    before_ids = {m.pk for m in before}
    after_ids = {m.pk for m in after}
    changes = [(NAMED, m) for m in after if m.pk not in before_ids] + [
        (REMOVED, m) for m in before if m.pk not in after_ids
    ]
    if not changes:
        return []
    admins = list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN).select_related("user")
    )
    # Each person once (a member has one membership in the organisation), never the actor.
    told = {
        m.user.pk: m
        for m in [*before, *after, *admins]
        if m.user.pk != actor.pk and m.user.is_active
    }
    # Those who handle concerns after the change, and the admins, are sent to the list of
    # concerns; someone who no longer handles them, to the organisation's page.
    seeing = [m.user for m in told.values() if m.pk in after_ids or m.role == Role.ADMIN]
    not_seeing = [m.user for m in told.values() if m.user not in seeing]
    for kind, membership in changes:
        params = {
            "actor": _name(actor),
            "person": _name(membership.user),
            "organisation": organisation.name,
            "at": now.isoformat(),
        }
        notify(seeing, kind, params, reverse("concern_list", args=[organisation.pk]))
        notify(
            not_seeing,
            kind,
            params,
            reverse("organisation_detail", args=[organisation.pk]),
        )
    return [*seeing, *not_seeing]


@transaction.atomic
def concern_access_record(*, actor, concern, now=None) -> ConcernAccess | None:
    """Keep that the person opened the page of a safeguarding or fraud concern, and when.

    Only the restricted categories are recorded, and only for the members who may read them
    (the focal points). A person's openings less than an hour apart (ACCESS_INTERVAL) are
    kept as one, the first: reloading the page, or the page shown again after each step,
    adds nothing. The record names the reader only; it holds nothing about who raised the
    concern. It is not copied to the audit log: it is itself the log of who read, and it is
    shown to the focal points, who alone may know of the concern. Returns the new record, or
    None when nothing was kept."""
    if not concern.is_restricted:
        return None
    require_handler(actor, concern)
    now = now or timezone.now()
    recent = ConcernAccess.objects.filter(
        concern=concern, user=actor, opened_at__gt=now - ACCESS_INTERVAL
    )
    if recent.exists():
        return None
    return ConcernAccess.objects.create(concern=concern, user=actor, opened_at=now)
