from django.contrib.auth import get_user_model
from django.db import transaction

from counterpart.audit.services import audit_record, snapshot
from counterpart.organisations.services import organisation_create


@transaction.atomic
def user_register(*, email, password, full_name, organisation_fields):
    """A new person and the organisation they register; they become its first admin."""
    user = get_user_model().objects.create_user(email=email, password=password, full_name=full_name)
    organisation = organisation_create(actor=user, **organisation_fields)
    audit_record(
        actor=user,
        action="user_register",
        obj=user,
        organisation=organisation,
        after={"email": user.email, "full_name": user.full_name},
    )
    return user, organisation


@transaction.atomic
def user_update_profile(*, actor, full_name, timezone):
    # The form has already put the new values on the signed-in instance: read the stored ones.
    before = snapshot(get_user_model().objects.get(pk=actor.pk), ["full_name", "timezone"])
    actor.full_name = full_name
    actor.timezone = timezone
    actor.full_clean(exclude=["password"])
    actor.save(update_fields=["full_name", "timezone"])
    audit_record(
        actor=actor,
        action="user_update_profile",
        obj=actor,
        before=before,
        after=snapshot(actor, ["full_name", "timezone"]),
    )
    return actor
