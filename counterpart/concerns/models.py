"""The partners' concerns channel.

A member of a local partner raises a concern about how they are treated, either signed in
(from the partnership) or anonymously (through the link an organisation publishes). The
organisation's focal points acknowledge and respond within deadlines; what is overdue
escalates to its admins. An anonymous concern keeps nothing that says who raised it: no
account, no address, no session; its raiser follows it through a private link whose secret
is stored only as a hash."""

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counterpart.common.deadlines import day_end, local_day

DESCRIPTION_MAX = 10_000
MESSAGE_MAX = 10_000


class Category(models.TextChoices):
    FUNDING = "funding", _("Funding")
    DECISIONS = "decisions", _("Decisions")
    RESPECT = "respect", _("Respect")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    FRAUD = "fraud", _("Fraud or corruption")
    OTHER = "other", _("Other")


# Seen by the focal points only, never by admins who are not focal points.
RESTRICTED = frozenset({Category.SAFEGUARDING, Category.FRAUD})


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")


class ReplyBy(models.TextChoices):
    NONE = "none", _("No reply is needed")
    APP = "app", _("In Counterpart")
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone")


class Deadline(models.TextChoices):
    """The deadline a concern missed when it escalates (its label ends a sentence)."""

    ACKNOWLEDGE = "acknowledge", _("not acknowledged in time")
    RESPOND = "respond", _("not responded to in time")


REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out by phone


def new_reference() -> str:
    return "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _n in range(6))


def new_intake_key() -> str:
    return secrets.token_urlsafe(18)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def end_of_day_after(received_at: datetime, days: int, zone_name: str) -> tuple[date, datetime]:
    """The local date `days` after the day `received_at` falls on in the zone, and the instant
    that day ends (the following midnight, local time), in UTC. A deadline is met until then."""
    due_on = local_day(received_at, zone_name) + timedelta(days=days)
    return due_on, day_end(due_on, zone_name).astimezone(UTC)


class ConcernSettings(models.Model):
    """How an organisation receives concerns: who handles them, how fast, and its public link."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="concern_settings"
    )
    # A membership, so that a person who leaves the organisation stops being a focal point.
    focal_points = models.ManyToManyField(
        "organisations.Membership",
        verbose_name=_("focal points"),
        blank=True,
        related_name="focal_point_for",
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    respond_days = models.PositiveSmallIntegerField(
        _("days to respond"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    intake_open = models.BooleanField(_("accept concerns through our public link"), default=False)
    intake_key = models.CharField(max_length=32, unique=True, default=new_intake_key)
    updated_at = models.DateTimeField(default=timezone.now)

    SETTINGS_FIELDS = ("acknowledge_days", "respond_days", "intake_open")

    class Meta:
        verbose_name = _("concern settings")
        verbose_name_plural = _("concern settings")

    def __str__(self):
        return str(self.organisation)


class Concern(models.Model):
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("raised with"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    # Set only for a concern raised signed in, from the partnership.
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_MAX)
    reply_by = models.CharField(
        _("reply wanted"), max_length=8, choices=ReplyBy.choices, default=ReplyBy.APP
    )
    # An email address or a phone number the person chose to give, for the reply.
    contact = models.CharField(_("contact for the reply"), max_length=200, blank=True)
    # The language of the replies sent by email; kept only when the reply goes by email.
    language = models.CharField(max_length=8, blank=True)
    # For an anonymous concern: the hash of the private link's secret.
    secret_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"))
    time_zone = models.CharField(max_length=64, default="UTC")
    acknowledge_by = models.DateField(_("to acknowledge by"))
    acknowledge_due_at = models.DateTimeField()
    respond_by = models.DateField(_("to respond by"))
    respond_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Each deadline escalates once.
    acknowledge_escalated_at = models.DateTimeField(null=True, blank=True)
    respond_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["resolved_at", "acknowledge_due_at"]),
            models.Index(fields=["resolved_at", "respond_due_at"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_restricted(self) -> bool:
        return self.category in RESTRICTED

    @property
    def is_anonymous(self) -> bool:
        return self.raised_by_id is None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def overdue(self, now=None) -> list[str]:
        """The deadlines missed so far, while the concern is open."""
        now = now or timezone.now()
        if not self.is_open:
            return []
        missed = []
        if self.acknowledged_at is None and self.acknowledge_due_at <= now:
            missed.append(Deadline.ACKNOWLEDGE)
        if self.responded_at is None and self.respond_due_at <= now:
            missed.append(Deadline.RESPOND)
        return missed


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated to the organisation's admins")
    INFORMATION = "information", _("More information from the person who raised it")
    NOTE = "note", _("Internal note")


class ConcernEvent(models.Model):
    """One step in a concern's history. Internal notes are never shown to the raiser."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    message = models.TextField(blank=True, max_length=MESSAGE_MAX)
    # Who wrote it, when a member did; empty for the system and for an anonymous raiser.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_raiser = models.BooleanField(default=False)
    missed = models.CharField(max_length=16, choices=Deadline.choices, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.concern} {self.kind}"

    @property
    def internal(self) -> bool:
        return self.kind == EventKind.NOTE


# A person's openings of a restricted concern closer together than this are kept as one.
ACCESS_INTERVAL = timedelta(hours=1)


class ConcernAccessIsAppendOnly(Exception):
    """Raised when code tries to change or remove a record of who opened a concern."""


class ConcernAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ConcernAccessIsAppendOnly("records of who opened a concern cannot be changed")

    def delete(self):
        raise ConcernAccessIsAppendOnly("records of who opened a concern cannot be deleted")


class ConcernAccess(models.Model):
    """A member who handles concerns opened the page of a safeguarding or fraud concern.

    Append-only. It names the reader, never the person who raised the concern, and it is
    kept at most once an hour for each reader (ACCESS_INTERVAL)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="accesses")
    # Protected: the account of someone who read a restricted concern cannot be deleted
    # without this record going first, which it cannot.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)

    objects = ConcernAccessQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("opening of a concern")
        verbose_name_plural = _("openings of a concern")
        indexes = [models.Index(fields=["concern", "user", "opened_at"])]

    def __str__(self):
        return f"{self.concern} {self.opened_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ConcernAccessIsAppendOnly("records of who opened a concern cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ConcernAccessIsAppendOnly("records of who opened a concern cannot be deleted")
