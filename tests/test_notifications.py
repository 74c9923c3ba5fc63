"""Notifications: kept per person, shown in the menu and on their page in the reader's language,
emailed in the language the person chose, and marked read only by them."""

from django.core import mail
from django.urls import reverse

from counterpart.notifications.models import Notification
from counterpart.notifications.services import notify

from .conftest import sending


def _notify(user):
    with sending():
        notify(
            [user, user],
            "commitment_overdue",
            {"title": "Joint field visits", "due": "2026-03-31"},
            "/partnerships/",
        )


def test_a_person_sees_their_own_notifications_in_their_language(world):
    _notify(world.local_editor)
    assert Notification.objects.count() == 1  # once, however often the person is listed
    client = world.client_for(world.local_editor)
    home = client.get(reverse("home")).content.decode()
    assert "1 new" in home
    page = client.get(reverse("notification_list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    # Written in French when read in French, with the date in French too.
    assert "arrivait à échéance le 31 mars 2026" in page
    assert "Joint field visits" in page
    assert world.local_editor.email not in page
    other = world.client_for(world.intl_editor).get(reverse("notification_list")).content.decode()
    assert "Joint field visits" not in other


def test_the_email_is_written_in_the_language_the_person_chose(world, client):
    client.force_login(world.local_editor)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    client.get(reverse("home"))
    world.local_editor.refresh_from_db()
    assert world.local_editor.language == "es"
    _notify(world.local_editor)
    message = mail.outbox[-1]
    assert message.to == [world.local_editor.email]
    assert "Joint field visits" in message.body
    assert "Hola" in message.body


def test_marking_as_read_touches_only_the_persons_own(world):
    _notify(world.local_editor)
    _notify(world.intl_editor)
    response = world.client_for(world.local_editor).post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert list(
        Notification.objects.filter(read_at__isnull=True).values_list("user", flat=True)
    ) == [world.intl_editor.pk]


def test_the_menu_counts_new_notifications_in_arabic_too(world):
    _notify(world.local_editor)
    _notify(world.local_editor)
    client = world.client_for(world.local_editor)
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert 'class="badge"' in page.content.decode()
