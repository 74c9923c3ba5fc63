"""Writes of the common app: storing what a form with a one-time key created, once, and
forgetting the keys after a day."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SubmissionKey
from .submissions import LIFETIME, Sent, digest, seal, unseal


def _found(key, digested) -> Sent | None:
    row = SubmissionKey.objects.select_related("content_type").filter(digest=digested).first()
    if row is None:
        return None
    return Sent(obj=row.stored(), again=True, secret=unseal(key, row.sealed))


def submission_found(*, key, scope) -> Sent | None:
    """What an earlier request with this key stored (`obj` None when it was deleted since),
    or None when the key is new."""
    return _found(key, digest(key, scope))


def submission_store_once(*, key, scope, create, secret=False) -> Sent:
    """Run `create` (a service: atomic, permission-checked, audit-logged) once for this key.

    The key is claimed first, in the same transaction as what `create` stores. A request that
    brings the same key while the first one is still running waits on the unique digest until
    that one ends: when it stored something, this one gets it, marked `again`, and creates
    nothing; when it failed, nothing of it stays and this one goes ahead. With `secret`,
    `create` returns (object, secret), and the secret is kept encrypted with the key so that
    the answer to a repeated request can show it again. Without a key, `create` just runs.
    Callers look first with `submission_found`, which needs no write."""
    if key is None:
        made = create()
        obj, shown = made if secret else (made, "")
        return Sent(obj=obj, secret=shown)
    digested = digest(key, scope)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = SubmissionKey.objects.create(digest=digested)
        except IntegrityError:
            # Another request with this key stored first and has ended: its row is visible now.
            earlier = _found(key, digested)
            if earlier is None:
                raise
            return earlier
        made = create()
        obj, shown = made if secret else (made, "")
        row.content_type = ContentType.objects.get_for_model(obj)
        row.object_id = str(obj.pk)
        row.sealed = seal(key, shown)
        row.save(update_fields=["content_type", "object_id", "sealed"])
    return Sent(obj=obj, secret=shown)


def submission_keys_purge(now=None) -> int:
    """Forget the keys of forms sent more than a day ago. Returns how many."""
    cutoff = (now or timezone.now()) - LIFETIME
    deleted, _kinds = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
