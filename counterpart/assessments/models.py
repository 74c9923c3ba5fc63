"""Assessment rounds: who is asked to answer, their drafts, and the answers they submit.

Answers are stored per question with the respondent's side, pinned to one framework version.
In the anonymous tier a submitted response keeps no link to the person or invitation, no time
finer than the week, and random identifiers, so that nothing stored orders it among others."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counterpart.common.validators import single_line
from counterpart.partnerships.models import Side, Stage

# Never compute pooled results from fewer partner organisations than this, whatever an
# organisation asks.
MIN_POOLED_THRESHOLD = 3
DEFAULT_POOLED_THRESHOLD = 5


class RoundKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partnership round: both sides answer")
    POOLED = "pooled", _("Partner feedback: all our partners assess us")


class Privacy(models.TextChoices):
    NAMED = "named", _("Named: answers show who gave them")
    ORGANISATION = "organisation", _("Organisation: answers show the side, never the person")
    ANONYMOUS = "anonymous", _("Anonymous: answers cannot be traced to anyone")


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")
    RELEASED = "released", _("Results released")


class Round(models.Model):
    # The settings both sides agree to before a partnership round opens.
    SETTINGS_FIELDS = (
        "title",
        "stage",
        "framework_version",
        "opens_on",
        "closes_on",
        "privacy",
        "conversation_mode",
        "threshold",
    )

    kind = models.CharField(_("kind of round"), max_length=16, choices=RoundKind.choices)
    # The organisation that prepared the round; in a pooled round, the one being assessed.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="rounds"
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rounds",
    )
    # In partner feedback convened by a local partner (`convened`): the partner that runs the
    # round about `organisation`, one of its funders.
    convened_by = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convened_rounds",
    )
    # Whether the organisation assessed shows the results of a round its partners convened on
    # its public accountability page; only its admins switch it.
    funder_publishes = models.BooleanField(
        _("show the results on our public accountability page"), default=False
    )
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    stage = models.CharField(
        _("life-cycle stage"), max_length=20, choices=Stage.choices, blank=True
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion",
        verbose_name=_("framework version"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    opens_on = models.DateField(_("opening date"))
    closes_on = models.DateField(_("closing date"))
    # The end of the closing day in the time zone of the person who set it, kept in UTC.
    closes_at = models.DateTimeField()
    privacy = models.CharField(_("privacy"), max_length=16, choices=Privacy.choices)
    conversation_mode = models.BooleanField(
        _("conversation mode: hide the numbers in the results"), default=False
    )
    threshold = models.PositiveSmallIntegerField(
        _("fewest partner organisations before results are shown"),
        default=DEFAULT_POOLED_THRESHOLD,
        validators=[MinValueValidator(MIN_POOLED_THRESHOLD)],
    )
    state = models.CharField(
        _("state"), max_length=16, choices=RoundState.choices, default=RoundState.DRAFT
    )
    # Each side's agreement to the settings; a change to the settings clears the other side's.
    international_accepted_at = models.DateTimeField(null=True, blank=True)
    local_accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-created_at"]
        indexes = [models.Index(fields=["state", "closes_at"])]
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")

    def __str__(self):
        return self.title

    @property
    def is_pooled(self):
        return self.kind == RoundKind.POOLED

    @property
    def is_convened(self):
        return self.convened_by_id is not None

    def accepted_by(self, side):
        return getattr(self, f"{side}_accepted_at") is not None

    @property
    def accepted_by_both(self):
        return self.is_pooled or (
            self.accepted_by(Side.INTERNATIONAL) and self.accepted_by(Side.LOCAL)
        )

    def is_past_close(self, now=None):
        return (now or timezone.now()) >= self.closes_at

    @property
    def sealed(self):
        return self.state != RoundState.RELEASED

    def reminder_due(self, now=None):
        now = now or timezone.now()
        return (
            self.state == RoundState.OPEN
            and self.reminded_at is None
            and now < self.closes_at
            and self.closes_at - now <= timedelta(days=settings.ROUND_REMINDER_DAYS)
        )


def new_key():
    return secrets.token_urlsafe(18)


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")
    AGAIN = "again", _("Link sent again")


class Respondent(models.Model):
    """A person asked to answer a round, reached by a personal link."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="respondents")
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    name = models.CharField(_("name"), max_length=200, validators=[single_line], blank=True)
    email = models.EmailField(_("email address"))
    language = models.CharField(
        _("language of the emails"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # The random part of the personal link; the link also carries a signature of it.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # In partner feedback: the partner organisation the person is asked for. The threshold
    # counts these organisations (among people who answered), never the people.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # "used" is all that an anonymous round records; the other tiers also keep the time.
    used = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # How many times a page was saved: the submit claims the answers it read, and no later ones.
    draft_saves = models.PositiveIntegerField(default=0)
    # The mail with the person's link that waits to go out (`mailing`): sent by a background
    # task, which marks it done only once the mail server accepted it, and tries again later
    # after a failure. `invited_at` (and, except in an anonymous round, `reminded_at`) say when
    # a mail was accepted. Nothing here outlives the round's opening period in an anonymous
    # round (see `mailing.round_mail_drop`).
    mail_pending = models.CharField(max_length=16, choices=MailKind.choices, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_next_at = models.DateTimeField(null=True, blank=True)
    mail_claimed_at = models.DateTimeField(null=True, blank=True)
    mail_failed_at = models.DateTimeField(null=True, blank=True)
    # Why the last attempt failed, in a few words that name nobody ("SMTP 451", "timeout").
    mail_failure = models.CharField(max_length=100, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["side", "name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"],
                condition=models.Q(removed_at__isnull=True),
                name="respondent_unique_email",
                violation_error_message=_("This person is already asked to answer this round."),
            )
        ]
        indexes = [
            models.Index(
                fields=["mail_next_at"],
                condition=~models.Q(mail_pending=""),
                name="respondent_mail_waiting",
            )
        ]
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")

    def __str__(self):
        return self.name or self.email

    @property
    def mail_state(self) -> str:
        """Where the person's mail stands: "waiting" to be sent, "retrying" after a failure,
        "not_reached" after every attempt failed, "sent", or "" (nothing sent yet)."""
        if self.mail_pending:
            if self.mail_next_at is None:
                return "not_reached"
            return "retrying" if self.mail_failed_at else "waiting"
        return "sent" if self.invited_at else ""


class Draft(models.Model):
    """Answers saved page by page before the respondent submits; deleted on submit."""

    respondent = models.OneToOneField(Respondent, on_delete=models.CASCADE, related_name="draft")
    language = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)
    pages_done = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.respondent}: {len(self.answers)}"


