from django.conf import settings

from counterpart.notifications.selectors import unread_count


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        # A callable: counted only when a page shows it (once, inside a `with`).
        "UNREAD_NOTIFICATIONS": lambda: unread_count(user),
    }
