"""Scores and perception gaps, as pure functions of the answers.

A 1–5 agreement answer counts as 0, 25, 50, 75 or 100 points; "I don't know", "Does not
apply" and a skipped question count for nothing. A score is the mean of the points given, kept
with the number of answers behind it, so that scores of several respondents, pairs or rounds
combine exactly. The perception gap of a question or element is the international side's view
of itself minus the local side's view of it: positive when the international side rates itself
higher than its partner rates it."""

import math
from collections import Counter
from dataclasses import dataclass, field

INTERNATIONAL = "international"
LOCAL = "local"
SIDES = (INTERNATIONAL, LOCAL)

AGREEMENT_POINTS = {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0}
PRACTICE_POINTS = {"done": 100.0, "partly": 50.0, "not_yet": 0.0}
DEFAULT_GAP_THRESHOLD = 15


@dataclass(frozen=True)
class Item:
    """A question as scoring sees it."""

    name: str
    part: str  # relationship, checklist, fact, or "" for anything else
    element: str = ""
    side: str = ""
    pair: str = ""
    foundations: tuple = ()


@dataclass(frozen=True)
class Given:
    """One answer: the question's name, the respondent's side, the stored value."""

    question: str
    side: str
    value: str


@dataclass
class Tally:
    """Points added up and how many answers gave them."""

    total: float = 0.0
    count: int = 0

    def add(self, points):
        self.total += points
        self.count += 1

    def merge(self, other):
        self.total += other.total
        self.count += other.count

    @property
    def score(self):
        """0–100, or None when no answer counted."""
        return self.total / self.count if self.count else None

    def as_list(self):
        return [self.total, self.count]

    @classmethod
    def from_list(cls, stored):
        return cls(float(stored[0]), int(stored[1]))


def points(value):
    """The points of an agreement answer, or None for anything that does not count."""
    return AGREEMENT_POINTS.get(value)


def practice_points(value):
    return PRACTICE_POINTS.get(value)


@dataclass(frozen=True)
class Gap:
    points: float | None
    flagged: bool
    blind_spot: bool

    @property
    def size(self):
        return abs(self.points) if self.points is not None else None


def gap_between(international, local, threshold=DEFAULT_GAP_THRESHOLD) -> Gap:
    """The international side's score minus the local side's. Flagged at or beyond the
    threshold; a flagged gap where the international side rates itself higher is a blind spot."""
    if international is None or local is None:
        return Gap(None, False, False)
    difference = international - local
    # Judged on the whole points the page shows, so that a gap read as 15 is flagged at 15.
    flagged = abs(whole(difference)) >= threshold
    return Gap(difference, flagged, flagged and difference > 0)


def _sides():
    return {side: Tally() for side in SIDES}


@dataclass
class Summary:
    """Everything the results, the dialogue guide, trends and the portfolio read from a round's
    answers. Dictionaries keep the framework's order."""

    elements: dict = field(default_factory=dict)  # element -> side -> Tally
    foundations: dict = field(default_factory=dict)  # foundation -> side -> Tally
    pairs: dict = field(default_factory=dict)  # pair -> side -> Tally
    distributions: dict = field(default_factory=dict)  # question -> Counter of values
    practices: dict = field(default_factory=dict)  # question -> side -> Counter of values
    facts: dict = field(default_factory=dict)  # question -> side -> [values]

    def element_gap(self, element, threshold=DEFAULT_GAP_THRESHOLD) -> Gap:
        sides = self.elements.get(element, {})
        return _gap_of(sides, threshold)

    def pair_gap(self, pair, threshold=DEFAULT_GAP_THRESHOLD) -> Gap:
        return _gap_of(self.pairs.get(pair, {}), threshold)

    def foundation_gap(self, foundation, threshold=DEFAULT_GAP_THRESHOLD) -> Gap:
        return _gap_of(self.foundations.get(foundation, {}), threshold)

    def largest_gap(self):
        """The largest element gap in points (either direction), or None."""
        sizes = [
            gap.size
            for gap in (self.element_gap(code) for code in self.elements)
            if gap.size is not None
        ]
        return max(sizes) if sizes else None