class Response(models.Model):
    """One submitted questionnaire. Random identifier: its order says nothing of when it came."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    # Set only in the named tier.
    respondent = models.ForeignKey(
        Respondent, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    language = models.CharField(max_length=20, blank=True)
    # The day of submission; in the anonymous tier, the Monday of its week.
    submitted_on = models.DateField()
    # For responses imported from an offline form: the submission's own identifier, so that
    # importing the same export twice adds nothing.
    source_key = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "source_key"],
                condition=~models.Q(source_key=""),
                name="response_unique_source_key",
            )
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"{self.round} · {self.get_side_display()}"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "frameworks.Question", on_delete=models.PROTECT, related_name="answers"
    )
    # The respondent's side, repeated here so that mirrored items compare without a join.
    side = models.CharField(max_length=16, choices=Side.choices)
    # As in XLSForm: a choice's value, several separated by spaces, a number or an ISO date.
    value = models.TextField(blank=True)
    note = models.TextField(blank=True)
    evidence = models.URLField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique")
        ]
        indexes = [models.Index(fields=["question", "side"])]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.question_id}: {self.value}"


class InvitationAnswer(models.TextChoices):
    JOINED = "joined", _("Joined")
    DECLINED = "declined", _("Declined")


class ConvenedInvitation(models.Model):
    """A local organisation invited to answer feedback its partner convened about a funder.
    Its own admins answer; the convener learns only that it was answered, never how or why."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="convened_invitations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Empty until the invited organisation's admins answer.
    answer = models.CharField(max_length=16, choices=InvitationAnswer.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="convened_invitation_unique"
            )
        ]

    def __str__(self):
        return f"{self.round_id} · {self.organisation_id}"

    @property
    def answered(self):
        return bool(self.answer)


class MailStatus(models.Model):
    """How the mail server last answered the mail to respondents: one row, read by the health
    page. It names nobody and no round."""

    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.CharField(max_length=100, blank=True)
    # Failed attempts since the mail server last accepted a mail.
    failures = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"sent {self.last_sent_at}, failed {self.last_failed_at}"
