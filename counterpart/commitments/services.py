"""Every write about commitments: proposing, accepting, amending, reporting progress, marking
done and confirming, the reminders, and the follow-up that the next round asks.

Each is atomic, permission-checked and audit-logged in the log of the organisation the person
acts for. Only the other side can accept what one side proposes, and only the other side can
confirm what one side reports done: nobody marks their own homework."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from counterpart.assessments.models import Round, RoundKind
from counterpart.assessments.permissions import sides_of
from counterpart.assessments.selectors import results_visible
from counterpart.audit.services import audit_record
from counterpart.common.deadlines import day_end, local_day
from counterpart.common.validators import single_line
from counterpart.frameworks.models import Part
from counterpart.frameworks.selectors import version_content
from counterpart.notifications.services import notify
from counterpart.organisations.models import Membership, Organisation, Role
from counterpart.partnerships.models import Party, Side, other_side
from counterpart.partnerships.permissions import log_organisation
from counterpart.partnerships.selectors import side_editors

from .models import (
    AGREED_STATES,
    OPEN_STATES,
    Commitment,
    CommitmentState,
    Difference,
    FollowUp,
    FollowUpAnswer,
    Happened,
    Revision,
    RevisionKind,
    RevisionStatus,
    Update,
    UpdateKind,
)

REMIND_DAYS_BEFORE = 3
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = {
    "pdf", "jpg", "jpeg", "png", "gif", "webp", "txt", "csv", "doc", "docx", "xls", "xlsx",
    "odt", "ods", "ppt", "pptx", "odp",
}  # fmt: skip


# --- Who acts -------------------------------------------------------------------------------


def _acting_side(actor, round_, wanted=None) -> str:
    """The side on which the person may act as editor: `wanted` if given, else their only one."""
    sides = sides_of(actor, round_, Role.EDITOR)
    if wanted is not None:
        if wanted not in sides:
            raise PermissionDenied(
                _("Only an editor or admin on the other side of the partnership can do this.")
            )
        return wanted
    if not sides:
        raise PermissionDenied(
            _("You need the editor or admin role in one of this partnership's organisations.")
        )
    return sorted(sides)[0]


def _log(actor, commitment):
    return log_organisation(actor, commitment.partnership_id, commitment.round.organisation)


def _link(commitment):
    return reverse("commitment_detail", args=[commitment.pk])


def _tell_side(commitment, to_side, kind, **params):
    params = {"title": commitment.title, "partnership": commitment.partnership.title, **params}
    notify(side_editors(commitment.partnership_id, to_side), kind, params, _link(commitment))


def _tell_owner(commitment, kind, **params):
    notify([commitment.owner], kind, {"title": commitment.title, **params}, _link(commitment))


# --- Terms ----------------------------------------------------------------------------------


def owner_choices(partnership_id, side):
    """The people who may own a commitment for a side: members of that side's organisations,
    with the organisation each belongs to."""
    parties = Party.objects.filter(partnership_id=partnership_id, side=side)
    memberships = (
        Membership.objects.filter(organisation_id__in=parties.values("organisation_id"))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name")
    )
    return [(m.user, m.organisation) for m in memberships]


def _checked_terms(
    round_, *, title, owner_side, owner, due_on, evidence_expected, now, element="", question=""
):
    """The terms, checked; dates are judged in the time zone of the owner's organisation."""
    errors = {}
    title = (title or "").strip()
    evidence_expected = (evidence_expected or "").strip()
    if not title:
        errors["title"] = _("Say what will change.")
    else:
        try:
            single_line(title)
        except ValidationError as problem:
            errors["title"] = problem.messages[0]
    if not evidence_expected:
        errors["evidence_expected"] = _("Say what will show that it was done.")
    if owner_side not in Side.values:
        errors["owner_side"] = _("Choose the side that owns the commitment.")
    owners = {}
    if owner_side in Side.values:
        owners = {user.pk: org for user, org in owner_choices(round_.partnership_id, owner_side)}
    owner_id = getattr(owner, "pk", owner)
    if owner_id not in owners and "owner_side" not in errors:
        errors["owner"] = _("Choose a person from an organisation on the side that owns it.")
    zone = owners[owner_id].time_zone if owner_id in owners else "UTC"
    today = local_day(now, zone)
    if due_on is None:
        errors["due_on"] = _("Give a due date.")
    elif due_on < today:
        errors["due_on"] = _("The due date cannot be in the past.")
    elif due_on > today + timedelta(days=3 * 366):
        errors["due_on"] = _("Choose a due date within three years.")
    topics = topic_codes(round_)
    if element and element not in topics:
        errors["element"] = _("This element is not part of the round's framework.")
    if question and topics.get(element) is not None and question not in topics[element]:
        errors["element"] = _("This question is not part of the round's framework.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "element": element or "",
        "question": question or "",
        "owner_side": owner_side,
        "owner": owner_id,
        "owner_organisation": owners[owner_id].pk,
        "due_on": due_on.isoformat(),
        "evidence_expected": evidence_expected,
    }


