"""Every write about rounds: preparing, accepting, opening, closing and releasing them, asking
people to answer, saving drafts and submitting answers. Atomic, permission-checked and
audit-logged — except what would let an anonymous response be traced (see `response_submit`)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from counterpart.audit.services import audit_record, snapshot
from counterpart.commitments.services import follow_up_answers_store, follow_up_store
from counterpart.common.deadlines import day_end
from counterpart.frameworks.selectors import version_content
from counterpart.insights.services import summary_store
from counterpart.notifications.services import notify
from counterpart.organisations.models import Membership, Organisation, Role
from counterpart.organisations.permissions import require_role
from counterpart.partnerships.models import Side, other_side
from counterpart.partnerships.selectors import side_editors

from . import mailing, offline, partner_feedback
from .models import (
    Answer,
    Draft,
    MailKind,
    Privacy,
    Respondent,
    Response,
    Round,
    RoundKind,
    RoundState,
)
from .permissions import (
    OWN_SIDE_ONLY,
    require_manager,
    require_own_side,
    require_side_editor,
    sides_of,
)
from .questionnaire import answers_from_draft
from .selectors import organisations_answered

LINK_SALT = "counterpart.assessments.respondent"


# --- Personal links -------------------------------------------------------------------------


def respondent_token(respondent: Respondent) -> str:
    """The secret part of a personal link: the respondent's random key and its signature."""
    return signing.Signer(salt=LINK_SALT).sign(respondent.key)


def respondent_link(respondent: Respondent) -> str:
    path = reverse("respond_enter", kwargs={"token": respondent_token(respondent)})
    return f"{settings.SITE_URL}{path}"


class LinkProblem(Exception):
    """Why a personal link cannot be used, in words for the person holding it."""


def respondent_from_token(token: str) -> Respondent:
    try:
        key = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise LinkProblem(_("This link is not valid. Check that you copied all of it.")) from None
    respondent = Respondent.objects.select_related("round").filter(key=key).first()
    if respondent is None:
        raise LinkProblem(_("This link is not valid. Check that you copied all of it."))
    return respondent_can_answer(respondent)


def respondent_can_answer(respondent: Respondent) -> Respondent:
    """The respondent, if they may answer now; else LinkProblem saying why not."""
    round_ = respondent.round
    if respondent.removed_at is not None:
        raise LinkProblem(_("You are no longer asked to answer this round."))
    if respondent.used:
        raise LinkProblem(_("Your answers were submitted. Thank you: this link is now used."))
    if round_.state == RoundState.DRAFT:
        raise LinkProblem(_("This round has not opened yet."))
    if round_.state != RoundState.OPEN or round_.is_past_close():
        raise LinkProblem(_("This round is closed. Answers can no longer be given."))
    return respondent


# --- Emails ---------------------------------------------------------------------------------


def _mail(template, subject, language, recipients, context):
    with translation.override(language):
        body = render_to_string(template, context)
        send_mail(str(subject), body, None, recipients)


def _send_link(respondent, *, reminder=False):
    round_ = respondent.round
    with translation.override(respondent.language):
        if reminder:
            subject = _("Reminder: your answers to “%(round)s” are awaited") % {
                "round": round_.title
            }
        else:
            subject = _("You are asked to answer “%(round)s”") % {"round": round_.title}
        context = {
            "round": round_,
            "respondent": respondent,
            "link": respondent_link(respondent),
            "reminder": reminder,
            "asking": (round_.convened_by or round_.organisation).name,
        }
        _mail(
            "assessments/email/respondent.txt",
            subject,
            respondent.language,
            [respondent.email],
            context,
        )


def _notify_other_side(round_, side):
    """Tell the editors and admins on the side that has not yet accepted the settings."""
    link = f"{settings.SITE_URL}{reverse('round_detail', args=[round_.pk])}"
    for user in side_editors(round_.partnership_id, side):
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = _("Please review the round “%(round)s”") % {"round": round_.title}
        context = {"round": round_, "link": link, "proposer": round_.organisation.name}
        transaction.on_commit(
            lambda s=subject, lang=language, e=user.email, c=context: _mail(
                "assessments/email/round_proposed.txt", s, lang, [e], c
            )
        )


# --- Settings and state ---------------------------------------------------------------------


