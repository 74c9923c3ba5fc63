"""Answering a round from a personal link: one element per page, a draft kept on the server,
resuming on another device, review, submit once; in the respondent's language, with no script."""

import gzip
import re

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from counterpart.assessments.models import Draft, Response
from counterpart.assessments.services import respondent_link
from counterpart.partnerships.models import Side

from .conftest import make_round, respondent_client


def _local(round_):
    return round_.respondents.get(side=Side.LOCAL)


def test_one_element_per_page_with_progress_and_the_privacy_shown_first(world):
    round_ = make_round(world)
    client = respondent_client(round_.respondents.get(side=Side.INTERNATIONAL))
    start = client.get("/respond/start/").content.decode()
    assert "Your answers are shown as your side's answers, never with your name." in start
    assert "The questionnaire has 7 pages." in start  # six elements, then the stage
    client.post("/respond/start/", {"language": "en"})
    page = client.get("/respond/page/1/").content.decode()
    assert "Page 1 of 7" in page and '<progress id="progress" max="7" value="1">' in page
    assert "<h1>Mutual respect</h1>" in page
    assert "voice_budget_local" not in page  # another element's question
    assert "respect_" in page and "_local" not in page  # only this side's half of each pair


def test_a_draft_is_kept_after_each_page_and_resumed_on_another_device(world):
    round_ = make_round(world)
    respondent = _local(round_)
    phone = respondent_client(respondent)
    phone.post("/respond/start/", {"language": "en"})
    names = re.findall(
        r'name="([a-z0-9_]+)" value="2"', phone.get("/respond/page/1/").content.decode()
    )
    response = phone.post("/respond/page/1/", {names[0]: "2", "stop": ""})
    assert "Your answers are saved" in response.content.decode()
    assert Draft.objects.get(respondent=respondent).answers == {names[0]: "2"}
    laptop = respondent_client(respondent)  # the same link, opened elsewhere
    assert "Continue where I stopped" in laptop.get("/respond/start/").content.decode()
    page = laptop.get("/respond/page/1/").content.decode()
    assert re.search(rf'name="{names[0]}" value="2"[^>]*checked', page)


def test_continuing_opens_the_first_page_not_yet_saved(world):
    round_ = make_round(world)
    respondent = _local(round_)
    phone = respondent_client(respondent)
    phone.post("/respond/start/", {"language": "en"})
    phone.post("/respond/page/1/", {"next": ""})
    phone.post("/respond/page/2/", {"stop": ""})
    laptop = respondent_client(respondent)
    response = laptop.post("/respond/start/", {"language": "en"})
    assert response["Location"] == "/respond/page/3/"
    for page in range(3, 8):
        laptop.post(f"/respond/page/{page}/", {"next": ""})
    again = respondent_client(respondent)  # every page saved: straight to the review
    response = again.post("/respond/start/", {"language": "en"}, follow=True)
    assert response.redirect_chain[-1][0] == "/respond/review/"
    assert "Review your answers" in response.content.decode()


def test_the_thank_you_page_speaks_the_language_of_the_answers(world):
    round_ = make_round(world)
    client = respondent_client(_local(round_))
    client.post("/respond/start/", {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="ar")
    for page in range(1, 8):
        client.post(f"/respond/page/{page}/", {"next": ""})
    client.post("/respond/review/")
    done = client.get("/respond/done/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="fr" dir="ltr">' in done
    assert "<h1>Vos réponses sont envoyées</h1>" in done


def test_a_wrong_value_is_refused_with_a_message_and_nothing_saved(world):
    round_ = make_round(world, stage="agreement")
    respondent = _local(round_)
    client = respondent_client(respondent)
    client.post("/respond/start/", {"language": "en"})
    first = client.get("/respond/page/1/").content.decode()
    name = re.findall(r'name="([a-z0-9_]+)" value="2"', first)[0]
    response = client.post("/respond/page/1/", {name: "99"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Draft.objects.filter(respondent=respondent).exists()


def test_arabic_respondent_reads_right_to_left_without_any_script(world):
    round_ = make_round(world)
    client = respondent_client(_local(round_))
    client.post("/respond/start/", {"language": "ar"})
    page = client.get("/respond/page/1/")
    html = page.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'lang="ar" dir="rtl"' in html
    assert "<script" not in html
    assert len(gzip.compress(page.content)) < 30 * 1024


def test_review_then_submit_stores_the_answers_once(world):
    round_ = make_round(world)
    respondent = _local(round_)
    client = respondent_client(respondent)
    client.post("/respond/start/", {"language": "en"})
    names = re.findall(
        r'name="([a-z0-9_]+)" value="5"', client.get("/respond/page/1/").content.decode()
    )
    client.post("/respond/page/1/", {n: "5" for n in names})
    review = client.get("/respond/review/").content.decode()
    assert "Strongly agree" in review and "have no answer" in review
    assert client.post("/respond/review/")["Location"].endswith("/respond/done/")
    assert "are submitted" in client.get("/respond/done/").content.decode()
    assert Response.objects.filter(round=round_).count() == 1
    assert Response.objects.get(round=round_).answers.count() == len(names)
    assert not Draft.objects.filter(respondent=respondent).exists()
    # The session no longer holds the respondent, and the link is used up.
    assert client.get("/respond/review/").status_code == 403
    again = Client().get(respondent_link(respondent).removeprefix(settings.SITE_URL))
    assert again.status_code == 410
    assert "this link is now used" in again.content.decode()


class _Queries(CaptureQueriesContext):
    """Statements sent to the database, without the savepoints the test's transaction adds."""

    def __init__(self):
        super().__init__(connection)

    @property
    def count(self):
        return sum(
            not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
            for q in self.captured_queries
        )


def test_the_respondent_pages_stay_within_ten_queries(world):
    round_ = make_round(world)
    client = respondent_client(round_.respondents.get(side=Side.INTERNATIONAL))
    client.post("/respond/start/", {"language": "en"})
    client.get("/respond/page/1/")  # the version's questions are read once per process
    with _Queries() as page_get:
        page = client.get("/respond/page/2/").content.decode()
    names = set(re.findall(r'name="([a-z0-9_]+)" value="3"', page))
    with _Queries() as page_post:
        client.post("/respond/page/2/", {n: "3" for n in names})
    with _Queries() as review:
        client.get("/respond/review/")
    with _Queries() as submit:
        assert client.post("/respond/review/").status_code == 302
    # Submitting reads the commitments the round follows up, then stores the answers.
    assert max(page_get.count, page_post.count, review.count, submit.count) <= 10
