"""Reading commitments: a partnership's list, one commitment with its history, what a round
made and followed up, the counts the portfolio shows, and the public accountability page."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counterpart.assessments.models import Privacy, RoundKind, RoundState
from counterpart.assessments.permissions import can_see, sides_of
from counterpart.insights.models import RoundSummary
from counterpart.insights.scoring import Tally, whole
from counterpart.organisations.models import Role
from counterpart.partnerships.models import Side

from .models import (
    AGREED_STATES,
    Commitment,
    CommitmentState,
    Difference,
    FollowUpAnswer,
    Happened,
    Revision,
    RevisionStatus,
    Update,
)

# How a commitment stands, as the lists and the results show it.
STATUS_LABELS = {
    "proposed": gettext_lazy("Waiting for the other side to accept"),
    "declined": gettext_lazy("Not accepted"),
    "active": gettext_lazy("In progress"),
    "overdue": gettext_lazy("Overdue"),
    "done_reported": gettext_lazy("Reported done, waiting for confirmation"),
    "kept": gettext_lazy("Kept"),
    "kept_late": gettext_lazy("Kept, late"),
    "dropped": gettext_lazy("Dropped"),
}


def status_of(commitment, now=None) -> str:
    if commitment.is_overdue(now):
        return "overdue"
    if commitment.state == CommitmentState.KEPT and commitment.kept_late:
        return "kept_late"
    return commitment.state


def commitments_of_partnership(partnership, now=None) -> list:
    now = now or timezone.now()
    rows = list(
        Commitment.objects.filter(partnership=partnership)
        .select_related("owner", "owner_organisation", "round")
        .order_by("due_on", "pk")
    )
    for commitment in rows:
        commitment.status = status_of(commitment, now)
    return rows


def commitment_for_user(user, commitment_id) -> Commitment:
    """The commitment if the person belongs to one of its partnership's organisations."""
    commitment = (
        Commitment.objects.select_related(
            "partnership", "round", "round__partnership", "owner", "owner_organisation",
            "created_by",
        )
        .filter(pk=commitment_id)
        .first()
    )  # fmt: skip
    if commitment is None or not can_see(user, commitment.round):
        raise Http404(_("This commitment does not exist or your organisation is not part of it."))
    return commitment


@dataclass
class CommitmentPage:
    commitment: Commitment
    status: str
    revisions: list
    pending: Revision | None
    updates: list
    # What the viewer may do, by the side they act for.
    editor_sides: set = field(default_factory=set)

    @property
    def can_decide(self):
        return self.pending is not None and bool(self.editor_sides - {self.pending.side})

    @property
    def can_amend(self):
        return bool(self.editor_sides) and self.commitment.state in (
            CommitmentState.ACTIVE,
            CommitmentState.DONE_REPORTED,
        )

    @property
    def can_report(self):
        return bool(self.editor_sides) and self.commitment.state == CommitmentState.ACTIVE

    @property
    def can_post_progress(self):
        return self.can_report and self.commitment.owner_side in self.editor_sides

    @property
    def can_check(self):
        return self.commitment.state == CommitmentState.DONE_REPORTED and bool(
            self.editor_sides - {self.commitment.done_reported_side}
        )


def commitment_page(user, commitment, now=None) -> CommitmentPage:
    revisions = list(
        Revision.objects.filter(commitment=commitment).select_related("proposed_by", "decided_by")
    )
    updates = list(Update.objects.filter(commitment=commitment).select_related("author"))
    pending = next((r for r in revisions if r.status == RevisionStatus.PENDING), None)
    if pending is not None and pending.terms:
        pending.terms = {
            **pending.terms,
            "due_on": date.fromisoformat(pending.terms["due_on"]),
            "owner": get_user_model().objects.filter(pk=pending.terms["owner"]).first(),
        }
    return CommitmentPage(
        commitment=commitment,
        status=status_of(commitment, now),
        revisions=revisions,
        pending=pending,
        updates=updates,
        editor_sides=sides_of(user, commitment.round, Role.EDITOR),
    )


def update_for_user(user, update_id) -> Update:
    update = Update.objects.select_related("commitment__round").filter(pk=update_id).first()
    if update is None or not update.file or not can_see(user, update.commitment.round):
        raise Http404(_("This file does not exist or your organisation is not part of it."))
    return update


# --- Rounds ---------------------------------------------------------------------------------


@dataclass
class FollowUpRow:
    commitment: Commitment
    status: str
    # {side: [(value, label, count)]} for “did it happen” and “did it make a difference”.
    happened: dict
    difference: dict
    comments: list


@dataclass
class RoundCommitments:
    made: list  # commitments proposed after this round
    followed: list  # FollowUpRow for earlier commitments this round asked about
    counts: dict  # {status: number} of the commitments followed up