def _close_instant(closes_on):
    """The end of the closing day in the current time zone (the person's own)."""
    return day_end(closes_on, timezone.get_current_timezone_name())


def _check_dates(opens_on, closes_on):
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The round cannot close before it opens.")})
    if closes_on > opens_on + timedelta(days=366):
        raise ValidationError({"closes_on": _("A round can stay open for a year at most.")})
    if _close_instant(closes_on) <= timezone.now():
        raise ValidationError({"closes_on": _("The closing date has already passed.")})


def _check_threshold(fields):
    if fields.get("privacy") == Privacy.ANONYMOUS:
        threshold = fields.get("threshold") or 0
        if threshold < Round._meta.get_field("threshold").validators[0].limit_value:
            raise ValidationError(
                {"threshold": _("Results need at least 3 responses in an anonymous round.")}
            )


def _log_organisation(round_):
    """Whose log a round's own events go to: the organisation that prepared it; in feedback
    convened by partners, the convener, since the funder's log would name who acted."""
    return round_.convened_by if round_.convened_by_id else round_.organisation


def _lock(round_) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


def _lock_to_manage(round_, actor, *, by_system=False) -> Round:
    """The round, locked for this transaction, for a person who may manage it; with
    `by_system`, actor None stands for Counterpart itself acting on the round's dates."""
    round_ = _lock(round_)
    if actor is not None or not by_system:
        require_manager(actor, round_)
    return round_


def _side_of_actor(actor, round_):
    """The side the person edits for, when there is only one (else None)."""
    sides = sides_of(actor, round_, Role.EDITOR)
    return next(iter(sides)) if len(sides) == 1 else None


@transaction.atomic
def round_create(*, actor, partnership, organisation, **fields) -> Round:
    """Prepare a round in which both sides of a partnership answer. The side of the person who
    prepares it accepts its settings at once; the other side is asked to."""
    round_ = Round(
        kind=RoundKind.PARTNERSHIP, partnership=partnership, organisation=organisation, **fields
    )
    side = (
        partnership.parties.filter(organisation=organisation).values_list("side", flat=True).first()
    )
    if side is None:
        raise ValidationError(_("This organisation is not part of the partnership."))
    if not partnership.parties.filter(side=other_side(side)).exists():
        raise ValidationError(
            _(
                "A round can be prepared once an organisation on each side has accepted the "
                "partnership."
            )
        )
    round_.created_by = actor
    require_side_editor(actor, round_, side)
    if round_.privacy == Privacy.ANONYMOUS:
        raise ValidationError(
            {"privacy": _("Anonymous answers are for partner feedback rounds only.")}
        )
    _check_dates(round_.opens_on, round_.closes_on)
    round_.closes_at = _close_instant(round_.closes_on)
    setattr(round_, f"{side}_accepted_at", timezone.now())
    round_.full_clean()
    round_.save()
    audit_record(
        actor=actor,
        action="round_create",
        obj=round_,
        organisation=organisation,
        after=snapshot(round_, Round.SETTINGS_FIELDS),
    )
    _notify_other_side(round_, other_side(side))
    return round_


@transaction.atomic
def round_create_pooled(*, actor, organisation, **fields) -> Round:
    """Prepare a partner feedback round: the organisation's partners assess it, anonymously."""
    require_role(actor, organisation, Role.EDITOR)
    partner_feedback.require_one_round_at_a_time(organisation)
    round_ = Round(
        kind=RoundKind.POOLED, organisation=organisation, privacy=Privacy.ANONYMOUS, **fields
    )
    round_.created_by = actor
    _check_dates(round_.opens_on, round_.closes_on)
    _check_threshold({"privacy": round_.privacy, "threshold": round_.threshold})
    round_.closes_at = _close_instant(round_.closes_on)
    round_.full_clean()
    round_.save()
    audit_record(
        actor=actor,
        action="round_create",
        obj=round_,
        organisation=organisation,
        after=snapshot(round_, Round.SETTINGS_FIELDS),
    )
    return round_


