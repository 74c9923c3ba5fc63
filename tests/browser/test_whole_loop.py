"""The whole loop in a real browser: a partnership and its round set up on both sides, answered
from the emailed links (on phones, in Arabic and French; in English without JavaScript), the
results and the dialogue guide, a commitment made and kept, and the next round asking about it."""

import pytest

from counterpart.assessments.models import Round
from counterpart.commitments.models import Commitment
from counterpart.organisations.models import OrganisationKind, Role
from tests.conftest import PASSWORD, add_member, make_org, make_user

from .conftest import ROOT, answer_all, say

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

README_PICTURE = ROOT / "docs" / "images" / "partnership-page.png"


@pytest.fixture
def people():
    intl = make_org("Harbour Relief International", OrganisationKind.INTERNATIONAL_NGO, "GB")
    local = make_org(
        "Sawa Refugee Youth Collective", OrganisationKind.REFUGEE_LED, "JO", refugee_led=True
    )
    found = {"intl": intl, "local": local}
    for key, org, email, name, role in (
        ("claire", intl, "claire@harbour.example.org", "Claire Martin", Role.EDITOR),
        ("tom", intl, "tom@harbour.example.org", "Tom Okafor", Role.ADMIN),
        ("nour", local, "nour@sawa.example.org", "Nour Haddad", Role.ADMIN),
    ):
        found[key] = make_user(email, name)
        add_member(org, found[key], role)
    return found


