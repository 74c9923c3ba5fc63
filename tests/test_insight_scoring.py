"""Scores and perception gaps, from the answers alone (pure functions, no database)."""

import pytest

from counterpart.insights.scoring import (
    Given,
    Item,
    Tally,
    band,
    combine,
    gap_band,
    gap_between,
    points,
    practice_score,
    quartiles,
    standing,
    summarise,
)

ITEMS = [
    Item("respect_a_intl", "relationship", "respect", "international", "respect_a", ("trust",)),
    Item("respect_a_local", "relationship", "respect", "local", "respect_a", ("trust",)),
    Item(
        "respect_b_intl", "relationship", "respect", "international", "respect_b", ("dei", "trust")
    ),
    Item("respect_b_local", "relationship", "respect", "local", "respect_b", ("dei", "trust")),
    Item("voice_a_intl", "relationship", "voice", "international", "voice_a", ("co_design",)),
    Item("voice_a_local", "relationship", "voice", "local", "voice_a", ("co_design",)),
    Item("check_review", "checklist", "learning"),
    Item("fact_overhead", "fact", "transparency"),
    Item("comments", ""),
]


def given(*rows):
    return [Given(*row) for row in rows]


def test_each_answer_on_the_scale_is_worth_a_quarter_of_the_range():
    assert [points(v) for v in "12345"] == [0, 25, 50, 75, 100]
    assert points("dont_know") is None
    assert points("not_applicable") is None
    assert points("") is None
    assert points("6") is None


def test_a_score_is_the_mean_of_the_counted_answers_with_their_number():
    summary = summarise(
        ITEMS,
        given(
            ("respect_a_intl", "international", "5"),
            ("respect_b_intl", "international", "4"),
            ("respect_a_local", "local", "2"),
            ("respect_b_local", "local", "dont_know"),
        ),
    )
    international = summary.elements["respect"]["international"]
    local = summary.elements["respect"]["local"]
    assert (international.score, international.count) == (87.5, 2)
    assert (local.score, local.count) == (25.0, 1)
    gap = summary.element_gap("respect")
    assert gap.points == 62.5 and gap.flagged and gap.blind_spot


def test_no_answer_at_all_gives_no_score_and_no_gap():
    summary = summarise(ITEMS, [])
    assert summary.elements["respect"]["international"].score is None
    assert summary.elements["respect"]["local"].count == 0
    gap = summary.element_gap("respect")
    assert gap.points is None and not gap.flagged and not gap.blind_spot
    assert summary.largest_gap() is None


def test_all_not_applicable_counts_in_the_distribution_but_not_in_the_score():
    summary = summarise(
        ITEMS,
        given(
            ("respect_a_intl", "international", "not_applicable"),
            ("respect_b_intl", "international", "not_applicable"),
            ("respect_a_local", "local", "not_applicable"),
        ),
    )
    assert summary.elements["respect"]["international"].score is None
    assert summary.distributions["respect_a_intl"]["not_applicable"] == 1
    assert summary.element_gap("respect").points is None


def test_a_single_respondent_per_side_is_scored_as_given():
    summary = summarise(
        ITEMS, given(("voice_a_intl", "international", "3"), ("voice_a_local", "local", "3"))
    )
    gap = summary.element_gap("voice")
    assert gap.points == 0 and not gap.flagged


def test_several_respondents_per_side_are_pooled_answer_by_answer():
    summary = summarise(
        ITEMS,
        given(
            ("voice_a_local", "local", "1"),
            ("voice_a_local", "local", "2"),
            ("voice_a_local", "local", "5"),
            ("voice_a_intl", "international", "4"),
            ("voice_a_intl", "international", "4"),
        ),
    )
    local = summary.elements["voice"]["local"]
    assert local.count == 3
    assert local.score == pytest.approx((0 + 25 + 100) / 3)
    assert summary.distributions["voice_a_local"] == {"1": 1, "2": 1, "5": 1}
    assert summary.pair_gap("voice_a").points == pytest.approx(75 - 125 / 3)