def topic_codes(round_) -> dict:
    """{element code: {pair codes}} of the round's framework version."""
    content = version_content(round_.framework_version)
    sections = {s.pk: s.code for s in content.sections if s.kind == "element"}
    topics = {code: set() for code in sections.values()}
    for question in content.questions:
        if question.part == Part.RELATIONSHIP and question.section_id in sections:
            topics[sections[question.section_id]].add(question.pair or question.name)
    return topics


def _apply(commitment, terms):
    organisation = Organisation.objects.get(pk=terms["owner_organisation"])
    commitment.title = terms["title"]
    commitment.element = terms["element"]
    commitment.question = terms["question"]
    commitment.owner_side = terms["owner_side"]
    commitment.owner_id = terms["owner"]
    commitment.owner_organisation = organisation
    commitment.due_on = date.fromisoformat(terms["due_on"])
    commitment.due_at = day_end(commitment.due_on, organisation.time_zone)
    commitment.evidence_expected = terms["evidence_expected"]


# --- Proposing and agreeing -----------------------------------------------------------------


@transaction.atomic
def commitment_propose(*, actor, round_: Round, side=None, now=None, **terms) -> Commitment:
    """One side proposes what will change after the round; the other side is asked to accept."""
    now = now or timezone.now()
    if round_.kind != RoundKind.PARTNERSHIP:
        raise ValidationError(_("Commitments are agreed in partnership rounds."))
    side = _acting_side(actor, round_, side)
    if not results_visible(round_):
        raise PermissionDenied(_("Commitments are proposed once the round's results are out."))
    checked = _checked_terms(round_, now=now, **terms)
    commitment = Commitment(
        partnership_id=round_.partnership_id,
        round=round_,
        proposed_side=side,
        created_by=actor,
        created_at=now,
    )
    _apply(commitment, checked)
    commitment.save()
    Revision.objects.create(
        commitment=commitment,
        number=1,
        kind=RevisionKind.PROPOSAL,
        side=side,
        proposed_by=actor,
        terms=checked,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="commitment_propose",
        obj=commitment,
        organisation=_log(actor, commitment),
        after={**checked, "side": side},
    )
    _tell_side(commitment, other_side(side), "commitment_proposed", side=side)
    return commitment


def _locked(commitment):
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("round", "partnership")
        .get(pk=commitment.pk)
    )


def _pending(commitment):
    return commitment.revisions.filter(status=RevisionStatus.PENDING).first()


