"""Joint commitments: what one side of a partnership will change after a round, agreed by both.

A commitment starts as a proposal from one side and becomes active only when the other side
accepts it. Changes (and dropping it) are proposed and accepted the same way; every proposal is
kept as a revision. Progress updates carry the evidence; either side reports it done and the
other side confirms it (kept) or disputes it (back to active). The next round of the same
partnership asks both sides whether each commitment happened and made a difference."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counterpart.common.validators import single_line
from counterpart.partnerships.models import Side


class CommitmentState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed: waiting for the other side")
    ACTIVE = "active", _("Agreed: in progress")
    DONE_REPORTED = "done_reported", _("Reported done: waiting for confirmation")
    KEPT = "kept", _("Kept")
    DECLINED = "declined", _("Not accepted")
    DROPPED = "dropped", _("Dropped by agreement")


# States in which a commitment still asks something of its owner.
OPEN_STATES = (CommitmentState.ACTIVE, CommitmentState.DONE_REPORTED)
# States in which both sides agreed to it at some point.
AGREED_STATES = (*OPEN_STATES, CommitmentState.KEPT, CommitmentState.DROPPED)


class Commitment(models.Model):
    # The terms both sides agree to; an amendment proposes new values for them.
    TERMS = ("title", "element", "question", "owner_side", "owner", "due_on", "evidence_expected")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="commitments"
    )
    round = models.ForeignKey(
        "assessments.Round", on_delete=models.CASCADE, related_name="commitments"
    )
    title = models.CharField(_("what will change"), max_length=300, validators=[single_line])
    element = models.CharField(_("element"), max_length=64, blank=True)
    question = models.CharField(_("question"), max_length=64, blank=True)
    owner_side = models.CharField(_("side that owns it"), max_length=16, choices=Side.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person responsible"),
        on_delete=models.PROTECT,
        related_name="owned_commitments",
    )
    # The owner's organisation on that side: its time zone decides when the due day ends.
    owner_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due date"))
    due_at = models.DateTimeField()
    evidence_expected = models.TextField(_("what will show it was done"), max_length=2000)
    state = models.CharField(
        _("state"), max_length=16, choices=CommitmentState.choices, default=CommitmentState.PROPOSED
    )
    proposed_side = models.CharField(max_length=16, choices=Side.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    done_reported_at = models.DateTimeField(null=True, blank=True)
    done_reported_side = models.CharField(max_length=16, choices=Side.choices, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # declined or dropped
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["state", "due_at"])]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return self.title

    def is_overdue(self, now=None):
        return self.state == CommitmentState.ACTIVE and (now or timezone.now()) >= self.due_at

    @property
    def kept_late(self):
        return self.state == CommitmentState.KEPT and self.done_reported_at > self.due_at


class RevisionKind(models.TextChoices):
    PROPOSAL = "proposal", _("First proposal")
    AMENDMENT = "amendment", _("Proposed change")
    DROP = "drop", _("Proposal to drop it")


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the other side")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not accepted")
    SUPERSEDED = "superseded", _("Replaced by a later proposal")


class Revision(models.Model):
    """One proposal of the commitment's terms (or to drop it), and what the other side decided."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=RevisionKind.choices)
    side = models.CharField(max_length=16, choices=Side.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    terms = models.JSONField(default=dict)
    reason = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=16, choices=RevisionStatus.choices, default=RevisionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["commitment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="revision_number"),
            models.UniqueConstraint(
                fields=["commitment"],
                condition=models.Q(status="pending"),
                name="one_pending_revision",
            ),
        ]

    def __str__(self):
        return f"{self.commitment} #{self.number}"


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", _("Progress")
    DONE = "done", _("Reported done")
    CONFIRMED = "confirmed", _("Confirmed done")
    DISPUTED = "disputed", _("Not confirmed")


def evidence_path(update, filename):
    # The stored name is random; the name the person gave is kept apart, for the download.
    return f"evidence/{update.commitment_id}/{uuid.uuid4().hex}"


class Update(models.Model):
    """A dated step in carrying out the commitment, with its evidence."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=16, choices=UpdateKind.choices)
    side = models.CharField(max_length=16, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=5000)
    link = models.URLField(_("link to evidence"), blank=True, max_length=500)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.commitment}: {self.get_kind_display()}"


class FollowUp(models.Model):
    """A commitment that a later round of the partnership asks about."""

    round = models.ForeignKey(
        "assessments.Round", on_delete=models.CASCADE, related_name="follow_ups"
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="follow_ups")

    class Meta:
        ordering = ["commitment__due_on", "commitment_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "commitment"], name="follow_up_once")
        ]

    def __str__(self):
        return f"{self.round}: {self.commitment}"


class Happened(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("I don't know")


class Difference(models.TextChoices):
    A_LOT = "a_lot", _("A lot")
    A_LITTLE = "a_little", _("A little")
    NONE = "none", _("Not at all")
    UNKNOWN = "unknown", _("I don't know")


class FollowUpAnswer(models.Model):
    """One respondent's view of whether a commitment happened and made a difference."""

    response = models.ForeignKey(
        "assessments.Response", on_delete=models.CASCADE, related_name="follow_up_answers"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="follow_up_answers"
    )
    side = models.CharField(max_length=16, choices=Side.choices)
    happened = models.CharField(max_length=16, choices=Happened.choices, blank=True)
    difference = models.CharField(max_length=16, choices=Difference.choices, blank=True)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "commitment"], name="follow_up_answer_once")
        ]

    def __str__(self):
        return f"{self.commitment} ({self.side})"