def test_a_pair_one_side_skipped_has_no_gap_but_still_scores_its_element():
    summary = summarise(
        ITEMS,
        given(
            ("respect_a_intl", "international", "5"),
            ("respect_b_intl", "international", "1"),
            ("respect_b_local", "local", "1"),
        ),
    )
    assert summary.pair_gap("respect_a").points is None
    assert summary.pair_gap("respect_b").points == 0
    assert summary.elements["respect"]["international"].score == 50
    assert summary.element_gap("respect").points == 50


def test_the_threshold_is_inclusive_and_the_direction_names_the_blind_spot():
    assert gap_between(65, 50, 15).flagged
    assert gap_between(65, 50, 15).blind_spot
    # Judged on whole points, as shown: 14.5 reads as 15 and is flagged, 14.4 is not.
    assert gap_between(64.5, 50, 15).flagged
    assert not gap_between(64.4, 50, 15).flagged
    low = gap_between(50, 65, 15)
    assert low.flagged and not low.blind_spot and low.points == -15
    assert not gap_between(80, 60, 25).flagged
    assert gap_between(None, 60).points is None


def test_ties_keep_the_same_gap_on_every_element():
    summary = summarise(
        ITEMS,
        given(
            ("respect_a_intl", "international", "4"),
            ("respect_a_local", "local", "3"),
            ("voice_a_intl", "international", "4"),
            ("voice_a_local", "local", "3"),
        ),
    )
    assert summary.element_gap("respect").points == summary.element_gap("voice").points == 25
    assert summary.largest_gap() == 25


def test_a_question_informs_every_foundation_it_names():
    summary = summarise(
        ITEMS,
        given(("respect_a_intl", "international", "5"), ("respect_b_intl", "international", "1")),
    )
    assert summary.foundations["trust"]["international"].count == 2
    assert summary.foundations["trust"]["international"].score == 50
    assert summary.foundations["dei"]["international"].score == 0
    assert summary.foundations["co_design"]["international"].count == 0


def test_answers_from_the_wrong_side_or_to_unknown_questions_are_left_out():
    summary = summarise(
        ITEMS,
        given(
            ("respect_a_intl", "local", "1"),
            ("no_such_question", "international", "5"),
            ("respect_a_local", "nobody", "5"),
        ),
    )
    assert summary.elements["respect"]["international"].count == 0
    assert summary.elements["respect"]["local"].count == 0


def test_practices_and_facts_are_kept_per_side():
    summary = summarise(
        ITEMS,
        given(
            ("check_review", "international", "done"),
            ("check_review", "local", "not_yet"),
            ("check_review", "local", "partly"),
            ("fact_overhead", "local", "7"),
            ("comments", "local", "anything"),
        ),
    )
    assert summary.practices["check_review"]["local"] == {"not_yet": 1, "partly": 1}
    assert summary.facts["fact_overhead"]["local"] == ["7"]
    merged = (
        summary.practices["check_review"]["international"]
        + summary.practices["check_review"]["local"]
    )
    assert practice_score(merged) == 50
    assert practice_score({"not_applicable": 3}) is None


def test_tallies_combine_exactly_and_survive_storage():
    first, second = Tally(150.0, 2), Tally(25.0, 1)
    total = combine([first, None, second])
    assert (total.score, total.count) == (175 / 3, 3)
    assert Tally.from_list(first.as_list()) == first


def test_quartiles_interpolate_between_scores():
    assert quartiles([10, 20, 30, 40, 50]) == (20, 30, 40)
    assert quartiles([0, 100]) == (25, 50, 75)
    assert quartiles([42]) == (42, 42, 42)
    with pytest.raises(ValueError):
        quartiles([])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45, "top"),
        (40, "top"),
        (35, "upper"),
        (30, "upper"),
        (25, "lower"),
        (20, "bottom"),
        (None, "none"),
    ],
)
def test_standing_among_peers(value, expected):
    assert standing(value, (20, 30, 40)) == expected


def test_colour_bands():
    assert [band(v) for v in (None, 0, 19.9, 20, 59, 80, 100)] == [None, 0, 0, 1, 2, 4, 4]
    assert gap_band(None) == "none"
    assert gap_band(14, 15) == "small"
    assert gap_band(15, 15) == "blind"
    assert gap_band(-15, 15) == "flagged"
