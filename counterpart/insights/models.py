"""What insight keeps: each released round's scores, and the notes of its reflection meeting.

A round's answers never change once it is released, so its element and foundation scores are
worked out once, at release, and kept here. The portfolio and the benchmark read these rows
instead of millions of answers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoundSummary(models.Model):
    round = models.OneToOneField(
        "assessments.Round", on_delete=models.CASCADE, related_name="summary"
    )
    # Copied from the round, so that the portfolio reads one table.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="summaries",
    )
    kind = models.CharField(max_length=16)
    released_at = models.DateTimeField()
    conversation_mode = models.BooleanField(default=False)
    # {code: {"international": [points, answers], "local": [points, answers]}}
    elements = models.JSONField(default=dict)
    foundations = models.JSONField(default=dict)
    # {"international": n, "local": n}: people asked, and responses received
    asked = models.JSONField(default=dict)
    answered = models.JSONField(default=dict)
    # Both sides together, as plain numbers, so that the portfolio need not decode the above.
    asked_total = models.PositiveIntegerField(default=0)
    answered_total = models.PositiveIntegerField(default=0)
    largest_gap = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["partnership", "released_at"]),
            models.Index(fields=["kind", "organisation", "released_at"]),
        ]

    def __str__(self):
        return f"{self.round_id}"


class DialogueNote(models.Model):
    """What the reflection meeting said about one question or practice, and the next steps it
    agreed. Either side's editors write it; every change is in the audit log."""

    round = models.ForeignKey(
        "assessments.Round", on_delete=models.CASCADE, related_name="dialogue_notes"
    )
    topic = models.CharField(max_length=100)  # a pair code or a practice's question name
    notes = models.TextField(_("what was said"), blank=True, max_length=5000)
    next_steps = models.TextField(_("agreed next steps"), blank=True, max_length=5000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "topic"], name="dialogue_note_unique")
        ]

    def __str__(self):
        return f"{self.round_id}:{self.topic}"
