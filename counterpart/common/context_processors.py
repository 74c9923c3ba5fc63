from django.conf import settings
from django.utils.functional import SimpleLazyObject

from counterpart.notifications.selectors import unread_count


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        # Counted only when a page shows it.
        "UNREAD_NOTIFICATIONS": SimpleLazyObject(lambda: unread_count(user)),
    }
