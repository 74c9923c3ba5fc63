"""Reads about rounds, each limited to what the person may see.

Results are read only from a released round; in a partner feedback round, only once people
from at least `threshold` partner organisations have answered. Below that, nothing but counts
is computed."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.frameworks.models import FrameworkVersion
from counterpart.organisations.models import Organisation, Role
from counterpart.partnerships.models import Partnership, Side

from .models import ConvenedInvitation, Privacy, Respondent, Round, RoundKind, RoundState
from .permissions import can_read_results, can_see, sides_of


def round_for_user(user, round_id, *, results=False) -> Round:
    """The round, for someone who may see it; with `results`, for someone who may read its
    results once they are shown (`permissions.can_read_results`). Else 404."""
    round_ = (
        Round.objects.select_related(
            "organisation",
            "convened_by",
            "partnership",
            "framework_version__framework",
            "created_by",
        )
        .filter(pk=round_id)
        .first()
    )
    allowed = can_read_results if results else can_see
    if round_ is None or not allowed(user, round_):
        raise Http404(_("This round does not exist or your organisation is not part of it."))
    return round_


def rounds_of_partnership(partnership):
    return list(
        Round.objects.filter(partnership=partnership)
        .select_related("framework_version__framework")
        .order_by("-opens_on", "-created_at")
    )


def pooled_rounds_of(organisation, *, convened=False):
    """The organisation's own partner feedback rounds; with `convened`, those its partners
    convened about it."""
    return list(
        Round.objects.filter(
            organisation=organisation, kind=RoundKind.POOLED, convened_by__isnull=not convened
        )
        .select_related("framework_version__framework")
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "-created_at")
    )


def rounds_convened_by(organisation):
    """The feedback rounds the organisation convened about its funders, with each funder."""
    return list(
        Round.objects.filter(convened_by=organisation)
        .select_related("organisation")
        .order_by("-opens_on", "-created_at")
    )


def invitations_waiting(organisation) -> list:
    """Invitations to convened feedback that the organisation has not answered, to rounds still
    being prepared or open (for its admins)."""
    return list(
        ConvenedInvitation.objects.filter(
            organisation=organisation,
            answer="",
            round__state__in=[RoundState.DRAFT, RoundState.OPEN],
        )
        .select_related("round__organisation", "round__convened_by")
        .order_by("-created_at")
    )


@dataclass
class SideProgress:
    side: str
    label: str
    asked: int = 0
    answered: int = 0
    # The people, shown only to members of this side (and never in an anonymous round).
    people: list = field(default_factory=list)


def round_progress(round_, viewer_sides) -> list[SideProgress]:
    """How many on each side were asked and have answered. Each side sees its own people by
    name; the other side only as numbers. An anonymous round shows numbers only."""
    respondents = list(
        Respondent.objects.filter(round=round_, removed_at__isnull=True).order_by("name", "email")
    )
    sides = [Side.LOCAL] if round_.is_pooled else [Side.INTERNATIONAL, Side.LOCAL]
    progress = []
    for side in sides:
        entry = SideProgress(side, Side(side).label)
        for respondent in respondents:
            if respondent.side != side:
                continue
            entry.asked += 1
            entry.answered += respondent.used
            if side in viewer_sides and round_.privacy != Privacy.ANONYMOUS:
                entry.people.append(respondent)
        progress.append(entry)
    return progress


@dataclass
class MailProgress:
    """How many of the people someone manages have not been reached by their mail yet."""

    waiting: int = 0
    retrying: int = 0
    not_reached: int = 0

    @property
    def total(self):
        return self.waiting + self.retrying + self.not_reached


def mail_progress(round_, user) -> MailProgress:
    """Counts of the people the manager looks after (their sides; in convened feedback, their
    own organisation's people; in partner feedback, everyone asked) whose mail was not
    accepted yet. Counts only: an anonymous round shows nothing else."""
    people = Respondent.objects.filter(round=round_, removed_at__isnull=True).exclude(
        mail_pending=""
    )
    if round_.convened_by_id:
        people = people.filter(organisation=round_.convened_by_id)
    elif not round_.is_pooled:
        people = people.filter(side__in=sides_of(user, round_, Role.EDITOR))
    progress = MailProgress()
    for next_at, failed_at in people.values_list("mail_next_at", "mail_failed_at"):
        if next_at is None:
            progress.not_reached += 1
        elif failed_at is not None:
            progress.retrying += 1
        else:
            progress.waiting += 1
    return progress


def responses_by_side(round_) -> dict:
    counts = {
        row["side"]: row["n"] for row in round_.responses.values("side").annotate(n=Count("id"))
    }
    return {side: counts.get(side, 0) for side in Side.values}


def organisations_answered(round_) -> int:
    """In partner feedback, how many partner organisations have at least one person who
    answered. Read from who was asked and has answered, never from the responses, which keep
    no link to anyone."""
    return (
        round_.respondents.filter(used=True, organisation__isnull=False)
        .values("organisation")
        .distinct()
        .count()
    )


def results_visible(round_) -> bool:
    """Whether any answer may be read: the round is released, and a partner feedback round has
    answers from at least its threshold of partner organisations."""
    if round_.state != RoundState.RELEASED:
        return False
    if round_.is_pooled:
        return organisations_answered(round_) >= round_.threshold
    return True


def partner_organisations(organisation, *, country=None, kind=None):
    """The local partners of the organisation's partnerships (where it is on the international
    side), for a partner feedback round, with the number of members each has on Counterpart."""
    theirs = Partnership.objects.filter(
        parties__organisation=organisation, parties__side=Side.INTERNATIONAL
    )
    partners = Organisation.objects.filter(
        parties__side=Side.LOCAL, parties__partnership__in=theirs
    ).exclude(pk=organisation.pk)
    if country:
        partners = partners.filter(country=country)
    if kind:
        partners = partners.filter(kind=kind)
    return list(
        Organisation.objects.filter(pk__in=partners.values("pk"))
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )


def versions_for_round(organisations):
    """The framework versions a round may use: the built-in ones and those of the organisations
    taking part, newest first (a queryset, for a form's choices)."""
    return (
        FrameworkVersion.objects.filter(
            Q(framework__organisation__isnull=True) | Q(framework__organisation__in=organisations)
        )
        .select_related("framework", "framework__organisation")
        .defer("source")
        .order_by(
            F("framework__organisation__name").asc(nulls_first=True), "framework__name", "-number"
        )
    )
