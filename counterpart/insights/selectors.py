"""Reads for insight: a round's results, its dialogue guide, a partnership's trend, an
organisation's portfolio and the benchmark. Every number here comes from the pure functions in
`scoring`, `dialogue` and `charts`; these functions only gather what they need, in a fixed
number of queries, and never read the answers of a round whose results are not visible."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from counterpart.assessments.models import (
    MIN_POOLED_THRESHOLD,
    Answer,
    Privacy,
    Respondent,
    Round,
    RoundKind,
    RoundState,
)
from counterpart.assessments.selectors import responses_by_side, results_visible
from counterpart.commitments.selectors import portfolio_counts
from counterpart.frameworks.models import BUILTIN_SLUG, FrameworkVersion, Part
from counterpart.frameworks.selectors import choice_labels, pick, text_direction, version_content
from counterpart.organisations.models import Membership, Organisation, OrganisationKind, Role
from counterpart.partnerships.models import Partnership, Party, Side, other_side

from . import charts, dialogue, peers, scoring
from .models import DialogueNote, RoundSummary

# --- A round's answers as scoring sees them --------------------------------------------------


def items_of(content) -> list:
    return [
        scoring.Item(
            name=q.name,
            part=q.part,
            element=q.element,
            side=q.side,
            pair=q.pair,
            foundations=tuple(q.foundations),
        )
        for q in content.questions
    ]


def summarise_round(round_) -> scoring.Summary:
    """The scores of a round whose results are visible (one query)."""
    if not results_visible(round_):
        raise Http404(_("The results of this round are not available."))
    content = version_content(round_.framework_version)
    names = {q.pk: q.name for q in content.questions}
    rows = Answer.objects.filter(response__round=round_).values_list("question_id", "side", "value")
    return scoring.summarise(
        items_of(content),
        [scoring.Given(names[q], side, value) for q, side, value in rows if q in names],
    )


# Parts whose values are counted or listed, never shown as comments.
FACTUAL = (Part.RELATIONSHIP, Part.FACT)

# --- A round's results ------------------------------------------------------------------------


@dataclass
class ElementResult:
    code: str
    title: str
    tallies: dict  # side -> Tally
    gap: scoring.Gap


@dataclass
class PairResult:
    code: str
    element: str
    position: int
    texts: dict  # side -> the statement that side answered
    prompt: str
    foundations: list  # (code, name)
    tallies: dict
    gap: scoring.Gap
    distribution: dict  # side -> [(value, label, count)]
    comments: dict  # side -> [(who, text)]
    named: dict = field(default_factory=dict)  # side -> [(who, answer)], named tier only


@dataclass
class PracticeResult:
    name: str
    label: str
    hint: str
    element: str
    position: int
    counts: dict  # side -> [(value, label, count)]
    score: float | None
    comments: dict
    named: dict = field(default_factory=dict)


@dataclass
class FactResult:
    name: str
    label: str
    element: str
    values: dict  # side -> [text]


@dataclass
class RoundResults:
    round: Round
    language: str
    direction: str
    threshold: int
    sides: list  # the sides that answered this kind of round
    counts: dict  # side -> responses
    elements: list
    foundations: list
    pairs: dict  # element code -> [PairResult]
    practices: list
    facts: list
    others: list  # (label, {side: [(who, text)]}) for any other question
    answer_count: int = 0
    radar: object = None
    foundation_radar: object = None

    @property
    def hide_numbers(self):
        return self.round.conversation_mode

    @property
    def flagged(self):
        return [e for e in self.elements if e.gap.flagged]


def _display(question, value, options):
    if options:
        return ", ".join(options.get(v, v) for v in value.split())
    return value


def round_results(round_, language) -> RoundResults:
    """Everything the results page and the dialogue guide show, from one read of the answers.
    Raises 404 unless the round's results are visible (released, and k reached when pooled)."""
    if not results_visible(round_):
        raise Http404(_("The results of this round are not available."))
    version = round_.framework_version
    default = version.default_language
    content = version_content(version)
    lists = choice_labels(content.choices, language, default)
    foundation_names = dict(lists.get("foundation", []))
    threshold = round_.organisation.gap_threshold
    named = round_.privacy == Privacy.NAMED
    columns = ["question_id", "side", "value", "note", "evidence"]
    if named:
        columns += ["response__respondent__name", "response__respondent__email"]
    rows = list(Answer.objects.filter(response__round=round_).values_list(*columns))
    questions = {q.pk: q for q in content.questions}
    given = [
        scoring.Given(questions[row[0]].name, row[1], row[2]) for row in rows if row[0] in questions
    ]
    summary = scoring.summarise(items_of(content), given)
    comments, names = {}, {}
    for row in rows:
        question_id, side, value, note, evidence = row[:5]
        who = (row[5] or row[6]) if named and (row[5] or row[6]) else ""
        question = questions.get(question_id)
        if question is None:
            continue
        if who and value and question.list_name:
            options = dict(lists.get(question.list_name, []))
            names.setdefault(question.name, {}).setdefault(side, []).append(
                (who, _display(question, value, options))
            )
        texts = comments.setdefault(question.name, {})
        if value and not question.list_name and question.part not in FACTUAL:
            texts.setdefault(side, []).append((who, value))
        for extra in (note, evidence):
            if extra:
                texts.setdefault(side, []).append((who, extra))
    for texts in [*comments.values(), *names.values()]:
        for entries in texts.values():
            # By text, so that their order says nothing of who answered first.
            entries.sort(key=lambda pair: (pair[1], pair[0]))

    sides = [Side.LOCAL] if round_.is_pooled else [Side.INTERNATIONAL, Side.LOCAL]
    sections = [s for s in content.sections if s.kind == "element"]
    elements = [
        ElementResult(
            s.code,
            pick(s.title, language, default),
            summary.elements.get(s.code, {}),
            summary.element_gap(s.code, threshold),
        )
        for s in sections
        if s.code in summary.elements
    ]
    pairs, practices, facts, others = {}, [], [], []
    seen_pairs = {}
    for question in content.questions:
        options = dict(lists.get(question.list_name, []))
        if question.part == Part.RELATIONSHIP:
            code = question.pair or question.name
            pair = seen_pairs.get(code)
            if pair is None:
                pair = PairResult(
                    code=code,
                    element=question.element,
                    position=question.position,
                    texts={},
                    prompt=pick(question.prompt, language, default),
                    foundations=[(f, foundation_names.get(f, f)) for f in question.foundations],
                    tallies=summary.pairs.get(code, {}),
                    gap=summary.pair_gap(code, threshold),
                    distribution={},
                    comments={},
                )
                seen_pairs[code] = pair
                pairs.setdefault(question.element, []).append(pair)
            pair.texts[question.side] = pick(question.label, language, default)
            if not pair.prompt:
                pair.prompt = pick(question.prompt, language, default)
            counted = summary.distributions.get(question.name, Counter())
            if question.side in sides:
                pair.distribution[question.side] = [
                    (value, label, counted[value]) for value, label in options.items()
                ]
            pair.comments.update(comments.get(question.name, {}))
            pair.named.update(names.get(question.name, {}))
        elif question.part == Part.CHECKLIST:
            counted = summary.practices.get(question.name, {})
            if not any(counted.values()) and question.stage != round_.stage:
                continue
            practices.append(
                PracticeResult(
                    question.name,
                    pick(question.label, language, default),
                    pick(question.hint, language, default),
                    question.element,
                    question.position,
                    {
                        side: [(v, label, counted[side][v]) for v, label in options.items()]
                        for side in sides
                        if counted.get(side)
                    },
                    scoring.practice_score(sum(counted.values(), Counter())),
                    comments.get(question.name, {}),
                    names.get(question.name, {}),
                )
            )
        elif question.part == Part.FACT:
            values = summary.facts.get(question.name, {})
            if any(values.values()):
                facts.append(
                    FactResult(
                        question.name,
                        pick(question.label, language, default),
                        question.element,
                        {
                            side: [_display(question, v, options) for v in sorted(found)]
                            for side, found in values.items()
                            if found
                        },
                    )
                )
        elif question.name in comments:
            others.append((pick(question.label, language, default), comments[question.name]))

    foundations = [
        ElementResult(
            code,
            name,
            summary.foundations.get(code, {}),
            summary.foundation_gap(code, threshold),
        )
        for code, name in lists.get("foundation", [])
        if code in summary.foundations
    ]
    results = RoundResults(
        round=round_,
        language=language,
        direction=text_direction(language),
        threshold=threshold,
        sides=sides,
        counts=responses_by_side(round_),
        elements=elements,
        foundations=foundations,
        pairs=pairs,
        practices=practices,
        facts=facts,
        others=others,
        answer_count=len(rows),
    )
    if not round_.conversation_mode:
        results.radar = _radar(elements, sides)
        results.foundation_radar = _radar(foundations, sides)
    return results


