"""Mail to the people asked to answer a round: invitations, reminders, links sent again.

A service that asks for a mail only marks the person (`Respondent.mail_pending`) in its own
transaction and, once that commits, queues a background task for the round
(`tasks.send_round_mail`). The task sends to each person marked, one by one; a mail counts as
sent (`invited_at`, `reminded_at`) only once the mail server accepted it. A failure is recorded
(time, attempt, a reason that names nobody) and tried again later, after a longer wait each
time (`RETRY_DELAYS`); it never stops the mail to the others. A task killed half way leaves
the people it had not reached marked: `mail_requeue`, run with the hourly `rounds_due`, queues
their round again.

Before sending, the task claims the person with a conditional update, so two tasks never send
the same mail; only a task killed between the mail server's answer and the record of it can
cause a second copy, once its claim has expired (`CLAIM_TIMEOUT`).

In an anonymous round nothing here may say who had answered by when. The task is queued for
the round, never for a person, so the task queue holds no one's identifier. The mark of a
reminder is set for everyone still asked, whether they answered or not; the task drops it
without sending to those who have answered. A reminder leaves no time on the person once
sent, and closing the round clears every mark and failure (`round_mail_drop`)."""

import logging
import smtplib
import socket
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, Min, Q, Value, When
from django.utils import timezone

from .models import MailKind, MailStatus, Privacy, Respondent, Round, RoundState

logger = logging.getLogger("counterpart.mail")

# How long to wait after the first, second, … failed attempt before the next one. After the
# last, the person is left "not reached" until someone sends the link again.
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim older than this belongs to a task that died while sending.
CLAIM_TIMEOUT = timedelta(minutes=10)
# People one task sends to before it queues the next task for the rest of the round.
BATCH = 50
# With a queue that can wait (the database backend), the retry is queued by the task itself;
# `mail_requeue` steps in only when that task is this late.
REQUEUE_AFTER = timedelta(minutes=10)


# A person with no mail waiting, and no failure kept.
NOTHING_WAITING = {
    "mail_pending": "",
    "mail_attempts": 0,
    "mail_next_at": None,
    "mail_claimed_at": None,
    "mail_failed_at": None,
    "mail_failure": "",
}


# --- Asking for mail (inside a service's transaction) ---------------------------------------


def mail_queue(round_, respondents, kind, now=None) -> int:
    """Mark `respondents` (a queryset of the round's people) as waiting for a mail of `kind`,
    and queue the round's task once the transaction commits. A person already waiting for a
    mail keeps that mail (it carries the same link) and is tried again at once."""
    now = now or timezone.now()
    marked = respondents.filter(removed_at__isnull=True).update(
        mail_pending=Case(When(mail_pending="", then=Value(kind)), default=F("mail_pending")),
        mail_attempts=0,
        mail_next_at=now,
        mail_failed_at=None,
        mail_failure="",
    )
    if marked:
        transaction.on_commit(lambda: queue_round(round_.pk))
    return marked


def queue_round(round_id, run_after=None) -> None:
    """Queue the task that sends the round's waiting mail. A queue that cannot be reached
    loses nothing: the people stay marked and `mail_requeue` queues them later."""
    from .tasks import send_round_mail

    task = send_round_mail
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the immediate backend: `rounds_due` tries again when they are due
        task = task.using(run_after=run_after)
    try:
        task.enqueue(round_id)
    except Exception:
        logger.exception(
            "Could not queue the mail of round %s; it is queued again later.", round_id
        )


def mail_requeue(now=None) -> int:
    """Queue again the open rounds that have people whose mail is due and that no task is
    sending: the task was killed, or the queue lost it. Returns how many rounds."""
    now = now or timezone.now()
    late = now if not _backend_defers() else now - REQUEUE_AFTER
    round_ids = list(
        Respondent.objects.exclude(mail_pending="")
        .filter(
            removed_at__isnull=True,
            mail_next_at__lte=late,
            round__state=RoundState.OPEN,
        )
        .filter(Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=now - CLAIM_TIMEOUT))
        .order_by()
        .values_list("round_id", flat=True)
        .distinct()
    )
    for round_id in round_ids:
        queue_round(round_id)
    return len(round_ids)


def round_mail_drop(round_) -> None:
    """A round that closes sends nothing more: forget its waiting mail and its failures."""
    Respondent.objects.filter(round=round_).filter(
        ~Q(mail_pending="") | Q(mail_attempts__gt=0) | Q(mail_failed_at__isnull=False)
    ).update(**NOTHING_WAITING)


def _backend_defers() -> bool:
    from .tasks import send_round_mail

    return send_round_mail.get_backend().supports_defer


# --- Sending (the background task) ----------------------------------------------------------


