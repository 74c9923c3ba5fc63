"""Chart geometry: where each point of a radar and a trend line falls (pure functions)."""

import math

from counterpart.insights.charts import label_lines, radar, trend
from counterpart.insights.templatetags.insight import bar_segments, points, signed


def _pairs(points_text):
    return [tuple(float(n) for n in p.split(",")) for p in points_text.split()]


def test_a_radar_puts_the_first_axis_at_the_top_and_100_on_the_outer_ring():
    chart = radar(
        ["A", "B", "C", "D", "E", "F"],
        [("International side", "international", [100, 50, 0, None, 100, 100])],
        size=320,
        margin=70,
    )
    radius = 160 - 70
    assert chart.axes[0].x == 160 and chart.axes[0].y == 160 - radius
    assert chart.axes[0].anchor == "middle"
    assert chart.axes[1].anchor == "start" and chart.axes[5].anchor == "end"
    corners = _pairs(chart.series[0].points)
    assert corners[0] == (160, 70)
    half = corners[1]
    assert math.isclose(math.dist(half, (160, 160)), radius / 2, abs_tol=0.2)
    assert corners[2] == (160, 160)  # 0 points sits at the centre
    assert corners[3] == (160, 160)  # no score: centre, and no dot
    assert len(chart.series[0].dots) == 5
    assert len(chart.rings) == 4
    assert chart.series[0].colour == "#1d5b8c"


def test_long_axis_names_wrap_on_two_lines_in_room_beside_the_chart():
    assert label_lines("Transparency") == ["Transparency"]
    assert label_lines("Shared voice and ownership") == ["Shared voice and", "ownership"]
    long = label_lines("Continuous self-assessment and learning from every partner")
    assert len(long) == 2 and long[1].endswith("…") and all(len(line) <= 16 for line in long)
    chart = radar(["Shared voice and ownership", "B", "C", "D"], [], size=320, margin=70)
    assert chart.view_box == "-40 0 400 320"  # 40 units beside the square on each side
    top, right, bottom = chart.axes[0], chart.axes[1], chart.axes[2]
    # Above the centre the second line sits on the first's old place and the first rises.
    assert [y for y, _text in top.lines] == [top.label_y - 13, top.label_y]
    assert [text for _y, text in top.lines] == ["Shared voice and", "ownership"]
    assert right.lines == [(right.label_y, "B")] and bottom.lines == [(bottom.label_y, "C")]


def test_a_radar_needs_three_axes():
    assert radar(["A", "B"], [("x", "local", [1, 2])]) is None


def test_a_trend_joins_the_scores_that_exist_from_left_to_right():
    chart = trend(
        ["2025-01-01", "2025-07-01", "2026-01-01"],
        [("Local side", "local", [0, None, 100])],
        width=320,
        height=160,
        pad=28,
    )
    assert chart.lines[0].dots == [(28, 132), (292, 28)]
    assert [x for x, _label in chart.labels] == [28, 160, 292]
    assert trend(["only one"], [("x", "local", [5])]) is None


def test_numbers_read_as_whole_points_with_a_sign_on_gaps():
    assert points(62.5) == "63"
    assert points(None) == "–"
    assert signed(62.5) == "\u200e+63"  # the mark keeps the sign first in Arabic
    assert signed(-62.5) == "\u200e−63"
    assert signed(0.4) == "0"
    assert signed(None) == "–"


def test_an_answer_bar_divides_its_width_by_the_answers():
    segments = bar_segments([("1", "Strongly disagree", 1), ("2", "Disagree", 0), ("5", "x", 3)])
    assert segments == [(0, 25, "1"), (25, 75, "5")]
    assert bar_segments([("1", "x", 0)]) == []