def _radar(rows, sides):
    def score(row, side):
        tally = row.tallies.get(side)
        return tally.score if tally else None

    return charts.radar(
        [row.title for row in rows],
        [(str(Side(side).label), side, [score(row, side) for row in rows]) for side in sides],
    )


# --- The dialogue guide ---------------------------------------------------------------------


@dataclass
class GuideEntry:
    reason: str
    kind: str
    key: str
    element_title: str
    pair: PairResult | None = None
    practice: PracticeResult | None = None
    facts: list = field(default_factory=list)
    note: DialogueNote | None = None


def dialogue_topics(round_) -> set:
    """The keys a meeting note may be written under: the round's pairs and practices."""
    content = version_content(round_.framework_version)
    keys = set()
    for question in content.questions:
        if question.part == Part.RELATIONSHIP:
            keys.add(question.pair or question.name)
        elif question.part == Part.CHECKLIST:
            keys.add(question.name)
    return keys


def dialogue_guide(results: RoundResults) -> list[GuideEntry]:
    """The meeting's agenda: largest gaps, weakest practices, then the rest, each with its
    prompt, the facts recorded about the same element, and the notes kept so far."""
    titles = {e.code: e.title for e in results.elements}
    facts_by_element = {}
    for fact in results.facts:
        facts_by_element.setdefault(fact.element, []).append(fact)
    topics = []
    for pairs in results.pairs.values():
        for pair in pairs:
            scores = [t.score for t in pair.tallies.values() if t.score is not None]
            lowest = min(scores) if scores else None
            topics.append(dialogue.Topic("pair", pair.code, pair.position, pair.gap, lowest, pair))
    for practice in results.practices:
        topics.append(
            dialogue.Topic(
                "practice", practice.name, practice.position, None, practice.score, practice
            )
        )
    notes = {n.topic: n for n in DialogueNote.objects.filter(round=results.round)}
    entries = []
    for reason, topic in dialogue.agenda(topics):
        element = topic.payload.element
        entries.append(
            GuideEntry(
                reason=reason,
                kind=topic.kind,
                key=topic.key,
                element_title=titles.get(element, ""),
                pair=topic.payload if topic.kind == "pair" else None,
                practice=topic.payload if topic.kind == "practice" else None,
                facts=facts_by_element.get(element, []),
                note=notes.get(topic.key),
            )
        )
    return entries