def _tally(answers, side, name, choices):
    counts = Counter(getattr(a, name) for a in answers if a.side == side and getattr(a, name))
    return [(value, label, counts[value]) for value, label in choices if counts[value]]


def round_commitments(round_, now=None) -> RoundCommitments:
    """What the round led to, and what it followed up: call only when its results are visible."""
    now = now or timezone.now()
    both = (
        Commitment.objects.filter(Q(round=round_) | Q(follow_ups__round=round_))
        .distinct()
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "follow_up_answers",
                queryset=FollowUpAnswer.objects.filter(response__round=round_).order_by("comment"),
                to_attr="answers_here",
            )
        )
        .order_by("due_on", "pk")
    )
    made, followed, counts = [], [], Counter()
    for commitment in both:
        commitment.status = status_of(commitment, now)
        if commitment.round_id == round_.pk:
            made.append(commitment)
            continue
        counts[commitment.status] += 1
        answers = commitment.answers_here
        followed.append(
            FollowUpRow(
                commitment=commitment,
                status=commitment.status,
                happened={s: _tally(answers, s, "happened", Happened.choices) for s in Side},
                difference={s: _tally(answers, s, "difference", Difference.choices) for s in Side},
                comments=[(a.side, a.comment) for a in answers if a.comment],
            )
        )
    return RoundCommitments(made=made, followed=followed, counts=dict(counts))


# --- Portfolio ------------------------------------------------------------------------------


def portfolio_counts(partnership_ids, now=None) -> dict:
    """{partnership id: {"open", "overdue", "kept"}} in one query."""
    now = now or timezone.now()
    open_states = [CommitmentState.ACTIVE, CommitmentState.DONE_REPORTED]
    rows = (
        Commitment.objects.filter(partnership_id__in=partnership_ids)
        .values("partnership_id")
        .annotate(
            open=Count("pk", filter=Q(state__in=open_states)),
            overdue=Count("pk", filter=Q(state=CommitmentState.ACTIVE, due_at__lte=now)),
            kept=Count("pk", filter=Q(state=CommitmentState.KEPT)),
        )
    )
    return {row["partnership_id"]: {k: row[k] for k in ("open", "overdue", "kept")} for row in rows}


# --- The public accountability page ---------------------------------------------------------


@dataclass
class YearRow:
    year: int
    made: int = 0
    kept: int = 0
    kept_on_time: int = 0
    dropped: int = 0
    open: int = 0
    overdue: int = 0


@dataclass
class FeedbackRow:
    year: int
    title: str
    responses: int
    scores: list  # [(element title, score 0–100)]
    # Convened by the organisation's partners, not by the organisation itself.
    convened: bool = False


@dataclass
class Accountability:
    organisation: object
    years: list
    feedback: list


def accountability(organisation, element_titles, now=None) -> Accountability:
    """The organisation's commitments per year they were agreed (those it owns, in any of its
    partnerships), and its released partner feedback rounds: its own, and those its partners
    convened about it once it chose to publish them. No partner is named."""
    now = now or timezone.now()
    owned = Commitment.objects.filter(
        owner_organisation=organisation, state__in=AGREED_STATES, agreed_at__isnull=False
    ).only("state", "agreed_at", "due_at", "done_reported_at")
    years = {}
    for commitment in owned:
        year = commitment.agreed_at.year
        row = years.setdefault(year, YearRow(year))
        row.made += 1
        if commitment.state == CommitmentState.KEPT:
            row.kept += 1
            row.kept_on_time += 0 if commitment.kept_late else 1
        elif commitment.state == CommitmentState.DROPPED:
            row.dropped += 1
        else:
            row.open += 1
            row.overdue += 1 if commitment.is_overdue(now) else 0
    summaries = (
        RoundSummary.objects.filter(
            organisation=organisation,
            kind=RoundKind.POOLED,
            conversation_mode=False,
            round__state=RoundState.RELEASED,
            round__privacy=Privacy.ANONYMOUS,
        )
        .filter(Q(round__convened_by__isnull=True) | Q(round__funder_publishes=True))
        .select_related("round")
        .order_by("-released_at")
    )
    feedback = []
    for summary in summaries:
        if summary.answered_total < summary.round.threshold:
            continue
        scores = []
        for code, sides in summary.elements.items():
            stored = sides.get(Side.LOCAL)
            score = Tally.from_list(stored).score if stored else None
            if score is not None:
                scores.append((element_titles.get(code, code), whole(score)))
        feedback.append(
            FeedbackRow(
                summary.released_at.year,
                summary.round.title,
                summary.answered_total,
                scores,
                convened=summary.round.convened_by_id is not None,
            )
        )
    return Accountability(
        organisation=organisation,
        years=sorted(years.values(), key=lambda r: r.year, reverse=True),
        feedback=feedback,
    )