@transaction.atomic
def commitment_amend(*, actor, commitment, reason, drop=False, side=None, now=None, **terms):
    """Propose new terms for an agreed commitment, or to drop it; the other side decides.

    A later proposal replaces one still waiting."""
    now = now or timezone.now()
    commitment = _locked(commitment)
    side = _acting_side(actor, commitment.round, side)
    if commitment.state not in OPEN_STATES:
        raise ValidationError(_("Only a commitment in progress can be changed or dropped."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the change is needed.")})
    checked = {} if drop else _checked_terms(commitment.round, now=now, **terms)
    commitment.revisions.filter(status=RevisionStatus.PENDING).update(
        status=RevisionStatus.SUPERSEDED, decided_at=now
    )
    number = (commitment.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = Revision.objects.create(
        commitment=commitment,
        number=number,
        kind=RevisionKind.DROP if drop else RevisionKind.AMENDMENT,
        side=side,
        proposed_by=actor,
        terms=checked,
        reason=reason,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="commitment_amend",
        obj=commitment,
        organisation=_log(actor, commitment),
        before=_terms_of(commitment),
        after={"drop": drop, "reason": reason, **checked},
    )
    _tell_side(commitment, other_side(side), "commitment_amended", side=side)
    return revision


def _terms_of(commitment):
    return {
        "title": commitment.title,
        "element": commitment.element,
        "question": commitment.question,
        "owner_side": commitment.owner_side,
        "owner": commitment.owner_id,
        "due_on": commitment.due_on.isoformat(),
        "evidence_expected": commitment.evidence_expected,
        "state": commitment.state,
    }


def _decide(actor, commitment, side, now):
    commitment = _locked(commitment)
    revision = _pending(commitment)
    if revision is None:
        raise ValidationError(_("Nothing is waiting for a decision."))
    if revision.kind != RevisionKind.PROPOSAL and commitment.state not in OPEN_STATES:
        raise ValidationError(_("This commitment is closed: nothing about it can change now."))
    side = _acting_side(actor, commitment.round, side or other_side(revision.side))
    if side == revision.side:
        raise PermissionDenied(_("The other side decides on what your side proposed."))
    return commitment, revision, side


@transaction.atomic
def commitment_accept(*, actor, commitment, note="", side=None, now=None) -> Commitment:
    """The other side accepts the proposal waiting: the commitment (or its change) holds."""
    now = now or timezone.now()
    commitment, revision, side = _decide(actor, commitment, side, now)
    before = _terms_of(commitment)
    if revision.kind != RevisionKind.DROP:
        _still_valid(commitment, revision, now)
    if revision.kind == RevisionKind.DROP:
        commitment.state = CommitmentState.DROPPED
        commitment.closed_at = now
    else:
        _apply(commitment, revision.terms)
        if revision.kind == RevisionKind.PROPOSAL:
            commitment.state = CommitmentState.ACTIVE
            commitment.agreed_at = now
        if commitment.due_at > now:
            commitment.overdue_notified_at = None
            commitment.reminded_at = None
    commitment.save()
    revision.status = RevisionStatus.ACCEPTED
    revision.decided_by, revision.decided_at = actor, now
    revision.decision_note = (note or "").strip()
    revision.save()
    audit_record(
        actor=actor,
        action="commitment_accept",
        obj=commitment,
        organisation=_log(actor, commitment),
        before=before,
        after={**_terms_of(commitment), "revision": revision.number},
    )
    _tell_side(commitment, revision.side, "commitment_accepted")
    return commitment


def _still_valid(commitment, revision, now):
    """A proposal is accepted only while its terms still hold: the due date not passed, the
    person responsible still on that side."""
    terms = dict(revision.terms)
    terms.pop("owner_organisation", None)
    terms["due_on"] = date.fromisoformat(terms["due_on"])
    try:
        _checked_terms(commitment.round, now=now, **terms)
    except ValidationError as problem:
        raise ValidationError(
            _(
                "This proposal can no longer be accepted as it is (%(problem)s). Do not accept "
                "it, and propose it again with new terms."
            )
            % {"problem": " ".join(problem.messages)}
        ) from None


@transaction.atomic
def commitment_decline(*, actor, commitment, note, side=None, now=None) -> Commitment:
    """The other side does not accept the proposal waiting, and says why."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why, so that the other side can propose again.")})
    commitment, revision, side = _decide(actor, commitment, side, now)
    if revision.kind == RevisionKind.PROPOSAL:
        commitment.state = CommitmentState.DECLINED
        commitment.closed_at = now
        commitment.save(update_fields=["state", "closed_at"])
    revision.status = RevisionStatus.DECLINED
    revision.decided_by, revision.decided_at, revision.decision_note = actor, now, note
    revision.save()
    audit_record(
        actor=actor,
        action="commitment_decline",
        obj=commitment,
        organisation=_log(actor, commitment),
        after={"revision": revision.number, "note": note, "state": commitment.state},
    )
    _tell_side(commitment, revision.side, "commitment_declined", side=side)
    return commitment


# --- Carrying it out ------------------------------------------------------------------------


def _checked_file(upload):
    if upload is None:
        return None
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            {"file": _("Send a document, spreadsheet, PDF or picture (%(kinds)s).")
             % {"kinds": ", ".join(sorted(EVIDENCE_EXTENSIONS))}}
        )  # fmt: skip
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    return name


@transaction.atomic
def commitment_report(*, actor, commitment, done=False, note="", link="", file=None,
                      side=None, now=None) -> Update:  # fmt: skip
    """Post progress with its evidence; `done` reports the commitment done, for the other side
    to confirm. Progress comes from the side that owns it; either side may report it done."""
    now = now or timezone.now()
    commitment = _locked(commitment)
    side = _acting_side(actor, commitment.round, side)
    if commitment.state != CommitmentState.ACTIVE:
        raise ValidationError(_("Only a commitment in progress takes updates."))
    if not done and side != commitment.owner_side:
        raise PermissionDenied(_("Progress is posted by the side that owns the commitment."))
    note, link = (note or "").strip(), (link or "").strip()
    if not (note or link or file):
        raise ValidationError(_("Write a note, give a link or attach a file."))
    file_name = _checked_file(file)
    update = Update(
        commitment=commitment,
        kind=UpdateKind.DONE if done else UpdateKind.PROGRESS,
        side=side,
        author=actor,
        note=note,
        link=link,
        created_at=now,
    )
    if file is not None:
        update.file_name = file_name
        update.file.save(file_name, file, save=False)
    update.full_clean(exclude=["file"])
    update.save()
    if done:
        commitment.state = CommitmentState.DONE_REPORTED
        commitment.done_reported_at = now
        commitment.done_reported_side = side
        commitment.save(update_fields=["state", "done_reported_at", "done_reported_side"])
    audit_record(
        actor=actor,
        action="commitment_report_done" if done else "commitment_report_progress",
        obj=commitment,
        organisation=_log(actor, commitment),
        after={"note": note, "link": link, "file": file_name or "", "state": commitment.state},
    )
    if done:
        _tell_side(commitment, other_side(side), "commitment_done")
    else:
        _tell_side(commitment, other_side(side), "commitment_update")
    return update


def _check(actor, commitment, side):
    commitment = _locked(commitment)
    if commitment.state != CommitmentState.DONE_REPORTED:
        raise ValidationError(_("Nothing is waiting for confirmation."))
    wanted = side or other_side(commitment.done_reported_side)
    side = _acting_side(actor, commitment.round, wanted)
    if side == commitment.done_reported_side:
        raise PermissionDenied(_("The other side confirms what your side reported done."))
    return commitment, side


@transaction.atomic
def commitment_confirm(*, actor, commitment, note="", side=None, now=None) -> Commitment:
    """The other side confirms it was done: the commitment counts as kept."""
    now = now or timezone.now()
    commitment, side = _check(actor, commitment, side)
    commitment.state = CommitmentState.KEPT
    commitment.kept_at = now
    commitment.save(update_fields=["state", "kept_at"])
    # A change or drop still waiting has nothing left to change.
    commitment.revisions.filter(status=RevisionStatus.PENDING).update(
        status=RevisionStatus.SUPERSEDED, decided_at=now
    )
    Update.objects.create(
        commitment=commitment,
        kind=UpdateKind.CONFIRMED,
        side=side,
        author=actor,
        note=(note or "").strip(),
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="commitment_confirm",
        obj=commitment,
        organisation=_log(actor, commitment),
        before={"state": CommitmentState.DONE_REPORTED},
        after={"state": commitment.state, "late": commitment.kept_late},
    )
    _tell_side(commitment, commitment.done_reported_side, "commitment_confirmed")
    return commitment


@transaction.atomic
def commitment_dispute(*, actor, commitment, note, side=None, now=None) -> Commitment:
    """The other side does not agree it was done, and says why: it is in progress again."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what is still missing.")})
    commitment, side = _check(actor, commitment, side)
    reported_by = commitment.done_reported_side
    commitment.state = CommitmentState.ACTIVE
    commitment.done_reported_at = None
    commitment.done_reported_side = ""
    commitment.save(update_fields=["state", "done_reported_at", "done_reported_side"])
    Update.objects.create(
        commitment=commitment,
        kind=UpdateKind.DISPUTED,
        side=side,
        author=actor,
        note=note,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="commitment_dispute",
        obj=commitment,
        organisation=_log(actor, commitment),
        before={"state": CommitmentState.DONE_REPORTED},
        after={"state": commitment.state, "note": note},
    )
    _tell_side(commitment, reported_by, "commitment_disputed", reason=note[:200])
    return commitment