# --- Element names outside a round -----------------------------------------------------------


def element_names(language) -> tuple[dict, dict]:
    """({element code: title}, {foundation code: name}) from the newest built-in version."""
    version = (
        FrameworkVersion.objects.filter(
            framework__organisation__isnull=True, framework__slug=BUILTIN_SLUG
        )
        .defer("source")
        .order_by("-number")
        .first()
    )
    if version is None:
        return {}, {}
    content = version_content(version)
    default = version.default_language
    elements = {
        s.code: pick(s.title, language, default) for s in content.sections if s.kind == "element"
    }
    foundations = dict(choice_labels(content.choices, language, default).get("foundation", []))
    return elements, foundations


def _ordered_codes(known, found):
    return [code for code in known if code in found] + sorted(found - set(known))


def _tally(stored, side):
    value = stored.get(side)
    return scoring.Tally.from_list(value) if value else None


def _score(stored, side):
    tally = _tally(stored, side)
    return tally.score if tally else None


# --- Trends -----------------------------------------------------------------------------------


@dataclass
class TrendRow:
    code: str
    title: str
    # per round, in date order: (round id, title, released on, international, local, gap)
    values: list
    chart: object = None


@dataclass
class Trend:
    rounds: list  # (round id, title, released date)
    rows: list
    hidden: int  # rounds in conversation mode, left out of the numbers


