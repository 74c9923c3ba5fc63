"""The append-only audit log: who did what, for which organisation, when, before and after."""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or remove a recorded event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be changed")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint and nothing done on delete: removing a person or an organisation
    # never rewrites the log (the labels keep who it was).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Kept as text too, so the record still says who it was if the account goes.
    actor_label = models.CharField(max_length=254, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    # What the event belongs to beyond one organisation, e.g. "partnership:12", so that every
    # side of a partnership sees its history.
    context = models.CharField(max_length=64, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    @property
    def action_label(self):
        from .labels import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)

    def changes(self):
        """(field, before, after) for the fields that differ, in words where the model has
        them: the field's name and the label of a chosen value rather than its code."""
        before = self.before or {}
        after = self.after or {}
        model = None
        if self.object_type:
            try:
                model = apps.get_model(self.object_type)
            except (LookupError, ValueError):
                model = None
        rows = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            label, shown = key, (lambda value: value)
            if model is not None:
                try:
                    field = model._meta.get_field(key)
                except FieldDoesNotExist:
                    field = None
                if field is not None and getattr(field, "concrete", False):
                    label = field.verbose_name
                    shown = _shown_with(_choices_of(field))
            rows.append((label, shown(old), shown(new)))
        return rows


def _choices_of(field) -> dict:
    """Code → label for a field with choices (countries included), else nothing."""
    try:
        return dict(field.flatchoices or field.choices or [])
    except (TypeError, ValueError):
        return {}


def _shown_with(choices):
    def shown(value):
        if isinstance(value, list):
            return ", ".join(str(choices.get(v, v)) for v in value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return choices.get(value, value)

    return shown
