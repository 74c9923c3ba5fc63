"""An organisation's annual accountability report: the portfolio of the year's rounds, the
partner feedback released that year, the commitments made and kept, and the localisation
figures of the year's funding; for the organisation's members only."""

import re

from django.urls import reverse
from django.utils import timezone

from counterpart.commitments.services import commitment_confirm, commitment_report
from counterpart.partnerships.models import Side

from .conftest import agreed_commitment, record_flow, released_feedback_round, released_round
from .pdf_reading import (
    bookmark_titles,
    first_page_starting_with,
    page_texts,
    read_pdf,
    toc_entries,
    xobject_subtypes,
)

INTERNATIONAL = {"respect_advice_intl": "5", "respect_time_intl": "4"}
LOCAL = {"respect_advice_local": "2", "respect_time_local": "dont_know"}


def _year():
    return timezone.localdate().year


def _report(world, year, user=None):
    client = world.client_for(user or world.intl_viewer)
    return client.get(reverse("accountability_report_pdf", args=[world.intl.pk, year]))


def _a_year_of_work(world):
    year = _year()
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    kept = agreed_commitment(world, round_, title="Budget revisions shared first")
    agreed_commitment(world, round_, title="Joint field visits")
    commitment_report(actor=world.intl_editor, commitment=kept, done=True, note="Done.")
    commitment_confirm(actor=world.local_editor, commitment=kept)
    released_feedback_round(
        world.intl, world.intl_editor, {"respect_advice_local": "5", "respect_time_local": "3"}
    )
    record_flow(world, f"{year}-03-01", "1000", receiver_name="Camp Youth Network")
    record_flow(
        world, f"{year}-04-01", "4000", receiver_class="not_local", receiver_name="Big Agency"
    )
    record_flow(world, f"{year - 1}-06-01", "5000", receiver_name="Last Year's Partner")
    return year


def _flat(text):
    return " ".join(text.replace("\u200e", "").split())


def test_the_report_of_a_year(world):
    year = _a_year_of_work(world)
    response = _report(world, year)
    assert response["Content-Disposition"] == (
        f'attachment; filename="counterpart-accountability-global-aid-partners-{year}.pdf"'
    )
    reader = read_pdf(response)
    texts = page_texts(reader)
    cover = texts[0]
    assert "Annual accountability report" in cover
    assert "Global Aid Partners" in cover and str(year) in cover

    portfolio = _flat(texts[first_page_starting_with(texts, "Portfolio") - 1])
    # The partnership, and the three with the partners asked for feedback.
    assert "4 partnerships, 1 with results in the period." in portfolio
    # Our side 87.5 → 88, our partners 25, a gap marked.
    assert "Mutual respect 88 25 1 gap marked" in portfolio
    assert "Transparency – – 0 gaps marked" in portfolio
    assert "Youth protection in the camp" in portfolio and "Camp Youth Network" in portfolio
    assert "+63" in portfolio

    feedback = _flat(texts[first_page_starting_with(texts, "What partners said") - 1])
    # Three partners: (100 × 3 + 50 × 3) / 6 = 75.
    assert "Partner feedback 3 responses" in feedback
    assert "Mutual respect 75" in feedback

    commitments = _flat(texts[first_page_starting_with(texts, "Commitments made and kept") - 1])
    assert (
        f"In {year}, 2 commitments were agreed. Today: 1 kept (1 on time), 1 still open "
        "(0 overdue), 0 dropped by agreement."
    ) in commitments
    assert "Budget revisions shared first" not in commitments  # counted, not listed

    funding = _flat(texts[first_page_starting_with(texts, "Funding and localisation") - 1])
    # Last year's 5,000 is not this year's.
    assert "Passed to partners 5,000 USD (2 flows)" in funding
    # A share of the funds passed to partners: never compared with the 25 % target.
    assert re.search(
        r"Local share of funds passed to partners 20\.0 % 1,000 / 5,000 USD –", funding
    ), funding
    # Grand Bargain 2.4: without the humanitarian funding of the year there is no share.
    assert f"Enter your humanitarian funding for {year} to see the Grand Bargain share." in funding
    assert "Refugee-led share 0.0 %" in funding
    assert "Big Agency" not in funding and "Last Year's Partner" not in funding
    assert "/Image" not in xobject_subtypes(reader)


def test_contents_pages_and_bookmarks_of_the_annual_report(world):
    year = _a_year_of_work(world)
    reader = read_pdf(_report(world, year))
    texts = page_texts(reader)
    contents = toc_entries(texts[1])
    for heading in (
        "Portfolio",
        "What partners said, anonymously",
        "Commitments made and kept",
        "Funding and localisation",
        "About this report",
    ):
        assert contents[heading] == first_page_starting_with(texts, heading), heading
    assert contents["The partnerships with the largest gaps"] >= contents["Portfolio"]
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {len(texts)}" in text
    assert "Funding and localisation" in bookmark_titles(reader)


def test_the_year_before_shows_only_what_happened_then(world):
    year = _a_year_of_work(world) - 1
    texts = page_texts(read_pdf(_report(world, year)))
    text = _flat("\n".join(texts))
    assert "4 partnerships, 0 with results in the period." in text
    assert f"No partner feedback round released in {year} has results to show." in text
    assert f"No commitment was agreed in {year}." in text
    assert "Passed to partners 5,000 USD (1 flow)" in text
    assert "Local share of funds passed to partners 100.0 %" in text


def test_only_members_download_the_report(world):
    year = _year()
    assert _report(world, year, world.local_admin).status_code == 404
    assert _report(world, year, world.outsider).status_code == 404
    anonymous = world.client_for(None).get(
        reverse("accountability_report_pdf", args=[world.intl.pk, year])
    )
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert _report(world, 1200).status_code == 404
    assert _report(world, year + 5).status_code == 404


def test_the_reports_page_lists_the_years_and_is_linked(world):
    year = _year()
    record_flow(world, f"{year - 2}-06-01", "100")
    client = world.client_for(world.intl_viewer)
    page = client.get(reverse("annual_reports", args=[world.intl.pk])).content.decode()
    for shown in (year, year - 1, year - 2):
        assert reverse("accountability_report_pdf", args=[world.intl.pk, shown]) in page
    assert reverse("accountability_report_pdf", args=[world.intl.pk, year - 3]) not in page
    assert "style=" not in page and "<script>" not in page
    link = reverse("annual_reports", args=[world.intl.pk])
    for name in ("organisation_detail", "portfolio"):
        assert link in client.get(reverse(name, args=[world.intl.pk])).content.decode(), name
    others = world.client_for(world.local_admin)
    assert others.get(reverse("annual_reports", args=[world.intl.pk])).status_code == 404
