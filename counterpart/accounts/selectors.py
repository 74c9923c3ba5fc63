"""Reads about accounts that views need."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import PendingSignup


def confirmation_cutoff():
    """Registrations made before this moment can no longer be confirmed."""
    return timezone.now() - timedelta(hours=settings.SIGNUP_CONFIRM_HOURS)


def pending_signup(token: str) -> PendingSignup | None:
    """The registration a confirmation link stands for, if it is still waiting."""
    return PendingSignup.objects.filter(
        token_hash=PendingSignup.hash_token(token), created_at__gt=confirmation_cutoff()
    ).first()
