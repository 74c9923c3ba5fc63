"""Pages are light, self-contained and work without JavaScript: no scripts, no web fonts,
no third-party requests, a strict Content-Security-Policy, under 30 KB compressed."""

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from .conftest import answer_everything, builtin_version, make_round, respondent_client

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.I)


def pages(world):
    return [
        (None, reverse("home")),
        (None, reverse("login")),
        (None, reverse("signup")),
        (world.local_viewer, reverse("home")),
        (world.local_viewer, reverse("partnership_detail", args=[world.partnership.pk])),
        (world.local_editor, reverse("partnership_create")),
        (world.intl_admin, reverse("member_list", args=[world.intl.pk])),
        (world.intl_admin, reverse("agreement_edit", args=[world.partnership.pk])),
        (None, reverse("framework_version", args=[builtin_version().pk]) + "?lang=ar"),
        (None, reverse("framework_version_try", args=[builtin_version().pk]) + "?lang=ar"),
        (world.local_editor, reverse("round_detail", args=[_round(world).pk])),
        (world.intl_viewer, reverse("round_results", args=[_released(world).pk])),
    ]


def _round(world):
    return make_round(world, open_it=False)


def _released(world):
    from counterpart.assessments.services import round_close

    round_ = make_round(world, title="Released")
    answer_everything(respondent_client(round_.respondents.get(side="local")), "2")
    round_close(actor=world.intl_editor, round_=round_)
    return round_


def test_pages_are_self_contained_and_light(world):
    stylesheet = Path(finders.find("css/site.css")).read_bytes()
    for user, url in pages(world):
        response = world.client_for(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script" not in html, url
        assert not EXTERNAL.search(html), f"{url} refers to another site"
        assert "@font-face" not in stylesheet.decode()
        weight = len(gzip.compress(response.content)) + len(gzip.compress(stylesheet))
        assert weight < 30_000, f"{url} weighs {weight} bytes compressed"
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "font-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("name", ["home", "login"])
def test_every_form_carries_a_csrf_token(world, name):
    client = world.client_for(world.intl_admin if name == "home" else None)
    html = client.get(reverse(name)).content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
    assert forms
    for form in forms:
        assert "csrfmiddlewaretoken" in form


def test_a_post_without_csrf_token_is_refused(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.intl_admin)
    response = client.post(
        reverse("member_list", args=[world.intl.pk]), {"email": "x@example.org", "role": "viewer"}
    )
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
