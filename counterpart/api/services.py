"""Writes for API tokens: making one and revoking it, each audit-logged."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record
from counterpart.organisations.models import Membership

from .models import ApiToken, hash_key, new_key

MAX_ACTIVE = 20


@transaction.atomic
def api_token_create(*, actor, name, expires_on=None) -> tuple[ApiToken, str]:
    """Make a token for the person. Returns the token and its key, which is never stored and
    cannot be shown again."""
    if not Membership.objects.filter(user=actor).exists():
        raise PermissionDenied(_("Only members of an organisation can make API tokens."))
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("Choose a day after today.")})
    active = ApiToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE:
        raise ValidationError(
            _("You have %(count)s tokens in use. Revoke one you no longer need first.")
            % {"count": MAX_ACTIVE}
        )
    key = new_key()
    token = ApiToken(
        user=actor, name=name, start=key[:10], key_hash=hash_key(key), expires_on=expires_on
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action="api_token_create",
        obj=token,
        after={"name": name, "start": token.start, "expires_on": str(expires_on or "")},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied(_("You can revoke only your own tokens."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token_revoke", obj=token, after={"start": token.start})
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor) -> int:
    """Revoke every token of the person still in use (after their password changed). Returns
    how many were revoked."""
    today = timezone.localdate()
    tokens = [
        token
        for token in ApiToken.objects.select_for_update().filter(
            user=actor, revoked_at__isnull=True
        )
        if token.is_active(today)
    ]
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=now)
    for token in tokens:
        audit_record(
            actor=actor,
            action="api_token_revoke",
            obj=token,
            after={"start": token.start},
            context="password_changed",
        )
    return len(tokens)
