"""The checks run on every page of the browser tests catch what they are for: an accessibility
fault (with and without JavaScript), a page in the wrong language or direction, and interface
text left in English on a translated page."""

import pytest

from .conftest import AccessibilityProblem

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FAULTY = """<!doctype html><html lang="en" dir="ltr"><head><title>Faulty</title></head>
<body><main><h1>Faulty</h1><img src="/static/missing.png">
<form><input name="unlabelled"></form></main></body></html>"""

CLEAN_ENGLISH = """<!doctype html><html lang="en" dir="ltr"><head><title>Clean</title></head>
<body><main><h1>Clean</h1><p>Nothing wrong here.</p></main></body></html>"""

ARABIC_WITH_ENGLISH = """<!doctype html><html lang="ar" dir="rtl"><head><title>صفحة</title>
</head><body><main><h1>صفحة</h1><p>Open the round now and send the links</p></main></body>
</html>"""


def serve(visitor, html):
    visitor.page.route(
        "**/probe/", lambda route: route.fulfill(body=html, content_type="text/html")
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_a_missing_text_alternative_and_label_fail_the_page(site, javascript):
    visitor = site.visitor("probe", javascript=javascript)
    serve(visitor, FAULTY)
    with pytest.raises(AccessibilityProblem) as problem:
        visitor.go("/probe/")
    assert '"image-alt"' in str(problem.value) and '"label"' in str(problem.value)


def test_english_left_on_an_arabic_page_fails_it(site):
    visitor = site.visitor("probe", language="ar")
    serve(visitor, ARABIC_WITH_ENGLISH)
    with pytest.raises(AssertionError, match="untranslated: “Open the round now and send"):
        visitor.go("/probe/")


def test_a_page_in_another_language_than_the_visitor_s_fails(site):
    visitor = site.visitor("probe", language="fr")
    serve(visitor, CLEAN_ENGLISH)
    with pytest.raises(AssertionError, match="lang=en dir=ltr, expected fr ltr"):
        visitor.go("/probe/")


def test_a_page_never_checked_is_noticed(site):
    visitor = site.visitor("probe")
    serve(visitor, FAULTY)
    visitor.page.goto("/probe/")  # around the checks
    assert not visitor.all_pages_checked()


def test_a_page_wider_than_a_phone_fails_it(site):
    visitor = site.visitor("probe", phone=True)
    serve(visitor, CLEAN_ENGLISH.replace("<p>", '<p style="width: 500px">'))
    with pytest.raises(AssertionError, match="wide on a 360 px screen"):
        visitor.go("/probe/")
