"""Recording audit events. Every service that writes calls `audit_record` inside its transaction."""

import datetime
import decimal
import uuid

from django.db import models

from .models import AuditEvent


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    code = getattr(value, "code", None)  # django-countries Country
    if code is not None:
        return code
    return str(value)


def snapshot(obj, fields):
    """A JSON-safe picture of some fields of a model instance, for before → after."""
    if obj is None:
        return None
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            data[name] = sorted(_plain(v) for v in getattr(obj, name).all())
        elif field.is_relation:
            data[name] = getattr(obj, field.attname)
        else:
            data[name] = _plain(getattr(obj, name))
    return data


def audit_record(
    *, actor, action, obj=None, organisation=None, before=None, after=None, context=""
):
    """Append one event to the audit log."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=(actor.email if getattr(actor, "is_authenticated", False) else ""),
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
        context=context,
    )
