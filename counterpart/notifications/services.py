"""Sending notifications: one row per person for the app, and an email in their language."""

import zoneinfo
from datetime import UTC

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .messages import message_for
from .models import Notification


def _zone(user):
    """The person's time zone, for the times an email states; UTC if it is unknown."""
    try:
        return zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _email(user, kind, params, link):
    language = user.language or settings.LANGUAGE_CODE
    # Written in the person's language, with times in their time zone (not the sender's).
    with translation.override(language), timezone.override(_zone(user)):
        text = message_for(kind, params)
        body = render_to_string(
            "notifications/email/notification.txt",
            {
                "text": text,
                "link": f"{settings.SITE_URL}{link}",
                "user": user,
                "site": settings.SITE_NAME,
            },
        )
        subject = _("%(site)s: %(text)s") % {"site": settings.SITE_NAME, "text": text}
    # A subject is one line: every line break or tab a person typed becomes a space.
    send_mail(" ".join(subject.split())[:200], body, None, [user.email])


def notify(users, kind: str, params: dict, link: str, *, email=True) -> list[Notification]:
    """Tell each person (once, however often they are listed) about something that needs them.

    Called inside a service's transaction: emails leave only once it commits."""
    unique = {user.pk: user for user in users if user is not None and user.is_active}
    notes = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, params=params, link=link) for user in unique.values()
    )
    if email:
        for user in unique.values():
            transaction.on_commit(lambda u=user: _email(u, kind, params, link))
    return notes


@transaction.atomic
def notifications_mark_read(*, actor) -> int:
    """Mark every unread notification of the person as read."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
