"""Reads about rounds, each limited to what the person may see.

Results are read only from a released round; in a partner feedback round, only once at least
`threshold` responses exist. Below that, nothing but the number of responses is computed."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils.translation import gettext as _

from counterpart.frameworks.models import FrameworkVersion
from counterpart.frameworks.selectors import choice_labels, pick, version_content
from counterpart.organisations.models import Organisation
from counterpart.partnerships.models import Partnership, Side

from .models import Answer, Privacy, Respondent, Round, RoundKind, RoundState
from .permissions import can_see


def round_for_user(user, round_id) -> Round:
    round_ = (
        Round.objects.select_related(
            "organisation", "partnership", "framework_version__framework", "created_by"
        )
        .filter(pk=round_id)
        .first()
    )
    if round_ is None or not can_see(user, round_):
        raise Http404(_("This round does not exist or your organisation is not part of it."))
    return round_


def rounds_of_partnership(partnership):
    return list(
        Round.objects.filter(partnership=partnership)
        .select_related("framework_version__framework")
        .order_by("-opens_on", "-created_at")
    )


def pooled_rounds_of(organisation):
    return list(
        Round.objects.filter(organisation=organisation, kind=RoundKind.POOLED)
        .select_related("framework_version__framework")
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "-created_at")
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


def responses_by_side(round_) -> dict:
    counts = {
        row["side"]: row["n"] for row in round_.responses.values("side").annotate(n=Count("id"))
    }
    return {side: counts.get(side, 0) for side in Side.values}


def results_visible(round_) -> bool:
    """Whether any answer may be read: the round is released, and a partner feedback round has
    at least its threshold of responses."""
    if round_.state != RoundState.RELEASED:
        return False
    if round_.is_pooled:
        return round_.responses.count() >= round_.threshold
    return True


@dataclass
class QuestionResult:
    name: str
    label: str
    # side -> [(choice label, count)], in the order of the choices
    counts: dict
    # side -> [(who or "", text)]: free text, notes and evidence links
    comments: dict
    # side -> [(who, choice label)] in the named tier
    named: dict


@dataclass
class BlockResult:
    title: str
    questions: list


def round_results(round_, language) -> list[BlockResult]:
    """The answers of a released round, question by question, each side apart."""
    if not results_visible(round_):
        raise Http404(_("The results of this round are not available."))
    version = round_.framework_version
    default = version.default_language
    content = version_content(version)
    choices = choice_labels(content.choices, language, default)
    sections = {s.pk: s for s in content.sections}
    answers = (
        Answer.objects.filter(response__round=round_)
        .select_related("response__respondent")
        .order_by("question_id", "side")
    )
    by_question = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    named = round_.privacy == Privacy.NAMED
    blocks = {}
    ordered = []
    for question in content.questions:
        found = by_question.get(question.pk)
        if not found:
            continue
        options = dict(choices.get(question.list_name, []))
        counts, comments, names = {}, {}, {}
        for side in Side.values:
            mine = [a for a in found if a.side == side]
            if not mine:
                continue
            tally = Counter()
            for answer in mine:
                who = (
                    str(answer.response.respondent) if named and answer.response.respondent else ""
                )
                if options:
                    for value in answer.value.split():
                        tally[value] += 1
                        if named and who:
                            names.setdefault(side, []).append((who, options.get(value, value)))
                elif answer.value:
                    comments.setdefault(side, []).append((who, answer.value))
                if answer.note:
                    comments.setdefault(side, []).append((who, answer.note))
                if answer.evidence:
                    comments.setdefault(side, []).append((who, answer.evidence))
            if options:
                counts[side] = [(label, tally[value]) for value, label in options.items()]
            if side in comments:
                # Sorted by text, so that their order says nothing of who answered first.
                comments[side].sort(key=lambda pair: (pair[1], pair[0]))
        key = question.section_id
        if key not in blocks:
            section = sections.get(key)
            blocks[key] = BlockResult(pick(section.title, language, default) if section else "", [])
            ordered.append(blocks[key])
        blocks[key].questions.append(
            QuestionResult(
                question.name,
                pick(question.label, language, default),
                counts,
                comments,
                names,
            )
        )
    return ordered


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
