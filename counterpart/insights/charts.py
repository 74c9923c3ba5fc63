"""Chart geometry as plain numbers, for inline SVG that prints and goes into PDFs.

No chart library: a radar of six axes and a few short lines are a handful of coordinates, and
inline SVG needs no script, loads with the page and stays sharp on paper."""

import math
import textwrap
from dataclasses import dataclass, field

RINGS = (25, 50, 75, 100)
# Colours by series class, written into the SVG itself so that it keeps them when printed or
# copied into a document without the site's stylesheet. Both pass 4.5:1 on white.
COLOURS = {"international": "#1d5b8c", "local": "#a8480f"}
DEFAULT_COLOUR = "#444444"
# Axis names are set on up to two lines of this many characters, in the room left beside the
# chart (LABEL_ROOM on either side of the square), so that none is cut at a phone's width.
LABEL_LINE = 16
LABEL_ROOM = 40
LINE_HEIGHT = 13


@dataclass
class RadarAxis:
    label: str
    x: float  # the end of the axis line
    y: float
    label_x: float
    label_y: float
    anchor: str  # start, middle or end
    lines: list = field(default_factory=list)  # (y, text) of each line of the label


def label_lines(label, width=LABEL_LINE, most=2):
    """The label on at most `most` lines of about `width` characters; a longer one ends in
    an ellipsis."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


@dataclass
class RadarSeries:
    name: str
    css: str
    points: str  # "x,y x,y …" for <polygon>
    dots: list = field(default_factory=list)  # (x, y) of each value that exists

    @property
    def colour(self):
        return COLOURS.get(self.css, DEFAULT_COLOUR)


@dataclass
class Radar:
    size: int
    centre: float
    axes: list
    rings: list  # points strings, one per ring
    series: list

    @property
    def view_box(self):
        return f"{-LABEL_ROOM} 0 {self.size + 2 * LABEL_ROOM} {self.size}"


def _round(value):
    return round(value, 1)


def radar(labels, series, size=320, margin=70):
    """A radar chart: one axis per label, clockwise from the top; each series is
    (name, css class, [score or None per axis]) on a 0–100 scale. A missing score sits at the
    centre and has no dot."""
    count = len(labels)
    centre = size / 2
    radius = centre - margin
    if count < 3:
        return None

    def at(index, value):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * (value or 0) / 100
        return centre + distance * math.cos(angle), centre + distance * math.sin(angle)

    axes = []
    for index, label in enumerate(labels):
        x, y = at(index, 100)
        lx, ly = at(index, 100 + 100 * 14 / radius)
        anchor = "middle" if abs(lx - centre) < 1 else "start" if lx > centre else "end"
        lines = label_lines(label)
        # Above the centre the lines grow upwards, away from the chart; below it, downwards.
        first = ly + 4 - (LINE_HEIGHT * (len(lines) - 1) if ly < centre - 1 else 0)
        placed = [(_round(first + LINE_HEIGHT * n), text) for n, text in enumerate(lines)]
        axes.append(
            RadarAxis(label, _round(x), _round(y), _round(lx), _round(ly + 4), anchor, placed)
        )
    rings = [
        " ".join(f"{_round(x)},{_round(y)}" for x, y in (at(i, ring) for i in range(count)))
        for ring in RINGS
    ]
    drawn = []
    for name, css, values in series:
        corners = [at(i, value) for i, value in enumerate(values)]
        drawn.append(
            RadarSeries(
                name,
                css,
                " ".join(f"{_round(x)},{_round(y)}" for x, y in corners),
                [
                    (_round(x), _round(y))
                    for (x, y), value in zip(corners, values, strict=True)
                    if value is not None
                ],
            )
        )
    return Radar(size, centre, axes, rings, drawn)


@dataclass
class Line:
    name: str
    css: str
    points: str
    dots: list

    @property
    def colour(self):
        return COLOURS.get(self.css, DEFAULT_COLOUR)


@dataclass
class TrendChart:
    width: int
    height: int
    labels: list  # (x, text) under the chart
    lines: list
    gridlines: list  # (y, value)


def trend(labels, series, width=320, height=160, pad=28):
    """A small line chart of 0–100 scores over rounds: `labels` name the rounds in order, each
    series is (name, css class, [score or None per round]). A missing score breaks no line: the
    line joins the scores that exist."""
    count = len(labels)
    if count < 2:
        return None
    step = (width - 2 * pad) / (count - 1)

    def x_of(index):
        return _round(pad + step * index)

    def y_of(value):
        return _round(height - pad - (height - 2 * pad) * value / 100)

    lines = []
    for name, css, values in series:
        dots = [(x_of(i), y_of(v)) for i, v in enumerate(values) if v is not None]
        lines.append(Line(name, css, " ".join(f"{x},{y}" for x, y in dots), dots))
    return TrendChart(
        width,
        height,
        [(x_of(i), text) for i, text in enumerate(labels)],
        lines,
        [(y_of(value), value) for value in (0, 50, 100)],
    )
