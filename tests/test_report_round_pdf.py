"""A round's PDF report: both sides' views, the gaps, the chart, the item table, the dialogue
guide and the commitments, with a contents page, numbered pages and bookmarks; sealed rounds,
conversation mode, privacy tiers and the partners' threshold apply as on the results page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counterpart.assessments import services
from counterpart.assessments.models import Round, RoundState
from counterpart.commitments.services import commitment_confirm, commitment_report
from counterpart.partnerships.models import Side
from counterpart.reports.pdf import DataOnlyFetcher

from .conftest import (
    agreed_commitment,
    make_pooled_round,
    make_round,
    released_feedback_round,
    released_round,
    submit_answers,
)
from .pdf_reading import (
    bookmark_titles,
    first_page_starting_with,
    page_texts,
    read_pdf,
    toc_entries,
    whole_text,
    xobject_subtypes,
)

# Mutual respect, by hand: the international side 100 and 75 → 87.5, shown 88; the local side
# 25 ("I don't know" counts for nothing) → 25; the gap 62.5, shown +63. The first pair: 100
# against 25, a gap of +75.
INTERNATIONAL = {"respect_advice_intl": "5", "respect_time_intl": "4"}
LOCAL = {"respect_advice_local": "2", "respect_time_local": "dont_know"}


def _report(world, round_, user=None):
    client = world.client_for(user or world.local_viewer)
    return client.get(reverse("round_report_pdf", args=[round_.pk]))


def _flat(text):
    """The text with the left-to-right marks before signed gaps taken out."""
    return text.replace("\u200e", "")


def test_the_report_holds_both_views_the_gaps_the_items_the_guide_and_the_commitments(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    agreed_commitment(world, round_, title="Share budget revisions before sending them")
    response = _report(world, round_)
    assert response["Content-Disposition"] == (
        f'attachment; filename="counterpart-round-{round_.pk}-check-in-2026.pdf"'
    )
    reader = read_pdf(response)
    texts = [_flat(t) for t in page_texts(reader)]
    cover = texts[0]
    assert "Round report" in cover and "Check-in 2026" in cover
    assert "Youth protection in the camp" in cover
    assert "Global Aid Partners" in cover and "Camp Youth Network" in cover
    assert "Responses: international side 1, local side 1." in cover

    scores = texts[first_page_starting_with(texts, "Scores by element") - 1]
    row = next(line for line in scores.splitlines() if line.startswith("Mutual respect"))
    assert re.search(r"88 2 answers\s*25 1 answer\s*\+63", row), row
    assert "blind spot" in scores

    text = "\n".join(texts)
    # The item table: each side's statement with its answers, and the pair's gap.
    assert "We ask for our partner's advice on how to work in their community" in text
    assert "Our partner asks for our advice on how to work in our community" in text
    assert "Strongly agree (1)" in text and "Disagree (1)" in text and "I don't know (1)" in text
    assert "+75" in text
    # The dialogue guide opens with the largest gap, and the commitment closes the report.
    guide = texts[first_page_starting_with(texts, "Dialogue guide") - 1]
    assert "Blind spot: the international side rates itself higher (+75 points)" in guide
    assert "To discuss:" in guide
    last = texts[first_page_starting_with(texts, "Commitments") - 1]
    assert "Commitments after this round" in last
    assert "Share budget revisions before sending them" in last
    assert "Waiting for the other side" not in last and "In progress" in last


def test_contents_page_numbers_footers_and_bookmarks(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    reader = read_pdf(_report(world, round_))
    texts = page_texts(reader)
    total = len(texts)
    assert total > 4
    contents = toc_entries(texts[1])
    assert texts[1].startswith("Contents")
    for heading in ("Scores by element", "Question by question", "Dialogue guide"):
        assert contents[heading] == first_page_starting_with(texts, heading), heading
    assert contents["Commitments after this round"] > contents["Dialogue guide"]
    # Every page but the cover says where it is.
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text, number
    assert "Page 1 of" not in texts[0]
    marks = bookmark_titles(reader)
    for heading in ("Scores by element", "Through the 2021 foundations", "Mutual respect"):
        assert heading in marks
    assert marks.index("Question by question") < marks.index("Dialogue guide")
    assert reader.metadata.title == "Round report · Check-in 2026"


def test_the_chart_is_drawn_in_vectors(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    reader = read_pdf(_report(world, round_))
    assert "/Image" not in xobject_subtypes(reader)
    # The radar's axis names are text on the page, not pixels.
    texts = page_texts(reader)
    scores = texts[first_page_starting_with(texts, "Scores by element") - 1]
    assert scores.count("Cultural cognizance") == 2  # around the chart, and in the table
    assert "Both sides' scores by element" in scores


def test_a_sealed_round_gives_no_report(world):
    round_ = make_round(world)  # open: nobody may read the answers yet
    response = _report(world, round_, world.intl_admin)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert not response.content.startswith(b"%PDF")
    assert "The results are not available" in response.content.decode()


def test_conversation_mode_shows_no_score(world):
    round_ = released_round(
        world,
        {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]},
        conversation_mode=True,
    )
    reader = read_pdf(_report(world, round_))
    text = _flat(whole_text(reader))
    assert "conversation mode" in text
    assert "Strongly agree" in text and "Disagree" in text  # the answers stay
    for number in ("88", "+63", "+75", "(1)", "Score:", "Responses:", "Gap"):
        assert number not in text, number
    assert "Scores by element" not in text
    assert "/Image" not in xobject_subtypes(reader)


def test_named_answers_show_names_only_in_the_named_tier(world):
    named = released_round(
        world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]}, privacy="named"
    )
    text = whole_text(read_pdf(_report(world, named)))
    assert "Amira Haddad: Strongly agree" in text
    assert "Joseph Deng: Disagree" in text
    assert "This round is named: each answer shows who gave it." in text

    by_side = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    text = whole_text(read_pdf(_report(world, by_side)))
    assert "Strongly agree (1)" in text
    assert "Amira" not in text and "Joseph" not in text


def _pooled_with(world, answered, threshold=5):
    round_ = make_pooled_round(world, people=5, threshold=threshold)
    for respondent in list(round_.respondents.order_by("pk"))[:answered]:
        submit_answers(respondent, {"respect_advice_local": "2"})
    services.round_close(actor=world.intl_editor, round_=round_)
    round_.refresh_from_db()
    return round_


def test_a_partner_feedback_round_under_its_threshold_gives_no_report(world):
    round_ = _pooled_with(world, answered=4)
    assert round_.state == RoundState.CLOSED
    response = _report(world, round_, world.intl_admin)
    assert response.status_code == 403
    assert "People from 4 partner organisations answered this round" in response.content.decode()
    # Even marked released, four answers stay unread.
    Round.objects.filter(pk=round_.pk).update(state=RoundState.RELEASED)
    response = _report(world, round_, world.intl_admin)
    assert response.status_code == 403
    assert not response.content.startswith(b"%PDF")


def test_a_partner_feedback_round_at_its_threshold_shows_the_partners_view(world):
    round_ = released_feedback_round(
        world.intl, world.intl_editor, {"respect_advice_local": "5", "respect_time_local": "3"}
    )
    # The partners never see the organisation's own partner feedback round.
    assert _report(world, round_, world.local_admin).status_code == 404
    text = _flat(whole_text(read_pdf(_report(world, round_, world.intl_viewer))))
    assert "3 partner responses." in text
    # (100 × 3 + 50 × 3) / 6 = 75.
    assert re.search(r"Mutual respect\s*75 6 answers", text)
    assert "Partners' view" in text
    assert "Local side's view" not in text and "Gap" not in text
    assert "Commitments after this round" not in text


def test_the_report_reads_the_same_queries_whatever_the_answers(world):
    small = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    large = released_round(
        world, {Side.INTERNATIONAL: [INTERNATIONAL] * 3, Side.LOCAL: [LOCAL] * 4}
    )
    agreed_commitment(world, small)
    commitment = agreed_commitment(world, large)
    agreed_commitment(world, large, title="Joint field visits")
    commitment_report(actor=world.intl_editor, commitment=commitment, done=True, note="Done.")
    commitment_confirm(actor=world.local_editor, commitment=commitment)
    client = world.client_for(world.intl_viewer)
    counts = []
    for round_ in (small, large):
        url = reverse("round_report_pdf", args=[round_.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://example.org/logo.png", "https://example.org/a.css"]
)
def test_the_renderer_reads_no_file_and_no_network(url):
    with pytest.raises(ValueError):
        DataOnlyFetcher()(url)


def test_the_renderer_reads_data_urls():
    response = DataOnlyFetcher()("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_the_results_page_and_the_dialogue_guide_link_to_the_report(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    client = world.client_for(world.local_viewer)
    link = reverse("round_report_pdf", args=[round_.pk])
    for name in ("round_results", "dialogue_guide"):
        page = client.get(reverse(name, args=[round_.pk])).content.decode()
        assert f'href="{link}"' in page, name
    # Reading the questions in another language, the report follows.
    page = client.get(reverse("round_results", args=[round_.pk]) + "?lang=fr").content.decode()
    assert f'href="{link}?lang=fr"' in page