def round_mail_send(round_id) -> None:
    """Send the round's due mail, person by person, recording each outcome."""
    round_ = Round.objects.select_related("organisation", "convened_by").filter(pk=round_id).first()
    if round_ is None:
        return
    now = timezone.now()
    if round_.state != RoundState.OPEN or round_.is_past_close(now):
        round_mail_drop(round_)
        return
    due = list(
        _claimable(Respondent.objects.filter(round=round_), now)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent = failed = 0
    reason = ""
    try:
        for pk in due:
            outcome = _deliver(round_, pk)
            if outcome is True:
                sent += 1
            elif outcome:
                failed += 1
                reason = outcome
    finally:
        _record_status(sent, failed, reason)
    if len(due) == BATCH:
        queue_round(round_.pk)
    elif failed:
        retry = (
            Respondent.objects.filter(round=round_, mail_next_at__gt=now)
            .exclude(mail_pending="")
            .aggregate(first=Min("mail_next_at"))["first"]
        )
        if retry is not None:
            queue_round(round_.pk, run_after=retry)


def _claimable(respondents, now):
    return (
        respondents.exclude(mail_pending="")
        .filter(removed_at__isnull=True, mail_next_at__lte=now)
        .filter(Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=now - CLAIM_TIMEOUT))
    )


def _deliver(round_, pk):
    """Send one person's waiting mail. True once sent; the failure's reason if it failed;
    None when there was nothing to send (another task has it, or it is no longer needed)."""
    from .services import _send_link

    now = timezone.now()
    claimed = _claimable(Respondent.objects.filter(pk=pk), now).update(
        mail_claimed_at=now, mail_attempts=F("mail_attempts") + 1
    )
    if not claimed:
        return None
    respondent = Respondent.objects.get(pk=pk)
    respondent.round = round_
    if respondent.used:
        # Answered already: no link is needed any more (and, for a reminder in an anonymous
        # round, nothing must show that this person was asked again or not).
        _settle(pk, {})
        return None
    kind = respondent.mail_pending
    try:
        _send_link(respondent, reminder=kind == MailKind.REMINDER)
    except Exception as error:
        reason = failure_reason(error)
        attempts = respondent.mail_attempts
        next_at = now + RETRY_DELAYS[attempts - 1] if attempts < MAX_ATTEMPTS else None
        Respondent.objects.filter(pk=pk).update(
            mail_claimed_at=None, mail_failed_at=now, mail_failure=reason, mail_next_at=next_at
        )
        if next_at is None:
            logger.error(
                "Mail to a person asked in round %s failed %s times (%s); it is not tried "
                "again until an editor sends it again.",
                round_.pk,
                attempts,
                reason,
            )
        else:
            logger.warning(
                "Mail to a person asked in round %s failed (attempt %s, %s); next try at %s.",
                round_.pk,
                attempts,
                reason,
                next_at.isoformat(timespec="seconds"),
            )
        return reason
    sent_at = timezone.now()
    done = {}
    if respondent.invited_at is None:
        done["invited_at"] = sent_at
    if kind == MailKind.REMINDER and round_.privacy != Privacy.ANONYMOUS:
        done["reminded_at"] = sent_at
    _settle(pk, done)
    return True


def _settle(pk, fields):
    Respondent.objects.filter(pk=pk).update(**NOTHING_WAITING, **fields)


def failure_reason(error) -> str:
    """A few words about why the mail server refused, naming nobody: a refused recipient's
    error carries the addresses, so only the codes are kept."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _message in error.recipients.values()})
        return f"recipient refused (SMTP {', '.join(codes)})"[:100]
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP {error.smtp_code}"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    return type(error).__name__[:100]


def _record_status(sent, failed, reason) -> None:
    """Keep, for the health page, when the mail server last accepted and refused a mail."""
    if not sent and not failed:
        return
    now = timezone.now()
    status, _created = MailStatus.objects.get_or_create(pk=1)
    changes = {}
    if sent:
        changes.update(last_sent_at=now, failures=0)
    if failed:
        changes.update(last_failed_at=now, last_failure=reason)
        changes["failures"] = failed if sent else F("failures") + failed
    MailStatus.objects.filter(pk=status.pk).update(**changes)


def mail_health() -> tuple[str, str]:
    """("ok" or "warn", a line for the health page): whether the mail server accepts mail."""
    status = MailStatus.objects.filter(pk=1).first()
    waiting = (
        Respondent.objects.exclude(mail_pending="")
        .filter(removed_at__isnull=True, round__state=RoundState.OPEN)
        .count()
    )
    if status is None:
        return "ok", f"nothing sent yet; {waiting} waiting"
    sent = status.last_sent_at.isoformat(timespec="seconds") if status.last_sent_at else "never"
    if status.last_failed_at and (
        status.last_sent_at is None or status.last_failed_at >= status.last_sent_at
    ):
        return "warn", (
            f"last attempt failed at {status.last_failed_at.isoformat(timespec='seconds')} "
            f"({status.last_failure}); {status.failures} failed since the last mail accepted "
            f"(at {sent}); {waiting} waiting"
        )
    return "ok", f"last mail accepted at {sent}; {waiting} waiting"