@transaction.atomic
def round_update(*, actor, round_, **fields) -> Round:
    """Change the settings of a round being prepared. The other side must accept them again."""
    round_ = _lock_to_manage(round_, actor)
    if round_.state != RoundState.DRAFT:
        raise ValidationError(_("The settings can only change before the round opens."))
    before = snapshot(round_, Round.SETTINGS_FIELDS)
    for name, value in fields.items():
        setattr(round_, name, value)
    if round_.is_pooled:
        round_.privacy = Privacy.ANONYMOUS
        _check_threshold({"privacy": round_.privacy, "threshold": round_.threshold})
    elif round_.privacy == Privacy.ANONYMOUS:
        raise ValidationError(
            {"privacy": _("Anonymous answers are for partner feedback rounds only.")}
        )
    _check_dates(round_.opens_on, round_.closes_on)
    round_.closes_at = _close_instant(round_.closes_on)
    after = snapshot(round_, Round.SETTINGS_FIELDS)
    if after == before:
        return round_
    round_.full_clean()
    if not round_.is_pooled:
        side = _side_of_actor(actor, round_)
        round_.international_accepted_at = round_.local_accepted_at = None
        if side:
            setattr(round_, f"{side}_accepted_at", timezone.now())
            other = other_side(side)
            _notify_other_side(round_, other)
    round_.save()
    audit_record(
        actor=actor,
        action="round_update",
        obj=round_,
        organisation=_log_organisation(round_),
        before=before,
        after=after,
    )
    return round_


@transaction.atomic
def round_accept(*, actor, round_, side) -> Round:
    """One side agrees to the settings of a partnership round."""
    round_ = _lock(round_)
    if round_.is_pooled:
        raise ValidationError(_("A partner feedback round needs no acceptance."))
    require_side_editor(actor, round_, side)
    if round_.state != RoundState.DRAFT:
        raise ValidationError(_("This round has already opened."))
    if round_.accepted_by(side):
        return round_
    setattr(round_, f"{side}_accepted_at", timezone.now())
    round_.save(update_fields=[f"{side}_accepted_at"])
    audit_record(
        actor=actor,
        action="round_accept",
        obj=round_,
        organisation=_log_organisation(round_),
        after={"side": side},
    )
    return round_


def _respondents_waiting(round_):
    return round_.respondents.filter(removed_at__isnull=True, used=False)


@transaction.atomic
def round_open(*, actor, round_, now=None) -> Round:
    """Open the round and send every respondent their personal link."""
    now = now or timezone.now()
    round_ = _lock_to_manage(round_, actor, by_system=True)
    if round_.state != RoundState.DRAFT:
        raise ValidationError(_("This round is not being prepared any more."))
    if not round_.accepted_by_both:
        raise ValidationError(_("Both sides must accept the settings before the round opens."))
    if round_.is_past_close(now):
        raise ValidationError(_("The closing date has passed. Choose a later one first."))
    respondents = list(round_.respondents.filter(removed_at__isnull=True))
    if round_.is_pooled:
        if len({r.organisation_id for r in respondents}) < round_.threshold:
            raise ValidationError(
                _(
                    "Ask people from at least %(count)s partner organisations: with fewer, "
                    "results could never be shown."
                )
                % {"count": round_.threshold}
            )
    else:
        missing = {Side.INTERNATIONAL, Side.LOCAL} - {r.side for r in respondents}
        if missing:
            raise ValidationError(_("Each side needs at least one person asked to answer."))
    before = round_.state
    round_.state = RoundState.OPEN
    round_.opened_at = now
    if round_.opens_on > timezone.localdate(now):
        round_.opens_on = timezone.localdate(now)
    round_.save(update_fields=["state", "opened_at", "opens_on"])
    follow_ups = follow_up_store(round_)
    # Each person's link goes out from a background task, which records it as sent only once
    # the mail server has accepted it (`mailing`).
    mailing.mail_queue(
        round_,
        Respondent.objects.filter(pk__in=[r.pk for r in respondents]),
        MailKind.INVITATION,
        now,
    )
    audit_record(
        actor=actor,
        action="round_open",
        obj=round_,
        organisation=_log_organisation(round_),
        before={"state": before},
        after={"state": round_.state, "respondents": len(respondents), "follow_ups": follow_ups},
    )
    return round_