def partnership_trend(partnership, language) -> Trend:
    """Each element and its gap over the partnership's released rounds (two queries)."""
    summaries = list(
        RoundSummary.objects.filter(partnership=partnership, kind=RoundKind.PARTNERSHIP)
        .select_related("round")
        .order_by("released_at", "round_id")
    )
    shown = [s for s in summaries if not s.conversation_mode]
    known, _foundations = element_names(language)
    codes = _ordered_codes(list(known), {c for s in shown for c in s.elements})
    rows = []
    labels = [s.released_at.date().isoformat() for s in shown]
    for code in codes:
        values = []
        for s in shown:
            stored = s.elements.get(code, {})
            international = _score(stored, Side.INTERNATIONAL)
            local = _score(stored, Side.LOCAL)
            gap = scoring.gap_between(international, local)
            values.append(
                (s.round_id, s.round.title, s.released_at.date(), international, local, gap.points)
            )
        row = TrendRow(code, known.get(code, code), values)
        row.chart = charts.trend(
            labels,
            [
                (str(Side.INTERNATIONAL.label), "international", [v[3] for v in values]),
                (str(Side.LOCAL.label), "local", [v[4] for v in values]),
            ],
        )
        rows.append(row)
    return Trend(
        [(s.round_id, s.round.title, s.released_at.date()) for s in shown],
        rows,
        len(summaries) - len(shown),
    )


# --- The portfolio ----------------------------------------------------------------------------

PAGE_SIZE = 50
STALE_AFTER_DAYS = 365


@dataclass
class PortfolioFilters:
    country: str = ""
    stage: str = ""
    partner: str = ""  # "rlo", "other" or ""
    period: str = "12m"  # "12m", "all" or a year
    view: str = "gap"  # "own", "partner" or "gap"
    sort: str = "gap"  # "gap" or "title"
    page: int = 1


@dataclass
class PortfolioCell:
    text: str  # as the page shows it
    css: str  # its colour band


@dataclass
class PortfolioRow:
    partnership_id: int
    title: str
    stage: str
    side: str
    partners: list = field(default_factory=list)
    round_id: int | None = None
    released_on: datetime.date | None = None
    hidden: bool = False
    cells: list = field(default_factory=list)
    elements: dict = field(default_factory=dict)  # as kept: {code: {side: [points, answers]}}
    threshold: int = scoring.DEFAULT_GAP_THRESHOLD
    largest_gap: float | None = None
    asked: int = 0
    answered: int = 0
    commitments: dict = field(default_factory=dict)  # {"open", "overdue", "kept"}


@dataclass
class Portfolio:
    filters: PortfolioFilters
    codes: list
    titles: dict
    rows: list  # this page's rows
    total: int
    with_round: int
    pages: int
    averages: list  # per element: (own, partner, gap, flagged count)
    asked: int
    answered: int
    stale: list  # (id, title, last round's opening date or None), first 20
    stale_count: int
    threshold: int
    commitments: dict  # totals over every partnership the filters keep

    @property
    def response_rate(self):
        return round(100 * self.answered / self.asked) if self.asked else None


def _period_start(period, today):
    if period == "all":
        return None, None
    if period.isdigit():
        year = int(period)
        start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
        return start, start.replace(year=year + 1)
    return timezone.now() - datetime.timedelta(days=365), None


