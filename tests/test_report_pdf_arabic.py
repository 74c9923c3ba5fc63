"""The PDF reports in Arabic: the document is marked Arabic and right to left, its headings,
the framework's element names and the page footers are in Arabic, in reading order."""

import re

from django.urls import reverse
from django.utils import timezone

from counterpart.partnerships.models import Side

from .conftest import record_flow, released_feedback_round, released_round
from .pdf_reading import first_page_starting_with, page_texts, read_pdf, toc_entries

INTERNATIONAL = {"respect_advice_intl": "5", "respect_time_intl": "4"}
LOCAL = {"respect_advice_local": "2", "respect_time_local": "dont_know"}

SCORES_BY_ELEMENT = "الدرجات حسب العنصر"
QUESTION_BY_QUESTION = "سؤالًا بعد سؤال"
DIALOGUE_GUIDE = "دليل الحوار"
MUTUAL_RESPECT = "الاحترام المتبادل"


def _in_arabic(world, user):
    client = world.client_for(user)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    return client


def test_the_round_report_in_arabic(world):
    round_ = released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    client = _in_arabic(world, world.local_viewer)
    reader = read_pdf(client.get(reverse("round_report_pdf", args=[round_.pk])))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    texts = page_texts(reader)
    assert "الطرف الدولي" in texts[0] and "الطرف المحلي" in texts[0]  # the two sides
    contents = toc_entries(texts[1])
    scores_page = first_page_starting_with(texts, SCORES_BY_ELEMENT)
    assert contents[SCORES_BY_ELEMENT] == scores_page
    assert contents[DIALOGUE_GUIDE] == first_page_starting_with(texts, DIALOGUE_GUIDE)
    assert QUESTION_BY_QUESTION in contents
    # The framework's own words are in Arabic too.
    assert MUTUAL_RESPECT in texts[scores_page - 1]
    assert "Mutual respect" not in "\n".join(texts)
    # The footer, "page 3 of 18" in Arabic: its words and numbers, whatever order they are
    # read back in.
    footer = texts[scores_page - 1].splitlines()[-1]
    assert "الصفحة" in footer and "من" in footer and "Page" not in footer
    assert sorted(re.findall(r"\d+", footer)) == sorted([str(scores_page), str(len(texts))])


def test_the_annual_report_in_arabic(world):
    year = timezone.localdate().year
    released_round(world, {Side.INTERNATIONAL: [INTERNATIONAL], Side.LOCAL: [LOCAL]})
    released_feedback_round(world.intl, world.intl_editor, {"respect_advice_local": "4"})
    record_flow(world, f"{year}-03-01", "1000")
    client = _in_arabic(world, world.intl_viewer)
    reader = read_pdf(client.get(reverse("accountability_report_pdf", args=[world.intl.pk, year])))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    texts = page_texts(reader)
    contents = toc_entries(texts[1])
    for heading in ("المحفظة", "ما قاله الشركاء، دون كشف هويتهم", "التمويل والتوطين"):
        assert contents[heading] == first_page_starting_with(texts, heading), heading
    text = "\n".join(texts)
    assert MUTUAL_RESPECT in text
    assert "حصة التمويل المرن" in text  # flexible share
    assert "Funding and localisation" not in text