def _release_if_possible(round_, now) -> None:
    """Lift the seal on a closed round: always for a partnership round, and for a partner
    feedback round only once it has enough responses."""
    if round_.is_pooled and organisations_answered(round_) < round_.threshold:
        return
    round_.state = RoundState.RELEASED
    round_.released_at = now
    round_.save(update_fields=["state", "released_at"])
    summary_store(round_)
    audit_record(
        actor=None,
        action="round_release",
        obj=round_,
        organisation=_log_organisation(round_),
        before={"state": RoundState.CLOSED},
        after={"state": RoundState.RELEASED},
    )
    if round_.convened_by_id:
        from .convened import funder_told_released

        funder_told_released(round_)


def _close(round_, actor, now, reason):
    round_.state = RoundState.CLOSED
    round_.closed_at = now
    round_.save(update_fields=["state", "closed_at"])
    Draft.objects.filter(respondent__round=round_).delete()
    mailing.round_mail_drop(round_)
    audit_record(
        actor=actor,
        action="round_close",
        obj=round_,
        organisation=_log_organisation(round_),
        before={"state": RoundState.OPEN},
        after={"state": RoundState.CLOSED, "reason": reason, "responses": round_.responses.count()},
    )
    _release_if_possible(round_, now)


@transaction.atomic
def round_close(*, actor, round_, now=None) -> Round:
    """Stop the answers early (a person) or at the closing date (actor None)."""
    now = now or timezone.now()
    round_ = _lock_to_manage(round_, actor, by_system=True)
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("Only an open round can be closed."))
    _close(round_, actor, now, "early" if actor is not None else "closing_date")
    return round_


@transaction.atomic
def round_extend(*, actor, round_, closes_on, now=None) -> Round:
    """Move the closing date later. A partner feedback round closed without enough responses
    opens again, so that more partners can answer."""
    now = now or timezone.now()
    round_ = _lock_to_manage(round_, actor)
    reopen = round_.state == RoundState.CLOSED and round_.is_pooled
    if round_.state != RoundState.OPEN and not reopen:
        raise ValidationError(_("Only an open round can be extended."))
    if reopen:
        partner_feedback.require_one_round_at_a_time(round_.organisation, exclude=round_)
    if closes_on > timezone.localdate(now) + timedelta(days=366):
        raise ValidationError({"closes_on": _("A round can stay open for a year at most.")})
    if closes_on <= round_.closes_on and not reopen:
        raise ValidationError({"closes_on": _("Choose a date after the current closing date.")})
    if _close_instant(closes_on) <= now:
        raise ValidationError({"closes_on": _("The closing date has already passed.")})
    before = {"state": round_.state, "closes_on": round_.closes_on.isoformat()}
    round_.closes_on = closes_on
    round_.closes_at = _close_instant(closes_on)
    round_.state = RoundState.OPEN
    round_.closed_at = None
    round_.reminded_at = None
    round_.save(update_fields=["closes_on", "closes_at", "state", "closed_at", "reminded_at"])
    audit_record(
        actor=actor,
        action="round_extend",
        obj=round_,
        organisation=_log_organisation(round_),
        before=before,
        after={"state": round_.state, "closes_on": closes_on.isoformat()},
    )
    return round_


def rounds_process_due(now=None) -> dict:
    """Open the rounds whose opening day has come (once both sides accepted), remind those who
    have not answered, and close the rounds whose closing time has passed. Run regularly."""
    now = now or timezone.now()
    done = {"opened": 0, "reminded": 0, "closed": 0, "mail_queued": 0}
    for round_ in Round.objects.filter(state=RoundState.OPEN, closes_at__lte=now):
        try:
            round_close(actor=None, round_=round_, now=now)
            done["closed"] += 1
        except ValidationError:
            pass
    today = timezone.localdate(now)
    for round_ in Round.objects.filter(state=RoundState.DRAFT, opens_on__lte=today):
        if not round_.accepted_by_both:
            continue
        try:
            round_open(actor=None, round_=round_, now=now)
            done["opened"] += 1
        except ValidationError:
            pass  # not ready yet (no respondents, or closing date passed): the page says why
    for round_ in Round.objects.filter(state=RoundState.OPEN, reminded_at__isnull=True):
        if round_.reminder_due(now):
            done["reminded"] += rounds_send_reminders(round_, now)
    # Mail that a killed or lost task left unsent.
    done["mail_queued"] = mailing.mail_requeue(now)
    return done


