"""The order of the joint reflection meeting, as a pure function of the results.

First the questions where the two sides' views differ by at least the threshold, largest gap
first; then the stage's practices that are not fully done, lowest rated first; then the other
questions, lowest rated first. Ties keep the framework's order, so the same results always give
the same agenda."""

from dataclasses import dataclass

GAP = "gap"
PRACTICE = "practice"
OTHER = "other"


@dataclass
class Topic:
    kind: str  # "pair" or "practice"
    key: str
    position: int
    # pair: the Gap and the lower of the two sides' scores; practice: its 0–100 score
    gap: object = None
    score: float | None = None
    payload: object = None


def _later(value):
    """Sort None after every number."""
    return (value is None, value if value is not None else 0)


def agenda(topics):
    """[(reason, topic)] in meeting order; reason is GAP, PRACTICE or OTHER."""
    pairs = [t for t in topics if t.kind == "pair"]
    practices = [t for t in topics if t.kind == "practice"]
    flagged = sorted(
        (t for t in pairs if t.gap is not None and t.gap.flagged),
        key=lambda t: (-t.gap.size, t.position),
    )
    weak = sorted(
        (t for t in practices if t.score is not None and t.score < 100),
        key=lambda t: (t.score, t.position),
    )
    seen = {id(t) for t in flagged} | {id(t) for t in weak}
    rest = sorted(
        (t for t in pairs if id(t) not in seen),
        key=lambda t: (_later(t.score), t.position),
    )
    return [(GAP, t) for t in flagged] + [(PRACTICE, t) for t in weak] + [(OTHER, t) for t in rest]
