"""What the API does when something happens to an account (connected in apps.py)."""

from django.dispatch import receiver

from counterpart.accounts.signals import password_changed

from .services import api_tokens_revoke_all


@receiver(password_changed)
def _revoke_tokens(sender, user, **kwargs) -> int:
    """A new password ends every other way in: the person's API tokens stop working."""
    return api_tokens_revoke_all(actor=user)
