"""A round's results as the API gives them: the same numbers the results page shows, built
from the same `RoundResults`, and nothing the page leaves out (no scores in conversation mode,
no names unless the round's answers are named)."""


def _scores(tallies, sides, hide):
    if hide:
        return None
    return [
        {
            "side": side,
            "score": round(tallies[side].score, 1)
            if side in tallies and tallies[side].count
            else None,
            "answers": tallies[side].count if side in tallies else 0,
        }
        for side in sides
    ]


def _gap(gap, hide):
    if hide:
        return None
    return {
        "points": round(gap.points, 1) if gap.points is not None else None,
        "flagged": gap.flagged,
    }


def _comments(by_side):
    return [
        {"side": side, "who": who, "text": text}
        for side, entries in by_side.items()
        for who, text in entries
    ]


def _counts(by_side, hide):
    if hide:
        return None
    return [
        {
            "side": side,
            "counts": [{"value": v, "label": str(label), "count": n} for v, label, n in rows],
        }
        for side, rows in by_side.items()
    ]


def results_data(results) -> dict:
    hide = results.hide_numbers
    sides = results.sides

    def scored(rows):
        return [
            {
                "code": row.code,
                "title": str(row.title),
                "scores": _scores(row.tallies, sides, hide),
                "gap": _gap(row.gap, hide) if len(sides) > 1 else None,
            }
            for row in rows
        ]

    pairs = [
        {
            "code": pair.code,
            "element": pair.element,
            "prompt": str(pair.prompt or ""),
            "statements": [{"side": s, "text": str(t)} for s, t in pair.texts.items()],
            "scores": _scores(pair.tallies, sides, hide),
            "gap": _gap(pair.gap, hide) if len(sides) > 1 else None,
            "distribution": _counts(pair.distribution, hide),
            "comments": _comments(pair.comments),
        }
        for element in results.elements
        for pair in results.pairs.get(element.code, [])
    ]
    practices = [
        {
            "name": practice.name,
            "label": str(practice.label),
            "element": practice.element,
            "score": None if hide or practice.score is None else round(practice.score, 1),
            "counts": _counts(practice.counts, hide),
            "comments": _comments(practice.comments),
        }
        for practice in results.practices
    ]
    return {
        "round": results.round.pk,
        "language": results.language,
        "conversation_mode": hide,
        "gap_threshold": results.threshold,
        # The sides that answer this kind of round: a partner feedback round has one.
        "responses": [{"side": s, "responses": n} for s, n in results.counts.items() if s in sides],
        "elements": scored(results.elements),
        "foundations": scored(results.foundations),
        "pairs": pairs,
        "practices": practices,
    }
