"""A partner feedback round, pooled and anonymous, that closes with answers from fewer partner
organisations than its threshold shows how many answered and nothing else: no score, no chart,
no name."""

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from counterpart.assessments.models import Round
from tests.conftest import PASSWORD, partner_organisations

from .conftest import answer_all, say

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_pooled_round_under_its_threshold_shows_only_the_count(site, world):
    others = partner_organisations(world, 2)  # two more partners, one person each
    editor = site.visitor("editor")
    editor.sign_in(world.intl_editor, PASSWORD)
    editor.go(f"/organisations/{world.intl.pk}/")
    editor.follow("Prepare a partner feedback round", "new-feedback-round")
    editor.fill(title="How do we behave as a partner? 2026", threshold=3)
    editor.press("Prepare the round", "partners")  # straight on to choosing the partners
    assert editor.page.url.endswith("/partners/")
    round_url = editor.page.url.removesuffix("partners/")
    for partner in (world.local, *others):
        editor.page.locator(f'input[name=partners][value="{partner.pk}"]').check()
    editor.fill(language="ar")
    editor.press("Ask their members", "asked")
    editor.press("Open the round now and send the links", "open")
    round_ = Round.objects.get(title="How do we behave as a partner? 2026")
    assert round_.state == "open"
    assert round_.respondents.count() == 5  # three people of the local organisation, two others

    # Two people of the same partner organisation answer on their phones. The links were sent
    # in Arabic; the second reads French, and chooses it on the first page.
    for person, language in ((world.local_admin, "ar"), (world.local_viewer, "fr")):
        partner = site.visitor(person.email.split("@")[0], language="ar", phone=True)
        partner.go(site.link_in_mail(person.email, "/respond/"), "start")
        partner.fill(language=language)
        partner.language = language
        partner.press("Start", shown_in="ar")
        assert partner.page.locator("html").get_attribute("lang") == language
        answer_all(partner, "1")
        partner.press("Submit my answers", "submitted")

    editor.go(round_url)
    assert say("en", "The round is anonymous: you see how many have answered, never who.") in (
        editor.text()
    )
    editor.press("Close the round now", "closed")
    round_.refresh_from_db()
    assert round_.state == "closed"
    shown = editor.text()
    assert (
        "People from 1 partner organisation answered. Results appear only from 3 "
        "organisations, so they are not shown." in shown
    )
    assert world.local_admin.email not in shown  # nobody is named as having answered
    assert not editor.page.get_by_role("link", name="Read the results").count()

    # The results' address itself shows the count and the reason, nothing else.
    response = editor.go(round_url + "results/", "results-withheld")
    assert response.status == 403
    assert say("en", "The results are not available") in editor.text("h1")
    assert "People from 1 partner organisation answered this round." in editor.text()
    assert not editor.page.locator("main svg, main table").count()

    # The same in Arabic, right to left, once the editor changes the language.
    editor.page.locator("#language-choice").select_option("ar")
    editor.language = "ar"
    editor.press("Change language", within="header", shown_in="en")
    editor.go(round_url, "closed-ar")
    assert editor.page.locator("html").get_attribute("dir") == "rtl"
    with translation.override("ar"):
        count = ngettext(
            "People from %(counter)s partner organisation answered. Results appear only from "
            "%(threshold)s organisations, so they are not shown.",
            "People from %(counter)s partner organisations answered. Results appear only from "
            "%(threshold)s organisations, so they are not shown.",
            1,
        ) % {"counter": 1, "threshold": 3}
    assert count in editor.text()
    assert all(visitor.all_pages_checked() for visitor in site.visitors)