@transaction.atomic
def rounds_send_reminders(round_, now) -> int:
    """One reminder per round, to everyone who has not submitted. The log records how many,
    never who: in an anonymous round that would tell who had answered by then. For the same
    reason an anonymous round marks everyone still asked, and the sending task passes over
    those who have answered (`mailing`)."""
    round_ = _lock(round_)
    if not round_.reminder_due(now):
        return 0
    waiting = _respondents_waiting(round_).count()
    round_.reminded_at = now
    round_.save(update_fields=["reminded_at"])
    asked = round_.respondents.filter(removed_at__isnull=True)
    if round_.privacy != Privacy.ANONYMOUS:
        asked = asked.filter(used=False)
    mailing.mail_queue(round_, asked, MailKind.REMINDER, now)
    audit_record(
        actor=None,
        action="round_remind",
        obj=round_,
        organisation=_log_organisation(round_),
        after={"reminders": waiting},
    )
    return waiting


# --- Respondents ----------------------------------------------------------------------------


def _person_in_log(actor, round_, side, email, key, organisation=None):
    """Where an event about one person is logged, and what it says: in the log of the actor's
    organisation on that person's side, with the email; else, in the round's log, the side
    only. Once the round is open, the other side's log gets its own entry (`_tell_other_side`).
    In feedback convened by partners, in the log of the person's own organisation only: the
    funder is not told who its partners ask."""
    if round_.convened_by_id and organisation is not None:
        return {"organisation": organisation, key: {"side": side, "email": email}}
    if round_.is_pooled:
        return {"organisation": round_.organisation, key: {"side": side, "email": email}}
    own = _own_organisation(actor, round_, side)
    if own is None:
        return {"organisation": round_.organisation, key: {"side": side}}
    return {"organisation": own, key: {"side": side, "email": email}}


def _own_organisation(actor, round_, side):
    """The organisation through which the person acts on one side of a partnership round."""
    own = (
        Membership.objects.filter(
            user=actor,
            organisation__parties__partnership_id=round_.partnership_id,
            organisation__parties__side=side,
        )
        .select_related("organisation")
        .first()
    )
    return own.organisation if own else None


def _side_organisations(round_, side) -> list:
    """The organisations on one side of a partnership round."""
    return list(
        Organisation.objects.filter(
            parties__partnership_id=round_.partnership_id, parties__side=side
        ).order_by("pk")
    )


def _tell_other_side(actor, round_, respondent, action, key, kind):
    """Once a partnership round is open, a change of one side's people is logged for the other
    side's organisations too, and their editors and admins are told. A named round says who;
    the other tiers say only the side, never the email."""
    if round_.is_pooled or round_.state != RoundState.OPEN:
        return
    side, other = respondent.side, other_side(respondent.side)
    named = round_.privacy == Privacy.NAMED
    about = {"side": side, "email": respondent.email} if named else {"side": side}
    for organisation in _side_organisations(round_, other):
        audit_record(
            actor=actor, action=action, obj=round_, organisation=organisation, **{key: about}
        )
    params = {"side": side, "round": round_.title}
    if named:
        params["person"] = str(respondent)
    notify(
        side_editors(round_.partnership_id, other),
        kind if named else f"{kind}_unnamed",
        params,
        reverse("round_detail", args=[round_.pk]),
    )


@transaction.atomic
def respondent_add(
    *, actor, round_, side, email, name="", language="en", organisation=None
) -> Respondent:
    """Ask one person to answer. In partner feedback, only through the partner organisation the
    person is asked for (`partner_feedback`): no address typed by the organisation assessed."""
    round_ = _lock_to_manage(round_, actor)
    if round_.is_pooled:
        side = Side.LOCAL
        if organisation is None:
            raise ValidationError(
                _(
                    "In partner feedback, people are asked through their organisation: choose "
                    "partner organisations, whose members are asked."
                )
            )
    elif side not in Side.values:
        raise ValidationError({"side": _("Choose a side.")})
    else:
        require_own_side(actor, round_, side)
    return _respondent_store(
        actor=actor,
        round_=round_,
        side=side,
        email=email,
        name=name,
        language=language,
        organisation=organisation,
    )


