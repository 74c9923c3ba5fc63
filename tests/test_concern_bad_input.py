"""Wrong or hostile input to the concerns channel gets 400 with the form's words, changes
nothing, and never a server error; changes need POST and a CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from counterpart.concerns.models import DESCRIPTION_MAX, Concern, ConcernEvent

from .conftest import open_intake, raise_concern

GOOD = {"category": "funding", "description": "Payments are late.", "reply_by": "app"}

CASES = [
    ({**GOOD, "description": "x" * (DESCRIPTION_MAX + 1)}, "at most 10000 characters"),
    ({**GOOD, "description": "   "}, "This field is required"),
    ({**GOOD, "category": "gossip"}, "Select a valid choice"),
    ({**GOOD, "reply_by": "pigeon"}, "Select a valid choice"),
    ({**GOOD, "reply_by": "email", "contact": ""}, "email address the reply should go to"),
    ({**GOOD, "reply_by": "email", "contact": "not-an-address"}, "email address the reply"),
    ({**GOOD, "reply_by": "phone", "contact": "call me"}, "phone number to call"),
    ({**GOOD, "reply_by": "phone", "contact": "+254 700\n123 456"}, "phone number to call"),
]


@pytest.mark.parametrize(("data", "words"), CASES)
def test_the_signed_in_form_refuses_bad_values(world, data, words):
    response = world.client_for(world.local_editor).post(
        reverse("concern_raise", args=[world.partnership.pk]), data
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Concern.objects.exists()


@pytest.mark.parametrize(("data", "words"), CASES)
def test_the_public_form_refuses_bad_values(world, data, words):
    chosen = open_intake(world)
    client = Client()
    response = client.post(reverse("concern_intake", args=[chosen.intake_key]), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Concern.objects.exists()
    assert "counterpart_concern" not in client.session


def test_a_contact_is_kept_only_when_the_reply_needs_it(world):
    concern = raise_concern(world, reply_by="app", contact="someone@example.org")
    assert concern.contact == ""
    concern = raise_concern(world, reply_by="phone", contact="+254 700 123 456")
    assert concern.contact == "+254 700 123 456"


def test_empty_or_overlong_messages_are_refused(world):
    concern = raise_concern(world)
    admin = world.client_for(world.intl_admin)
    for action in ("acknowledge", "respond", "note"):
        response = admin.post(
            reverse(f"concern_{action}", args=[concern.pk]), {f"{action}-message": ""}
        )
        assert response.status_code == 400
        assert "This field is required" in response.content.decode()
    response = admin.post(
        reverse("concern_respond", args=[concern.pk]), {"respond-message": "y" * 10_001}
    )
    assert response.status_code == 400
    raiser = world.client_for(world.local_editor)
    response = raiser.post(reverse("concern_mine_detail", args=[concern.pk]), {"message": " "})
    assert response.status_code == 400
    assert list(ConcernEvent.objects.values_list("kind", flat=True)) == ["received"]
    concern.refresh_from_db()
    assert concern.status == "received"


def test_changes_need_post_and_a_csrf_token(world):
    chosen = open_intake(world)
    concern = raise_concern(world)
    admin = world.client_for(world.intl_admin)
    for name in ("concern_acknowledge", "concern_respond", "concern_resolve", "concern_note"):
        assert admin.get(reverse(name, args=[concern.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("concern_intake", args=[chosen.intake_key]), GOOD)
    assert response.status_code == 403
    strict.force_login(world.intl_admin)
    response = strict.post(
        reverse("concern_acknowledge", args=[concern.pk]), {"acknowledge-message": "Hi"}
    )
    assert response.status_code == 403
    assert Concern.objects.count() == 1
    concern.refresh_from_db()
    assert concern.status == "received"


def test_odd_ids_and_keys_are_not_found(world):
    client = world.client_for(world.intl_admin)
    assert client.get("/concerns/999999999999999999/").status_code == 404
    assert client.get("/concerns/to/" + "k" * 300 + "/").status_code == 404
    assert client.get("/concerns/track/" + "s" * 300 + "/").status_code == 404


def test_pages_carry_no_inline_style_or_script(world):
    chosen = open_intake(world)
    concern = raise_concern(world)
    pages = [
        (None, reverse("concern_intake", args=[chosen.intake_key])),
        (world.local_editor, reverse("concern_raise", args=[world.partnership.pk])),
        (world.local_editor, reverse("concern_mine")),
        (world.local_editor, reverse("concern_mine_detail", args=[concern.pk])),
        (world.intl_admin, reverse("concern_list", args=[world.intl.pk])),
        (world.intl_admin, reverse("concern_detail", args=[concern.pk])),
        (world.intl_admin, reverse("concern_settings", args=[world.intl.pk])),
    ]
    for user, url in pages:
        response = world.client_for(user).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script" not in html and "style=" not in html, url
        assert "Content-Security-Policy" in response.headers
