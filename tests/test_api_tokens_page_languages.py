"""The API tokens page reads in Arabic, right to left, and in French."""

from django.conf import settings
from django.urls import reverse


def _page(world, language):
    client = world.client_for(world.local_editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_tokens_page_in_arabic_reads_right_to_left(world):
    client = _page(world, "ar")
    response = client.post(reverse("api_tokens"), {"name": "تقرير شهري"})
    html = response.content.decode()
    assert response.status_code == 201
    assert '<html lang="ar" dir="rtl">' in html
    assert "تاريخ الإنشاء" in html and "تقرير شهري" in html
    assert "Your new token" not in html and "Make the token" not in html


def test_the_tokens_page_in_french(world):
    html = _page(world, "fr").get(reverse("api_tokens")).content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "jeton" in html.lower() and "API tokens" not in html