def _gap_of(sides, threshold):
    international = sides.get(INTERNATIONAL)
    local = sides.get(LOCAL)
    return gap_between(
        international.score if international else None,
        local.score if local else None,
        threshold,
    )


def summarise(items, answers) -> Summary:
    """Score a round. `items` are the version's questions in order; `answers` every answer
    given. An answer to a question the version does not have, or from a side the question is
    not asked of, is left out."""
    summary = Summary()
    by_name = {}
    for item in items:
        by_name[item.name] = item
        if item.part == "relationship":
            summary.elements.setdefault(item.element, _sides())
            summary.pairs.setdefault(item.pair or item.name, _sides())
            for foundation in item.foundations:
                summary.foundations.setdefault(foundation, _sides())
            summary.distributions[item.name] = Counter()
        elif item.part == "checklist":
            summary.practices[item.name] = {side: Counter() for side in SIDES}
        elif item.part == "fact":
            summary.facts[item.name] = {side: [] for side in SIDES}
    for answer in answers:
        item = by_name.get(answer.question)
        if item is None or answer.side not in SIDES or (item.side and item.side != answer.side):
            continue
        if item.part == "relationship":
            if answer.value:
                summary.distributions[item.name][answer.value] += 1
            given = points(answer.value)
            if given is None:
                continue
            summary.elements[item.element][answer.side].add(given)
            summary.pairs[item.pair or item.name][answer.side].add(given)
            for foundation in item.foundations:
                summary.foundations[foundation][answer.side].add(given)
        elif item.part == "checklist" and answer.value:
            summary.practices[item.name][answer.side][answer.value] += 1
        elif item.part == "fact" and answer.value:
            summary.facts[item.name][answer.side].append(answer.value)
    return summary


def practice_score(counts):
    """0–100 for a practice's answers (done 100, partly 50, not yet 0), or None."""
    tally = Tally()
    for value, count in counts.items():
        given = practice_points(value)
        if given is not None:
            tally.total += given * count
            tally.count += count
    return tally.score


def combine(tallies):
    """One Tally of several (for example the same element over several partnerships)."""
    total = Tally()
    for tally in tallies:
        if tally is not None:
            total.merge(tally)
    return total


def band(score):
    """A colour band 0–4 for a 0–100 score (None for no score), for heatmaps."""
    if score is None:
        return None
    return min(4, int(score // 20))


def gap_band(gap_points, threshold=DEFAULT_GAP_THRESHOLD):
    """'none', 'small' (under the threshold), 'flagged', or 'blind' (flagged, international
    side higher), for colouring a gap."""
    if gap_points is None:
        return "none"
    if abs(whole(gap_points)) < threshold:
        return "small"
    return "blind" if gap_points > 0 else "flagged"


def whole(value):
    """Rounded half away from zero, as people round by hand (62.5 is 63, −62.5 is −63)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def to_five(value):
    """The nearest multiple of 5 points."""
    return 5 * whole(value / 5)


def points_text(value):
    """A score as a page shows it: whole points, or a dash for none."""
    return "–" if value is None else str(whole(value))


def signed_text(value):
    """A gap as a page shows it: +12 when the international side rates itself higher."""
    if value is None:
        return "–"
    rounded = whole(value)
    # A left-to-right mark keeps the sign before the number in right-to-left pages.
    if rounded > 0:
        return f"\u200e+{rounded}"
    if rounded < 0:
        return f"\u200e−{-rounded}"
    return "0"


def quartiles(values):
    """(lower quartile, median, upper quartile) of at least one score, interpolated between
    the scores as a spreadsheet's QUARTILE.INC does."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")

    def at(fraction):
        position = (len(ordered) - 1) * fraction
        below = int(position)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (ordered[above] - ordered[below]) * (position - below)

    return at(0.25), at(0.5), at(0.75)


def standing(value, bounds):
    """Where a score stands among peers: 'top', 'upper', 'lower', 'bottom' quarter-wise, or
    'none' without a score."""
    if value is None:
        return "none"
    lower, median, upper = bounds
    if value >= upper:
        return "top"
    if value >= median:
        return "upper"
    if value > lower:
        return "lower"
    return "bottom"
