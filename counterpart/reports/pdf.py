"""The PDF reports: a round's report and an organisation's annual accountability report.

Each report is an HTML template rendered in the reader's language and laid out by WeasyPrint
on A4 pages, with a cover, a table of contents with page numbers, page numbers in the footer
and bookmarks from the headings. The text is set in DejaVu Sans, which has Arabic glyphs;
WeasyPrint shapes Arabic and lays it out right to left.

The documents hold text that people typed (round and partnership titles, comments, meeting
notes), so WeasyPrint may fetch nothing: no network, no file. Only `data:` URLs are allowed.

The reads go through the same selectors as the pages that show the same figures, so a report
says what the page says and shows nothing the page would hide."""

import logging
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from counterpart.commitments import selectors as commitment_selectors
from counterpart.funding import selectors as funding_selectors
from counterpart.funding.views import FIGURES
from counterpart.insights import charts
from counterpart.insights import selectors as insight_selectors
from counterpart.partnerships.models import Party, Side

FONT = "DejaVu Sans"

# WeasyPrint tells each step of its layout at INFO level: not worth a line per page in the logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# --- Rendering ------------------------------------------------------------------------------


class DataOnlyFetcher(URLFetcher):
    """Fetches `data:` URLs and refuses every other: no network, no file."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)

    def fetch(self, url, headers=None):
        if not str(url).lower().startswith("data:"):
            raise ValueError(f"Only data: URLs may be read in a report, not {url[:40]!r}")
        return super().fetch(url, headers)


def css_string(text) -> str:
    """A CSS string literal holding `text`, safe inside a <style> element."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\A ").replace("<", "\\3C ").replace(">", "\\3E ")
    return f'"{escaped}"'