def _respondent_store(*, actor, round_, side, email, name, language, organisation):
    """Ask one person to answer a round already locked, for someone whose right to do so the
    caller has checked (`respondent_add`, or `partner_feedback.members_ask`)."""
    if round_.state not in (RoundState.DRAFT, RoundState.OPEN):
        raise ValidationError(_("People can only be added before the round closes."))
    email = email.strip().lower()
    if (
        round_.is_pooled
        and Membership.objects.filter(
            organisation=round_.organisation, user__email__iexact=email
        ).exists()
    ):
        raise ValidationError(
            {"email": _("Partner feedback comes from partners, not from your own members.")}
        )
    respondent = Respondent(
        round=round_,
        side=side,
        email=email,
        name=name.strip(),
        language=language,
        added_by=actor,
        organisation=organisation if round_.is_pooled else None,
    )
    respondent.full_clean()
    respondent.save()
    audit_record(
        actor=actor,
        action="respondent_add",
        obj=round_,
        **_person_in_log(actor, round_, side, respondent.email, "after", organisation),
    )
    _tell_other_side(actor, round_, respondent, "respondent_add", "after", "respondent_added")
    invite_if_open(round_, respondent)
    return respondent


def invite_if_open(round_, respondent):
    """A person added to a round already open gets their link at once (sent once it commits)."""
    if round_.state == RoundState.OPEN:
        mailing.mail_queue(round_, Respondent.objects.filter(pk=respondent.pk), MailKind.INVITATION)


@transaction.atomic
def respondent_remove(*, actor, respondent: Respondent) -> None:
    """Stop a person's link working. Answers already submitted stay. Only that person's own
    side may do it; in an anonymous round, only before it opens (later, the answer would say
    whether the person had answered)."""
    round_ = _lock(respondent.round)
    _require_reach(actor, round_, respondent)
    if round_.privacy == Privacy.ANONYMOUS and round_.state != RoundState.DRAFT:
        raise ValidationError(_("In an anonymous round, people cannot be removed once it is open."))
    respondent = Respondent.objects.select_for_update().get(pk=respondent.pk)
    if respondent.used:
        raise ValidationError(_("This person has already submitted; their answers stay."))
    if respondent.removed_at is not None:
        return
    respondent.removed_at = timezone.now()
    respondent.save(update_fields=["removed_at"])
    Draft.objects.filter(respondent=respondent).delete()
    audit_record(
        actor=actor,
        action="respondent_remove",
        obj=round_,
        **_person_in_log(
            actor, round_, respondent.side, respondent.email, "before", respondent.organisation
        ),
    )
    _tell_other_side(actor, round_, respondent, "respondent_remove", "before", "respondent_removed")
    _close_if_all_answered(round_, timezone.now())


def _close_if_all_answered(round_, now, answered=False, locked=False):
    """A partnership round closes, and its answers unseal, once everyone asked has answered
    (`answered`: a response is known to exist). Whoever changes who is waiting holds the round's
    lock (`locked`) while asking, so of two people finishing together the second sees the first."""
    if round_.is_pooled or _respondents_waiting(round_).exists():
        return
    if not answered and not round_.responses.exists():
        return
    if not locked:
        round_ = _lock(round_)
    if round_.state == RoundState.OPEN:
        _close(round_, None, now, "all_answered")


@transaction.atomic
def _require_reach(actor, round_, respondent):
    """Acting on one person: a manager of the round, on the person's own side (in feedback
    convened by partners, of the person's own organisation)."""
    require_manager(actor, round_)
    if round_.convened_by_id and respondent.organisation_id != round_.convened_by_id:
        raise PermissionDenied(str(OWN_SIDE_ONLY))
    if not round_.is_pooled:
        require_side_editor(actor, round_, respondent.side)


@transaction.atomic
def respondent_send_again(*, actor, respondent: Respondent) -> None:
    """Send one person their link again (also after failed attempts, which start afresh)."""
    round_ = respondent.round
    _require_reach(actor, round_, respondent)
    if round_.privacy == Privacy.ANONYMOUS:
        raise ValidationError(_("In an anonymous round, links are not sent again one by one."))
    respondent_can_answer(respondent)
    mailing.mail_queue(round_, Respondent.objects.filter(pk=respondent.pk), MailKind.AGAIN)
    audit_record(
        actor=actor,
        action="respondent_send_again",
        obj=round_,
        **_person_in_log(
            actor, round_, respondent.side, respondent.email, "after", respondent.organisation
        ),
    )