def release_years(organisation) -> list:
    """The years in which rounds of the organisation's partnerships were released, newest
    first, for the portfolio's period filter (one aggregate, no per-row date function)."""
    span = RoundSummary.objects.filter(
        partnership__in=Party.objects.filter(organisation=organisation).values("partnership_id")
    ).aggregate(first=Min("released_at"), last=Max("released_at"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


def partnership_countries(organisation) -> set:
    """The countries the organisation's partnerships work in, for the portfolio's filter."""
    codes = set()
    for stored in (
        Partnership.objects.filter(parties__organisation=organisation)
        .order_by()
        .values_list("countries", flat=True)
        .distinct()
    ):
        codes.update(code for code in str(stored or "").split(",") if code)
    return codes


def portfolio(organisation, filters: PortfolioFilters, language) -> Portfolio:
    """The organisation's partnerships, each with its latest released round in the period:
    its own side's view, its partners' view and the gap, per element. A fixed number of
    queries whatever the number of partnerships; one page of rows at a time."""
    threshold = organisation.gap_threshold
    today = timezone.localdate()
    mine = Party.objects.filter(partnership=OuterRef("pk"), organisation=organisation)
    partnerships = Partnership.objects.filter(parties__organisation=organisation)
    if filters.country:
        partnerships = partnerships.filter(countries__contains=filters.country)
    if filters.stage:
        partnerships = partnerships.filter(stage=filters.stage)
    if filters.partner:
        refugee_led = Party.objects.filter(
            Q(organisation__refugee_led=True) | Q(organisation__kind=OrganisationKind.REFUGEE_LED),
            partnership=OuterRef("pk"),
        ).exclude(organisation=organisation)
        partnerships = partnerships.alias(has_rlo=refugee_led.values("pk")[:1])
        if filters.partner == "rlo":
            partnerships = partnerships.filter(has_rlo__isnull=False)
        else:
            partnerships = partnerships.filter(has_rlo__isnull=True)
    start, end = _period_start(filters.period, today)
    latest = RoundSummary.objects.filter(partnership=OuterRef("pk"), kind=RoundKind.PARTNERSHIP)
    if start is not None:
        latest = latest.filter(released_at__gte=start)
    if end is not None:
        latest = latest.filter(released_at__lt=end)
    last_round = (
        Round.objects.filter(partnership=OuterRef("pk"))
        .exclude(state=RoundState.DRAFT)
        .order_by("-opens_on")
    )
    found = list(
        partnerships.annotate(
            side=Subquery(mine.values("side")[:1]),
            summary_id=Subquery(latest.order_by("-released_at", "-pk").values("pk")[:1]),
            last_round_on=Subquery(last_round.values("opens_on")[:1]),
        ).values_list("pk", "title", "stage", "side", "summary_id", "last_round_on")
    )
    summaries = {
        s["pk"]: s
        for s in RoundSummary.objects.filter(pk__in=[row[4] for row in found if row[4]]).values(
            "pk",
            "round_id",
            "released_at",
            "conversation_mode",
            "elements",
            "asked_total",
            "answered_total",
            "organisation_id",
        )
    }
    # The thresholds of the organisations that prepared the rounds: a handful, read apart
    # rather than joined to every summary.
    thresholds = dict(
        Organisation.objects.filter(
            pk__in={s["organisation_id"] for s in summaries.values()}
        ).values_list("pk", "gap_threshold")
    )
    known, _foundations = element_names(language)
    codes = _ordered_codes(
        list(known),
        {code for s in summaries.values() for code in s["elements"]},
    )
    rows = []
    # Per element: [points, answers] of our side and of our partners, and gaps marked.
    own_totals = {code: [0.0, 0] for code in codes}
    partner_totals = {code: [0.0, 0] for code in codes}
    flagged = Counter()
    asked = answered = 0
    stale = []
    cutoff = today - datetime.timedelta(days=STALE_AFTER_DAYS)
    for pk, title, stage, side, summary_id, last_round_on in found:
        row = PortfolioRow(pk, title, stage, side or "")
        if last_round_on is None or last_round_on < cutoff:
            stale.append((pk, title, last_round_on))
        stored = summaries.get(summary_id)
        rows.append(row)
        if stored is None:
            continue
        row.round_id = stored["round_id"]
        row.released_on = stored["released_at"].date()
        row.asked = stored["asked_total"]
        row.answered = stored["answered_total"]
        asked += row.asked
        answered += row.answered
        row.hidden = stored["conversation_mode"]
        # Flags follow the organisation that prepared the round, as on the round's own page.
        row.threshold = thresholds.get(stored["organisation_id"], threshold)
        if row.hidden:
            continue
        row.elements = stored["elements"]
        other = other_side(side)
        largest = None
        for code, element in row.elements.items():
            if code not in own_totals:
                continue
            for mine, totals in ((side, own_totals[code]), (other, partner_totals[code])):
                kept = element.get(mine)
                if kept:
                    totals[0] += kept[0]
                    totals[1] += kept[1]
            gap = _gap_points(element)
            if gap is not None:
                largest = abs(gap) if largest is None else max(largest, abs(gap))
                if scoring.gap_between(gap, 0, row.threshold).flagged:
                    flagged[code] += 1
        row.largest_gap = largest
    if filters.sort == "title":
        rows.sort(key=lambda r: (r.title.casefold(), r.partnership_id))
    else:
        rows.sort(key=lambda r: (r.largest_gap is None, -(r.largest_gap or 0), r.title.casefold()))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    shown_rows = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    filters.page = page
    for row in shown_rows:
        row.cells = [_cell(row, code, filters.view) for code in codes]
    _add_partners(shown_rows, organisation)
    counts = portfolio_counts([row.partnership_id for row in rows])
    commitments = {"open": 0, "overdue": 0, "kept": 0}
    for row in rows:
        row.commitments = counts.get(row.partnership_id, {})
        for name, number in row.commitments.items():
            commitments[name] += number
    averages = [
        (
            code,
            own_totals[code][0] / own_totals[code][1] if own_totals[code][1] else None,
            partner_totals[code][0] / partner_totals[code][1] if partner_totals[code][1] else None,
            flagged[code],
        )
        for code in codes
    ]
    stale.sort(key=lambda s: (s[2] is not None, s[2] or today, s[1].casefold()))
    return Portfolio(
        filters=filters,
        codes=codes,
        titles=known,
        rows=shown_rows,
        total=len(rows),
        with_round=len([r for r in rows if r.round_id]),
        pages=pages,
        averages=averages,
        asked=asked,
        answered=answered,
        stale=stale[:20],
        stale_count=len(stale),
        threshold=threshold,
        commitments=commitments,
    )


def _gap_points(element):
    """International minus local points of a kept element, or None."""
    international, local = element.get(Side.INTERNATIONAL), element.get(Side.LOCAL)
    if not international or not local or not international[1] or not local[1]:
        return None
    return international[0] / international[1] - local[0] / local[1]


def _cell(row, code, view) -> PortfolioCell:
    """One heatmap cell, with its text and colour class worked out here rather than in the
    template: a page holds hundreds of cells."""
    if row.hidden:
        return PortfolioCell("…", "")
    element = row.elements.get(code) or {}
    if view == "gap":
        gap = _gap_points(element)
        band = scoring.gap_band(gap, row.threshold)
        return PortfolioCell(scoring.signed_text(gap), f"gap-{band}")
    other = other_side(row.side)
    score = _score(element, row.side if view == "own" else other)
    band = scoring.band(score)
    css = f"band-{band}" if band is not None else ""
    return PortfolioCell(scoring.points_text(score), css)


def _add_partners(rows, organisation):
    by_id = {row.partnership_id: row for row in rows}
    for partnership_id, name in (
        Party.objects.filter(partnership_id__in=list(by_id))
        .exclude(organisation=organisation)
        .values_list("partnership_id", "organisation__name")
        .order_by("organisation__name")
    ):
        by_id[partnership_id].partners.append(name)


# --- The benchmark ----------------------------------------------------------------------------

BENCHMARK_MINIMUM = 5


@dataclass
class BenchmarkRow:
    code: str
    title: str
    own: float | None
    lower: float
    median: float
    upper: float
    standing: str


@dataclass
class Benchmark:
    opted_in: bool
    contributors: int
    has_own: bool
    rows: list

    @property
    def shown(self):
        return self.opted_in and self.has_own and self.contributors >= BENCHMARK_MINIMUM


def _benchmark_rounds(organisation) -> dict:
    """{organisation id: kept elements} of the latest partner feedback round that counts in
    the benchmark, for the organisation and every peer it may be compared with (`peers`
    decides which count). Five queries, whatever the number of organisations and rounds."""
    admins = Membership.objects.filter(
        organisation=OuterRef("organisation"), role=Role.ADMIN, user__is_active=True
    )
    summaries = RoundSummary.objects.filter(
        Exists(admins),
        kind=RoundKind.POOLED,
        organisation__share_in_benchmark=True,
        round__state=RoundState.RELEASED,
        # The rounds an organisation runs itself: sharing them is what it agreed to.
        round__convened_by__isnull=True,
        conversation_mode=False,
    )
    rounds = list(
        summaries.order_by("organisation_id", "-released_at", "-pk").values_list(
            "round_id", "organisation_id", "round__threshold"
        )
    )
    # Who answered is known from the people asked for each partner organisation who used their
    # link, never from the responses, which keep no link to anyone.
    answered = Respondent.objects.filter(
        round_id__in=summaries.values("round_id"), used=True, organisation__isnull=False
    )
    answered_by = {}
    for round_id, answering in (
        answered.values_list("round_id", "organisation_id").order_by().distinct()
    ):
        answered_by.setdefault(round_id, set()).add(answering)
    assessed = summaries.values("organisation_id")
    relations = peers.Relations()
    # Accepted partnerships only: a proposal is not a party until its admins accept.
    for own, partner in (
        Party.objects.filter(
            side=Side.LOCAL,
            organisation_id__in=answered.values("organisation_id"),
            partnership__parties__side=Side.INTERNATIONAL,
            partnership__parties__organisation_id__in=assessed,
        )
        .values_list("partnership__parties__organisation_id", "organisation_id")
        .order_by()
        .distinct()
    ):
        relations.partners.setdefault(own, set()).add(partner)
    for member_of, user_id in Membership.objects.filter(
        Q(organisation_id__in=assessed)
        | Q(organisation_id__in=answered.values("organisation_id"))
        | Q(organisation=organisation)
    ).values_list("organisation_id", "user_id"):
        relations.members.setdefault(member_of, set()).add(user_id)
    chosen = peers.latest_counted(
        [
            peers.FeedbackRound(
                round_id, organisation_id, threshold, frozenset(answered_by.get(round_id, ()))
            )
            for round_id, organisation_id, threshold in rounds
        ],
        relations,
        organisation.pk,
        MIN_POOLED_THRESHOLD,
    )
    return dict(
        RoundSummary.objects.filter(round_id__in=list(chosen.values())).values_list(
            "organisation_id", "elements"
        )
    )


def benchmark(organisation, language) -> Benchmark:
    """Where the organisation's partner feedback stands among the other organisations that
    share theirs: per element, the peers' median and quartiles of their latest counted partner
    feedback round (released, not in conversation mode, answered by enough partner
    organisations: see `peers`), rounded to 5 points so that no peer's exact score shows. Only
    for organisations that share and have such a round themselves, and only from five peers;
    an organisation's own score is never among those it is compared with."""
    if not organisation.share_in_benchmark:
        return Benchmark(False, 0, False, [])
    latest = _benchmark_rounds(organisation)
    own = latest.pop(organisation.pk, None)
    result = Benchmark(True, len(latest), own is not None, [])
    if not result.shown:
        return result
    known, _foundations = element_names(language)
    codes = _ordered_codes(list(known), {c for e in latest.values() for c in e})
    for code in codes:
        values = [
            score
            for score in (_score(e.get(code, {}), Side.LOCAL) for e in latest.values())
            if score is not None
        ]
        if len(values) < BENCHMARK_MINIMUM:
            continue
        lower, median, upper = (scoring.to_five(v) for v in scoring.quartiles(values))
        mine = _score(own.get(code, {}), Side.LOCAL)
        result.rows.append(
            BenchmarkRow(
                code,
                known.get(code, code),
                mine,
                lower,
                median,
                upper,
                scoring.standing(mine, (lower, median, upper)),
            )
        )
    return result
