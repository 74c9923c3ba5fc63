"""Messages to a person about something that needs them: shown in the app and sent by email.

A notification keeps a kind and its values, not a sentence, so that it is written in the
language of whoever reads it, when they read it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=48)
    params = models.JSONField(default=dict)
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        from .messages import message_for

        return message_for(self.kind, self.params)