@transaction.atomic
def round_mail_retry(*, actor, round_) -> int:
    """Send again to everyone on the person's sides whose mail was not accepted yet (failed,
    or still waiting). In an anonymous round, this is the only way: it names nobody, and
    says only how many were not reached. Returns how many."""
    round_ = _lock_to_manage(round_, actor)
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("Links can only be sent while the round is open."))
    people = round_.respondents.exclude(mail_pending="").filter(removed_at__isnull=True)
    if round_.convened_by_id:
        people = people.filter(organisation=round_.convened_by)
    elif not round_.is_pooled:
        people = people.filter(side__in=sides_of(actor, round_, Role.EDITOR))
    count = mailing.mail_queue(round_, people, MailKind.AGAIN)
    audit_record(
        actor=actor,
        action="round_mail_retry",
        obj=round_,
        organisation=_log_organisation(round_),
        after={"people": count},
    )
    return count


# --- Answering ------------------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def draft_save(*, respondent: Respondent, answers: dict, page: int, language: str) -> Draft:
    """Keep the answers of one page, so that the person can stop and resume anywhere. The
    respondent row is locked and its count of saved pages raised, so a page saved while the
    same person submits elsewhere is either in the submitted answers or refused."""
    now = timezone.now()
    still_answering = (
        Respondent.objects.select_for_update(of=("self",))
        .filter(
            pk=respondent.pk,
            used=False,
            removed_at__isnull=True,
            round__state=RoundState.OPEN,
            round__closes_at__gt=now,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if still_answering is None:
        respondent.refresh_from_db()
        respondent.round.refresh_from_db()
        respondent_can_answer(respondent)
        raise LinkProblem(_("This link can no longer be used."))
    Respondent.objects.filter(pk=respondent.pk).update(draft_saves=F("draft_saves") + 1)
    draft = Draft.objects.filter(respondent_id=respondent.pk).first() or Draft(
        respondent=respondent
    )
    for name, value in answers.items():
        if value in ("", None, []):
            draft.answers.pop(name, None)
        else:
            draft.answers[name] = value
    if page not in draft.pages_done:
        draft.pages_done.append(page)
    draft.language = language
    draft.save()
    return draft


def _monday(day):
    return day - timedelta(days=day.weekday())


def _loaded_draft(respondent):
    """The draft as it was read with the respondent row (the pages saved up to its count)."""
    if not Respondent.draft.is_cached(respondent):
        respondent = Respondent.objects.select_related("draft").get(pk=respondent.pk)
    return getattr(respondent, "draft", None), respondent.draft_saves


def _lock_round_to_submit(respondent, now):
    """Lock the round and say whether it still takes answers.

    Taking the round's lock puts the submits of one round in a queue: the last person to submit
    sees everyone before them and closes the round, and partner feedback's shuffle never runs
    twice at once."""
    round_ = respondent.round
    round_.state, round_.closes_at = (
        Round.objects.select_for_update()
        .filter(pk=round_.pk)
        .values_list("state", "closes_at")
        .get()
    )
    return round_.state == RoundState.OPEN and round_.closes_at > now


def _claim(respondent, round_, now, draft_saves):
    """Mark the respondent used, only if nobody did first and no page was saved since the draft
    was read. Returns whether this call claimed it.

    Every condition is on the respondent's own row: on PostgreSQL, an update that waited for
    another checks them again on the row as the other left it, so of two submits racing the
    second finds the row used, and a page saved meanwhile shows in its count."""
    return Respondent.objects.filter(
        pk=respondent.pk, used=False, removed_at__isnull=True, draft_saves=draft_saves
    ).update(
        used=True,
        submitted_at=None if round_.privacy == Privacy.ANONYMOUS else now,
        draft_saves=0,  # how often pages were saved is nobody's business once submitted
    )


def _cannot_submit(respondent):
    """Say why the respondent can no longer submit."""
    respondent.refresh_from_db()
    respondent.round.refresh_from_db()
    respondent_can_answer(respondent)
    raise LinkProblem(_("This link can no longer be used."))


def response_submit(*, respondent: Respondent, now=None) -> Response:
    """Store the respondent's draft as their response, once.

    The round is locked, then the respondent row claimed with a conditional update, so two
    submits racing store one response. A page saved after the draft was read (it raises the
    row's count) is read again before the claim, and a page saved after the claim is refused.
    Anonymous tier: the response keeps no link to the respondent, only the week of submission,
    and no audit event names it (its time would tell who it was)."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = respondent.round
        if not _lock_round_to_submit(respondent, now):
            _cannot_submit(respondent)
        draft, draft_saves = _loaded_draft(respondent)
        if not _claim(respondent, round_, now, draft_saves):
            # Used or removed meanwhile (say why), or a page was saved since the draft was
            # read: read both again, in one query, and claim with those.
            fresh = Respondent.objects.select_related("draft").get(pk=respondent.pk)
            if fresh.used or fresh.removed_at is not None:
                _cannot_submit(respondent)
            draft, draft_saves = getattr(fresh, "draft", None), fresh.draft_saves
            if not _claim(respondent, round_, now, draft_saves):
                raise LinkProblem(_("Your answers changed while they were sent. Submit again."))
        anonymous = round_.privacy == Privacy.ANONYMOUS
        language = draft.language if draft else round_.framework_version.default_language
        values = answers_from_draft(round_, respondent.side, draft.answers if draft else {})
        response = Response.objects.create(
            round=round_,
            side=respondent.side,
            respondent=respondent if round_.privacy == Privacy.NAMED else None,
            language="" if anonymous else language,
            submitted_on=_monday(now.date()) if anonymous else timezone.localdate(now),
        )
        _store_answers(response, values)
        follow_up_answers_store(response, round_, draft.answers if draft else {})
        if draft is not None:
            draft.delete()
        if anonymous:
            partner_feedback.responses_shuffle(round_)
        if not anonymous:
            # In the log of the person's own side only: while the round is sealed, the other
            # side learns how many answered (the round page), never when.
            for organisation in _side_organisations(round_, respondent.side) or [None]:
                audit_record(
                    actor=None,
                    action="response_submit",
                    obj=round_,
                    organisation=organisation,
                    after={"side": respondent.side},
                )
        _close_if_all_answered(round_, now, answered=True, locked=True)
    return response


def _store_answers(response, values):
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=question,
            side=response.side,
            value=value,
            note=note,
            evidence=evidence,
        )
        for question, value, note, evidence in values
    )


@transaction.atomic
def responses_import(*, actor, round_, data: bytes, filename: str) -> dict:
    """Store the submissions of an offline export as responses of the round. Every row is
    checked first; if any has a problem, nothing is stored (ExportInvalid lists them all).
    Submissions already imported (same identifier) are skipped."""
    round_ = _lock_to_manage(round_, actor)
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("Answers can only be imported while the round is open."))
    if round_.privacy == Privacy.ANONYMOUS:
        # The organisation assessed could otherwise add answers until results show.
        raise ValidationError(_("Answers cannot be imported into an anonymous round."))
    submissions = offline.read_export(
        round_, data, filename, sides=sorted(sides_of(actor, round_, Role.EDITOR))
    )
    questions = version_content(round_.framework_version).questions_by_name
    existing = set(round_.responses.exclude(source_key="").values_list("source_key", flat=True))
    anonymous = round_.privacy == Privacy.ANONYMOUS
    today = timezone.localdate()
    stored, skipped = 0, []
    by_side = {side: {"stored": 0, "skipped": 0} for side in {s.side for s in submissions}}
    for submission in submissions:
        if submission.key and submission.key in existing:
            skipped.append(submission.row)
            by_side[submission.side]["skipped"] += 1
            continue
        response = Response.objects.create(
            round=round_,
            side=submission.side,
            submitted_on=_monday(today) if anonymous else today,
            source_key=submission.key,
        )
        _store_answers(
            response,
            [
                (questions[name], value, note, evidence)
                for name, (value, note, evidence) in submission.values.items()
            ],
        )
        stored += 1
        by_side[submission.side]["stored"] += 1
    # Each side's answers are logged for the importer's organisation on that side only: while
    # the round is sealed, the other side learns how many answered, never when.
    for side, counts in sorted(by_side.items()):
        audit_record(
            actor=actor,
            action="responses_import",
            obj=round_,
            organisation=_own_organisation(actor, round_, side) or round_.organisation,
            after={"file": filename[:200], "side": side, **counts},
        )
    return {"stored": stored, "skipped": skipped}
