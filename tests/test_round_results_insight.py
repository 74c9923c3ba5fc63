"""A released round's results page: scores, gaps, charts and the foundations lens."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counterpart.partnerships.models import Side

from .conftest import released_round

INTERNATIONAL = {"respect_advice_intl": "5", "respect_time_intl": "4"}
LOCAL = {"respect_advice_local": "2", "respect_time_local": "dont_know"}


def _page(world, round_, user=None, query=""):
    client = world.client_for(user or world.local_viewer)
    return client.get(reverse("round_results", args=[round_.pk]) + query).content.decode()


def _row(html, title):
    start = html.index(f'<th scope="row">{title}</th>')
    return html[start : html.index("</tr>", start)]


def test_each_side_has_a_score_and_the_gap_names_a_blind_spot(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    html = _page(world, round_)
    row = _row(html, "Mutual respect")
    assert "<strong>88</strong>" in row and "2 answers" in row
    assert "<strong>25</strong>" in row and "1 answer" in row
    assert "+63" in row and "blind spot" in row
    # Elements nobody answered say so rather than showing zero.
    assert "no score" in _row(html, "Transparency")
    assert html.count('<svg viewBox="-40 0 400 320"') == 2  # elements and foundations
    assert "Through the 2021 foundations" in html
    assert "+63" in _row(html, "Trust")
    # Item level: the two statements side by side with their answers.
    assert (
        "Strongly agree (1)" in html and "Disagree (1)" in html and "I don&#x27;t know (1)" in html
    )
    assert "Scores: international 100, local 25, gap \u200e+75." in html


def test_the_organisations_threshold_decides_what_is_flagged(world):
    world.intl.gap_threshold = 70
    world.intl.save()
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    html = _page(world, round_)
    assert "+63" in _row(html, "Mutual respect")
    assert "blind spot" not in _row(html, "Mutual respect")
    assert "a gap of 70 points or more" in html


def test_a_local_side_rating_higher_is_flagged_but_is_no_blind_spot(world):
    round_ = released_round(
        world,
        {
            Side.INTERNATIONAL: [{"voice_design_intl": "2"}],
            Side.LOCAL: [{"voice_design_local": "5"}],
        },
    )
    row = _row(_page(world, round_), "Shared voice and ownership")
    assert "−75" in row and "views differ" in row and "blind spot" not in row


def test_conversation_mode_hides_every_number(world):
    round_ = released_round(
        world,
        {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]},
        conversation_mode=True,
    )
    html = _page(world, round_)
    assert "conversation mode" in html
    assert '<svg viewBox="-40 0 400 320"' not in html
    assert "+63" not in html and "(1)" not in html and "Responses:" not in html
    assert "Strongly agree" in html  # the answers themselves stay


def test_results_read_in_arabic_right_to_left(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    html = _page(world, round_, query="?lang=ar")
    assert '<div lang="ar" dir="rtl">' in html
    assert "الاحترام المتبادل" in html


def test_the_results_page_reads_a_fixed_number_of_queries(world):
    round_ = released_round(
        world,
        {
            Side.INTERNATIONAL: [INTERNATIONAL, INTERNATIONAL],
            Side.LOCAL: [LOCAL, LOCAL, LOCAL],
        },
    )
    client = world.client_for(world.intl_viewer)
    url = reverse("round_results", args=[round_.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 10, [q["sql"] for q in queries]


def test_a_sealed_round_shows_no_score(world):
    from .conftest import make_round

    round_ = make_round(world)
    response = world.client_for(world.intl_viewer).get(reverse("round_results", args=[round_.pk]))
    assert response.status_code == 403
    assert "Scores by element" not in response.content.decode()