# --- Reminders ------------------------------------------------------------------------------


def commitments_process_due(now=None) -> dict:
    """Remind owners a few days before a commitment is due, and once when it becomes overdue.

    Run regularly (hourly). Each reminder goes once; a change of due date allows it again."""
    now = now or timezone.now()
    done = {"reminded": 0, "overdue": 0}
    soon = Commitment.objects.filter(
        state=CommitmentState.ACTIVE,
        reminded_at__isnull=True,
        due_at__gt=now,
        due_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE),
    ).select_related("owner")
    for commitment in soon:
        with transaction.atomic():
            claimed = Commitment.objects.filter(pk=commitment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                _tell_owner(commitment, "commitment_due_soon", due=commitment.due_on.isoformat())
                done["reminded"] += 1
    late = Commitment.objects.filter(
        state=CommitmentState.ACTIVE, overdue_notified_at__isnull=True, due_at__lte=now
    ).select_related("owner")
    for commitment in late:
        with transaction.atomic():
            claimed = Commitment.objects.filter(
                pk=commitment.pk, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if claimed:
                _tell_owner(commitment, "commitment_overdue", due=commitment.due_on.isoformat())
                audit_record(
                    actor=None,
                    action="commitment_overdue",
                    obj=commitment,
                    organisation=commitment.owner_organisation,
                    after={"due_on": commitment.due_on.isoformat()},
                )
                done["overdue"] += 1
    return done


# --- Follow-up in the next round ------------------------------------------------------------


def follow_up_store(round_: Round) -> int:
    """When a partnership round opens, choose the commitments it asks about: every agreed
    commitment of earlier rounds of the partnership that is still open, or that no earlier
    round asked about yet. Called inside `round_open`'s transaction."""
    if round_.kind != RoundKind.PARTNERSHIP or round_.partnership_id is None:
        return 0
    asked = FollowUp.objects.filter(round__partnership_id=round_.partnership_id).values(
        "commitment_id"
    )
    earlier = Commitment.objects.filter(
        partnership_id=round_.partnership_id, state__in=AGREED_STATES
    ).exclude(round=round_)
    chosen = earlier.filter(state__in=OPEN_STATES) | earlier.exclude(pk__in=asked)
    rows = [FollowUp(round=round_, commitment=c) for c in chosen.distinct()]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def follow_up_answers_store(response, round_, draft_answers: dict) -> int:
    """Keep a submitted response's answers about the commitments its round follows up."""
    from .followup import FIELD_PREFIX, answer_fields

    if not any(name.startswith(FIELD_PREFIX) for name in draft_answers):
        return 0  # nothing answered about commitments: no need to look them up
    rows = []
    for commitment_id, names in answer_fields(round_).items():
        happened = draft_answers.get(names.happened) or ""
        difference = draft_answers.get(names.difference) or ""
        comment = (draft_answers.get(names.comment) or "").strip()[:2000]
        if happened or difference or comment:
            rows.append(
                FollowUpAnswer(
                    response=response,
                    commitment_id=commitment_id,
                    side=response.side,
                    happened=happened if happened in _values("happened") else "",
                    difference=difference if difference in _values("difference") else "",
                    comment=comment,
                )
            )
    FollowUpAnswer.objects.bulk_create(rows)
    return len(rows)


def _values(name):
    return set((Happened if name == "happened" else Difference).values)
