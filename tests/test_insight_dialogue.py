"""The order of the reflection meeting's agenda (pure function)."""

from counterpart.insights.dialogue import GAP, OTHER, PRACTICE, Topic, agenda
from counterpart.insights.scoring import gap_between


def pair(key, position, international, local, threshold=15):
    gap = gap_between(international, local, threshold)
    scores = [s for s in (international, local) if s is not None]
    return Topic("pair", key, position, gap, min(scores) if scores else None)


def practice(key, position, score):
    return Topic("practice", key, position, None, score)


def order(topics):
    return [(reason, topic.key) for reason, topic in agenda(topics)]


def test_largest_gaps_then_weakest_practices_then_the_rest_lowest_first():
    topics = [
        pair("close_low", 1, 20, 25),
        pair("small_gap", 2, 80, 70),
        pair("big_gap", 3, 100, 20),
        pair("medium_gap", 4, 40, 70),
        practice("done", 5, 100),
        practice("not_yet", 6, 0),
        practice("partly", 7, 50),
        practice("unanswered", 8, None),
    ]
    assert order(topics) == [
        (GAP, "big_gap"),
        (GAP, "medium_gap"),
        (PRACTICE, "not_yet"),
        (PRACTICE, "partly"),
        (OTHER, "close_low"),
        (OTHER, "small_gap"),
    ]


def test_equal_gaps_and_equal_scores_keep_the_framework_order():
    topics = [
        pair("second", 20, 90, 60),
        pair("first", 10, 60, 90),
        practice("b", 40, 50),
        practice("a", 30, 50),
    ]
    assert order(topics) == [(GAP, "first"), (GAP, "second"), (PRACTICE, "a"), (PRACTICE, "b")]


def test_pairs_without_any_score_come_last():
    topics = [pair("nothing", 1, None, None), pair("low", 2, 10, None)]
    assert order(topics) == [(OTHER, "low"), (OTHER, "nothing")]
