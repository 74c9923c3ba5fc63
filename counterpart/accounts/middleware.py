"""Show times in the signed-in person's own time zone (storage stays UTC), and remember the
language they read in."""

import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone


class UserPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _remember_language(request, user)
        if user is not None and user.is_authenticated and user.timezone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def _remember_language(request, user):
    """Keep the language the person chose to read in, so that emails to them are written in it.

    Only a choice counts (the language cookie); at sign-in the browser's language is kept."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) and getattr(
        request, "LANGUAGE_CODE", ""
    )
    if language and language != user.language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language


@receiver(user_logged_in)
def _language_at_sign_in(sender, request, user, **kwargs):
    language = getattr(request, "LANGUAGE_CODE", "")
    if language and not user.language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language
