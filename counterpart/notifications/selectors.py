"""Reading a person's notifications."""

from .models import Notification

PAGE_SIZE = 50


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def latest_for(user, limit=PAGE_SIZE):
    return list(Notification.objects.filter(user=user)[:limit])