def page_footer() -> str:
    """The CSS `content` of the footer: "Page 3 of 12" in the active language, the numbers
    filled in by WeasyPrint's page counters."""
    marker = "\x00"
    text = _("Page %(page)s of %(pages)s") % {
        "page": f"{marker}page{marker}",
        "pages": f"{marker}pages{marker}",
    }
    parts = []
    for index, piece in enumerate(text.split(marker)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def page_css(direction) -> str:
    """The page rules that depend on the language: the footer's words, and the running title
    at the start of the line (left, or right in a right-to-left language)."""
    start, end = ("left", "right") if direction == "ltr" else ("right", "left")
    # Safe: the only words in it went through css_string, which escapes quotes and brackets.
    return mark_safe(  # noqa: S308
        "@page { "
        f"@top-{start} {{ content: string(report-title); }} "
        f"@top-{end} {{ content: string(section-title); }} "
        f"@bottom-center {{ content: {page_footer()}; }} "
        "}"
    )


def render_pdf(template_name, context, language) -> bytes:
    """The PDF of a report template, in `language`."""
    with translation.override(language):
        direction = "rtl" if translation.get_language_bidi() else "ltr"
        html = render_to_string(
            template_name,
            {
                **context,
                "language": language,
                "direction": direction,
                "font": FONT,
                "page_css": page_css(direction),
                "generated_on": timezone.localdate(),
            },
        )
    return HTML(string=html, url_fetcher=DataOnlyFetcher()).write_pdf()


def filename(*parts) -> str:
    """An ASCII file name from its parts, e.g. "counterpart-round-12-check-in-2026.pdf"."""
    words = [slugify(str(part)) for part in parts]
    return "-".join(word for word in words if word)[:120] + ".pdf"


# --- Charts ---------------------------------------------------------------------------------

FIGURE_WIDTH = 620  # CSS px: the A4 text width is about 657 px
CHART_SCALE = 1.4


@dataclass
class ChartLabel:
    text: str
    style: str


@dataclass
class RadarFigure:
    """A radar chart from `insights.charts.radar` laid out for paper. The shapes stay in SVG;
    the axis names are HTML boxes placed around it, because WeasyPrint draws SVG text letter
    by letter, which would leave Arabic unjoined and in the wrong order. The empty bands above
    and below the rings are cut off: the names there grow away from the chart instead."""

    chart: charts.Radar
    width: int  # the figure, in CSS px
    height: float
    drawn_width: float  # the SVG
    offset: float  # from the figure's left edge to the SVG's
    view_box: str
    labels: list = field(default_factory=list)


def radar_figure(chart) -> RadarFigure | None:
    if chart is None:
        return None
    scale = CHART_SCALE
    first = chart.axes[0]  # straight up from the centre, at 100 points
    radius = chart.centre - first.y
    top = max(0.0, chart.centre - radius - 32)  # room for a line or two above the top ring
    shown = chart.size - 2 * top
    drawn_width, drawn_height = chart.size * scale, shown * scale
    offset = (FIGURE_WIDTH - drawn_width) / 2
    labels = []
    for axis in chart.axes:
        x = offset + axis.label_x * scale
        # label_y is the baseline of a text 11 units high; its middle is 4 units above.
        y = (axis.label_y - 4 - top) * scale
        if axis.anchor == "middle":
            width = 220
            where = f"left: {x - width / 2:.1f}px; width: {width}px; text-align: center;"
            if axis.label_y < chart.centre:
                # Above the chart: the box grows upwards, away from it.
                where += f" bottom: {drawn_height - y - 6:.1f}px;"
            else:
                where += f" top: {y - 6:.1f}px;"
        elif axis.anchor == "start":
            where = (
                f"left: {x:.1f}px; width: {FIGURE_WIDTH - x - 2:.1f}px; "
                f"text-align: left; top: {y - 6:.1f}px;"
            )
        else:
            where = (
                f"right: {FIGURE_WIDTH - x:.1f}px; width: {x - 2:.1f}px; "
                f"text-align: right; top: {y - 6:.1f}px;"
            )
        labels.append(ChartLabel(axis.label, where))
    return RadarFigure(
        chart=chart,
        width=FIGURE_WIDTH,
        height=round(drawn_height, 1),
        drawn_width=round(drawn_width, 1),
        offset=round(offset, 1),
        view_box=f"0 {top:.1f} {chart.size} {shown:.1f}",
        labels=labels,
    )


# --- The round report -----------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    level: int = 1


def _parties(round_) -> list:
    """(side, organisation name) of the round's partnership, international side first."""
    if round_.partnership_id is None:
        return [(Side.INTERNATIONAL, round_.organisation.name)]
    rows = (
        Party.objects.filter(partnership_id=round_.partnership_id)
        .order_by("-side", "organisation__name")
        .values_list("side", "organisation__name")
    )
    order = {Side.INTERNATIONAL: 0, Side.LOCAL: 1}
    return sorted(rows, key=lambda row: (order.get(row[0], 2), row[1].casefold()))


def round_report_context(round_, content_language) -> dict:
    """What the round report shows, read as the results page and the dialogue guide read it.
    The caller has checked that the round's results are visible to the reader."""
    results = insight_selectors.round_results(round_, content_language)
    entries = insight_selectors.dialogue_guide(results)
    commitments = (
        commitment_selectors.round_commitments(round_)
        if round_.partnership_id is not None
        else None
    )
    numbers = not results.hide_numbers
    sections = []
    if results.answer_count:
        if numbers and results.elements:
            sections.append(Section("scores", gettext_lazy("Scores by element")))
            if results.foundations:
                sections.append(
                    Section("foundations", gettext_lazy("Through the 2021 foundations"), 2)
                )
        if results.pairs:
            sections.append(Section("questions", gettext_lazy("Question by question")))
        if results.practices:
            sections.append(Section("practices", gettext_lazy("Practices of the stage"), 2))
        if results.facts:
            sections.append(Section("facts", gettext_lazy("Facts recorded"), 2))
        if results.others:
            sections.append(Section("others", gettext_lazy("Other answers"), 2))
        if entries:
            sections.append(Section("dialogue", gettext_lazy("Dialogue guide")))
    if commitments is not None:
        sections.append(Section("commitments", gettext_lazy("Commitments")))
        if commitments.followed:
            sections.append(Section("follow_up", gettext_lazy("What we said we would do"), 2))
        sections.append(
            Section("made", gettext_lazy("Commitments after this round"), 2),
        )
    return {
        "round": round_,
        "results": results,
        "entries": entries,
        "commitments": commitments,
        "labels": commitment_selectors.STATUS_LABELS,
        "sides": Side.choices,
        "parties": _parties(round_),
        "sections": sections,
        "shown": {section.key: section.title for section in sections},
        "radar": radar_figure(results.radar) if numbers else None,
        "foundation_radar": radar_figure(results.foundation_radar) if numbers else None,
        "content_direction": results.direction,
    }


def round_report(round_, content_language, language) -> bytes:
    with translation.override(language):
        context = round_report_context(round_, content_language)
        return render_pdf("reports/pdf/round_report.html", context, language)


def round_report_filename(round_) -> str:
    return filename("counterpart", "round", round_.pk, round_.title)


# --- The annual accountability report -------------------------------------------------------

LISTED_PARTNERSHIPS = insight_selectors.PAGE_SIZE


def report_years(organisation) -> list[int]:
    """The years an annual report can be asked for, newest first: from the first year with a
    released round or a funding flow (or the organisation's first year on Counterpart) to
    this year."""
    this_year = timezone.localdate().year
    found = {this_year, timezone.localtime(organisation.created_at).year}
    found.update(insight_selectors.release_years(organisation))
    flow_years = funding_selectors.flow_years(organisation)
    if flow_years:
        # flow_years reaches one year back for financial years; a calendar year does not.
        found.update(flow_years[:-1] or flow_years)
    first = max(min(found), this_year - 50)
    return list(range(this_year, first - 1, -1))


def year_is_reportable(year) -> bool:
    return 1970 <= year <= timezone.localdate().year + 1


@dataclass
class ElementView:
    code: str
    title: str
    own: float | None
    partner: float | None
    flagged: int


def annual_report_context(organisation, year, language) -> dict:
    """What the annual accountability report shows for a calendar year: the portfolio of the
    year's released rounds, the partner feedback released that year, the commitments agreed
    each year up to it, and the localisation figures of the year's funding."""
    filters = insight_selectors.PortfolioFilters(period=str(year), view="gap", sort="gap")
    portfolio = insight_selectors.portfolio(organisation, filters, language)
    titles, _foundations = insight_selectors.element_names(language)
    elements = [
        ElementView(code, portfolio.titles.get(code, code), own, partner, flagged)
        for code, own, partner, flagged in portfolio.averages
    ]
    with_scores = [e for e in elements if e.own is not None or e.partner is not None]
    portfolio_radar = radar_figure(
        charts.radar(
            [e.title for e in with_scores],
            [
                (_("Our view"), "international", [e.own for e in with_scores]),
                (_("Our partners' view"), "local", [e.partner for e in with_scores]),
            ],
        )
        if len(with_scores) >= 3
        else None
    )
    listed = [row for row in portfolio.rows if row.round_id][:LISTED_PARTNERSHIPS]

    report = commitment_selectors.accountability(organisation, titles)
    feedback = []
    for row in report.feedback:
        if row.year != year:
            continue
        chart = charts.radar(
            [title for title, _score in row.scores],
            [(_("Partners"), "local", [score for _title, score in row.scores])],
        )
        feedback.append((row, radar_figure(chart)))
    commitment_years = [row for row in report.years if row.year <= year]
    this_year = next((row for row in commitment_years if row.year == year), None)

    span = funding_selectors.period(organisation, year, False)
    overview = funding_selectors.funding_overview(organisation, span, funding_selectors.Filters())
    metrics = overview["metrics"]
    country_names = dict(countries)
    figures = [
        (code, FIGURES[code], figure)
        for code, figure in metrics.figures.items()
        if code in FIGURES and code != "overhead"
    ]
    sections = [
        Section("portfolio", gettext_lazy("Portfolio")),
        Section("partner_feedback", gettext_lazy("What partners said, anonymously")),
        Section("commitments", gettext_lazy("Commitments made and kept")),
        Section("funding", gettext_lazy("Funding and localisation")),
        Section("about", gettext_lazy("About this report")),
    ]
    if listed:
        sections.insert(
            1, Section("largest_gaps", gettext_lazy("The partnerships with the largest gaps"), 2)
        )
    return {
        "organisation": organisation,
        "year": year,
        "portfolio": portfolio,
        "elements": elements,
        "portfolio_radar": portfolio_radar,
        "listed": listed,
        "feedback": feedback,
        "commitment_years": commitment_years,
        "this_year": this_year,
        "span": span,
        "currency": overview["currency"],
        "metrics": metrics,
        "figures": figures,
        "overhead": metrics.figures["overhead"],
        "overhead_label": FIGURES["overhead"],
        "figure_labels": FIGURES,
        "countries": [
            (country_names.get(code, code), country_metrics)
            for code, country_metrics in overview["countries"]
        ]
        if len(overview["countries"]) > 1
        else [],
        "sections": sections,
        "shown": {section.key: section.title for section in sections},
    }


def annual_report(organisation, year, language) -> bytes:
    with translation.override(language):
        context = annual_report_context(organisation, year, language)
        return render_pdf("reports/pdf/annual_report.html", context, language)


def annual_report_filename(organisation, year) -> str:
    return filename("counterpart", "accountability", organisation.name, year)