def test_the_whole_loop(site, people, media_in_tmp):
    local = people["local"]

    # 1. The international editor proposes the partnership; the local admin accepts it on a
    # phone, in Arabic; the international editor prepares a round.
    claire = site.visitor("claire")
    claire.sign_in(people["claire"], PASSWORD)
    claire.go("/partnerships/new/", "new-partnership")
    claire.fill(
        partner=local.name,
        title="Livelihoods for young refugees in Irbid",
        stage="implementation",
        countries="JO",
        start_date="2026-01-01",
        end_date="2028-12-31",
    )
    claire.press("Propose the partnership", "partnership-proposed")
    assert "Livelihoods for young refugees in Irbid" in claire.text("h1")
    partnership_url = claire.page.url

    nour = site.visitor("nour", language="ar", phone=True)
    nour.sign_in(people["nour"], PASSWORD)
    nour.go(site.link_in_mail("nour@sawa.example.org", "/partnerships/proposals/"), "proposal")
    assert "Harbour Relief International" in nour.text("main")
    nour.press("Accept", "proposal-accepted")
    claire.go(partnership_url, "partnership-accepted")

    claire.follow("Prepare a round", "new-round")
    claire.fill(title="Check-in 2026", privacy="organisation")
    claire.press("Prepare the round", "round-prepared")
    round_url = claire.page.url
    for name, email in (
        ("Daniel Brooks", "daniel@harbour.example.org"),
        ("Priya Shah", "priya@harbour.example.org"),
    ):
        claire.fill(side="international", name=name, email=email, language="en")
        claire.press("Add")
    claire.site.snapshot(claire, "international-respondents")

    # The local admin, on a phone in Arabic, accepts the settings and adds the local people.
    nour.go(round_url, "round-to-accept")
    assert nour.page.locator("html").get_attribute("dir") == "rtl"
    nour.press("Accept these settings for our side", "round-accepted")
    for name, email, language in (
        ("Yasmin Khalil", "yasmin@sawa.example.org", "ar"),
        ("Aline Mukamana", "aline@sawa.example.org", "fr"),
    ):
        nour.fill(side="local", name=name, email=email, language=language)
        nour.press("Add")
    nour.site.snapshot(nour, "local-respondents")

    claire.go(round_url)
    claire.press("Open the round now and send the links", "round-open")
    round_ = Round.objects.get(partnership__title="Livelihoods for young refugees in Irbid")
    assert round_.state == "open"
    assert round_.respondents.count() == 4

    # 2. The international respondents answer in English, without JavaScript.
    for person in ("daniel@harbour.example.org", "priya@harbour.example.org"):
        respondent = site.visitor(person.split("@")[0], javascript=False)
        respondent.go(site.link_in_mail(person, "/respond/"), "start")
        respondent.press("Start")
        answer_all(respondent, "4", shots={1})
        respondent.press("Submit my answers", "submitted")
        assert say("en", "Your answers are submitted") in respondent.text("h1")

    # Results stay sealed while the local side has not answered.
    sealed = say("ar", "The results are not available")
    nour.go(round_url + "results/", "results-sealed")
    assert sealed in nour.text("h1")

    # Yasmin answers in Arabic on her phone, stops halfway …
    yasmin = site.visitor("yasmin", language="ar", phone=True)
    yasmin.go(site.link_in_mail("yasmin@sawa.example.org", "/respond/"), "start")
    assert yasmin.page.locator("html").get_attribute("dir") == "rtl"
    yasmin.press("Start")
    stopped_on = answer_all(yasmin, "2", stop_after=3, shots={1})
    assert say("ar", "Your answers are saved") in yasmin.text("h1")
    yasmin.context.close()

    # … Aline answers in French on hers …
    aline = site.visitor("aline", language="fr", phone=True)
    aline.go(site.link_in_mail("aline@sawa.example.org", "/respond/"), "start")
    aline.press("Start")
    answer_all(aline, "2", shots={1})
    aline.press("Submit my answers", "submitted")
    nour.go(round_url + "results/")
    assert sealed in nour.text("h1")

    # … and Yasmin comes back later, in a new browser, with the same link.
    yasmin = site.visitor("yasmin-later", language="ar", phone=True)
    yasmin.go(site.link_in_mail("yasmin@sawa.example.org", "/respond/"), "resume")
    yasmin.press("Continue where I stopped")
    assert f"/respond/page/{stopped_on + 1}/" in yasmin.page.url
    answer_all(yasmin, "2")
    yasmin.press("Submit my answers", "submitted")

    # 3. Everyone has answered: the round is released, with its gap chart and dialogue guide.
    round_.refresh_from_db()
    assert round_.state == "released"
    nour.go(round_url + "results/", "results")
    assert say("ar", "Results") in nour.text("h1")
    radar = nour.page.locator("figure.radar").first
    assert radar.locator("polygon.series").count() == 2  # both sides drawn
    assert radar.locator("text").count() == 6  # one name per element
    assert nour.page.locator(".result.flagged").count() >= 1  # 4 against 2: a gap to talk about
    nour.follow("Dialogue guide for the joint meeting", "dialogue-guide")
    assert nour.page.locator(".topic-title").count() >= 1

    # 4. The local side proposes a commitment; the international side accepts it, reports
    # progress with evidence and then that it is done; the local side confirms it.
    nour.follow("Propose a commitment on this", "propose")
    nour.fill(
        title="مشاركة تعديلات الميزانية معنا قبل إرسالها إلى المانح",
        owner_side="international",
        owner=people["tom"].pk,
        due_on="2027-02-15",
        evidence_expected="رسالة موافقتنا على كل تعديل",
    )
    nour.press("Propose it to the other side", "proposed")
    commitment = Commitment.objects.get()
    assert commitment.state == "proposed"

    claire.go(site.link_in_mail("claire@harbour.example.org", "/commitments/"), "to-accept")
    claire.press("Accept", "accepted")
    commitment.refresh_from_db()
    assert commitment.state == "active"

    tom = site.visitor("tom", language="es")  # Tom works in Spanish
    tom.sign_in(people["tom"], PASSWORD)
    tom.go(f"/commitments/{commitment.pk}/")
    tom.fill(note="The March revision was shared with Sawa two weeks before it went out.")
    tom.page.locator("main input[name=file]").set_input_files(
        files=[
            {
                "name": "march-revision.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n% a signed revision\n%%EOF\n",
            }
        ]
    )
    tom.press("Post", "progress")
    assert "march-revision.pdf" in tom.text()
    # The Arabic title reads right to left inside the Spanish page.
    assert tom.page.locator("h1").evaluate("e => getComputedStyle(e).direction") == "rtl"
    tom.fill(note="Every revision this year was shared first.", done=True)
    tom.press("Post", "reported-done")
    commitment.refresh_from_db()
    assert commitment.state == "done_reported"

    nour.go(f"/commitments/{commitment.pk}/", "to-confirm")
    nour.press("Confirm it was done", "confirmed")
    commitment.refresh_from_db()
    assert commitment.state == "kept"

    # 5. The next round asks first about what was promised.
    claire.go(partnership_url)
    claire.follow("Prepare a round")
    claire.fill(title="Check-in 2027", privacy="organisation")
    claire.press("Prepare the round")
    next_round_url = claire.page.url
    claire.fill(side="international", name="Daniel Brooks", email="daniel@harbour.example.org")
    claire.press("Add")
    nour.go(next_round_url)
    nour.press("Accept these settings for our side")
    nour.fill(side="local", name="Aline Mukamana", email="aline@sawa.example.org", language="fr")
    nour.press("Add")
    claire.go(next_round_url)
    claire.press("Open the round now and send the links")

    aline = site.visitor("aline-next", language="fr", phone=True)
    aline.go(site.link_in_mail("aline@sawa.example.org", "/respond/"))
    aline.press("Start", "follow-up")
    assert say("fr", "What we said we would do") in aline.text("h1, h2")
    assert "مشاركة تعديلات الميزانية" in aline.text()

    # The partnership's page, as the README shows it.
    claire.go(partnership_url)
    claire.page.screenshot(path=str(README_PICTURE))
    site.snapshot(claire, "partnership")
    assert all(visitor.all_pages_checked() for visitor in site.visitors)
