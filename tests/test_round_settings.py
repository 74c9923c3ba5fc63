"""Preparing a round through its pages: the settings form, wrong values refused with a
message, and nothing changed once the round is open."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from counterpart.assessments import services
from counterpart.assessments.models import Round

from .conftest import add_member, builtin_version, make_framework, make_org, make_round, make_user


def _form(**changes):
    today = timezone.localdate()
    data = {
        "title": "Mid-term check",
        "stage": "implementation",
        "framework_version": builtin_version().pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=10)).isoformat(),
        "privacy": "named",
    }
    data.update(changes)
    return data


def test_an_editor_prepares_a_round_from_the_partnership_page(world):
    client = world.client_for(world.local_editor)
    page = client.get(reverse("partnership_detail", args=[world.partnership.pk])).content.decode()
    assert "Prepare a round" in page
    response = client.post(reverse("round_create", args=[world.partnership.pk]), _form())
    round_ = Round.objects.get()
    assert response["Location"] == reverse("round_detail", args=[round_.pk])
    assert round_.organisation == world.local and round_.privacy == "named"
    assert round_.accepted_by("local") and not round_.accepted_by("international")
    page = client.get(reverse("partnership_detail", args=[world.partnership.pk])).content.decode()
    assert "Mid-term check" in page and "Being prepared" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_on": "2020-01-01"}, "cannot close before it opens"),
        ({"opens_on": "2020-01-01", "closes_on": "2020-01-02"}, "already passed"),
        ({"privacy": "anonymous"}, "Select a valid choice"),
        ({"stage": "somewhere"}, "Select a valid choice"),
        ({"stage": ""}, "This field is required"),
        ({"title": "Two\nlines"}, "one line"),
        ({"closes_on": "9999-12-31"}, "a year at most"),
    ],
)
def test_wrong_settings_are_refused_with_a_message(world, changes, message):
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("round_create", args=[world.partnership.pk]), _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Round.objects.exists()


def test_another_organisations_framework_cannot_be_slipped_in(world):
    stranger = make_user("someone@unrelated.example.org")
    add_member(world.other, stranger, "editor")
    foreign = make_framework(world.other, stranger)
    client = world.client_for(world.intl_editor)
    response = client.post(
        reverse("round_create", args=[world.partnership.pk]),
        _form(framework_version=foreign.pk),
    )
    assert response.status_code == 400
    assert not Round.objects.exists()


def test_a_partners_own_framework_can_be_used(world):
    version = make_framework(world.local, world.local_editor)
    client = world.client_for(world.intl_editor)
    client.post(
        reverse("round_create", args=[world.partnership.pk]), _form(framework_version=version.pk)
    )
    assert Round.objects.get().framework_version == version


def test_anonymous_privacy_is_refused_by_the_service_too(world):
    with pytest.raises(services.ValidationError, match="partner feedback rounds only"):
        make_round(world, privacy="anonymous")


def test_settings_cannot_change_once_the_round_is_open(world):
    round_ = make_round(world)
    with pytest.raises(services.ValidationError, match="before the round opens"):
        services.round_update(actor=world.intl_editor, round_=round_, title="Changed")
    response = world.client_for(world.intl_editor).get(reverse("round_edit", args=[round_.pk]))
    assert response.status_code == 302


def test_a_round_opens_only_with_someone_to_answer_on_each_side(world):
    round_ = make_round(world, respondents=False, open_it=False)
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("round_open", args=[round_.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Each side needs at least one person asked to answer." in page
    round_.refresh_from_db()
    assert round_.state == "draft"


def test_a_person_asked_twice_is_refused(world):
    round_ = make_round(world, open_it=False)
    response = world.client_for(world.local_editor).post(
        reverse("respondent_add", args=[round_.pk]),
        {"side": "local", "email": "JOSEPH@local.example.org", "language": "en"},
    )
    assert response.status_code == 400
    assert "already asked to answer this round" in response.content.decode()


def test_a_partner_feedback_round_asks_the_members_of_chosen_partners(world):
    client = world.client_for(world.intl_editor)
    today = timezone.localdate()
    client.post(
        reverse("round_create_pooled", args=[world.intl.pk]),
        {
            "title": "Feedback",
            "framework_version": builtin_version().pk,
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=20)).isoformat(),
            "threshold": 5,
        },
    )
    round_ = Round.objects.get()
    assert round_.privacy == "anonymous" and round_.is_pooled
    page = client.get(reverse("round_partners", args=[round_.pk])).content.decode()
    assert world.local.name in page and world.other.name not in page
    client.post(
        reverse("round_partners", args=[round_.pk]),
        {"partners": [world.local.pk], "language": "fr"},
    )
    assert sorted(round_.respondents.values_list("email", flat=True)) == [
        "local-admin@example.org",
        "local-editor@example.org",
        "local-viewer@example.org",
    ]
    assert set(round_.respondents.values_list("organisation", flat=True)) == {world.local.pk}
    # One partner organisation, a threshold of five: results could never show, so it does not
    # open, however many people that organisation has.
    with pytest.raises(services.ValidationError, match="at least 5 partner organisations"):
        services.round_open(actor=world.intl_editor, round_=round_)


def test_the_due_rounds_are_opened_reminded_and_closed(world, django_capture_on_commit_callbacks):
    from django.core import mail

    waiting = make_round(world, open_it=False, opens_on=timezone.localdate())
    soon = make_round(world, title="Closing soon", closes_on=timezone.localdate())
    late = make_round(world, title="Late")
    Round.objects.filter(pk=late.pk).update(closes_at=timezone.now() - datetime.timedelta(hours=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rounds_due", stdout=io.StringIO())
    states = dict(Round.objects.values_list("title", "state"))
    assert states[waiting.title] == "open"
    assert states["Late"] == "released"
    assert states["Closing soon"] == "open"
    reminders = [m for m in mail.outbox if "Closing soon" in m.subject]
    # The two people of the round closing today, each in their own language.
    assert sorted(m.subject.split(":")[0] for m in reminders) == ["Reminder", "تذكير"]
    assert Round.objects.get(pk=soon.pk).reminded_at is not None
    # Reminders go once.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rounds_due", stdout=io.StringIO())
    assert not [m for m in mail.outbox if "Closing soon" in m.subject]


def test_a_round_closed_early_releases_the_answers_given(world):
    round_ = make_round(world)
    world.client_for(world.local_editor).post(reverse("round_close", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.state == "released"
    page = world.client_for(world.intl_viewer).get(reverse("round_results", args=[round_.pk]))
    assert "No answers were given in this round." in page.content.decode()


def test_extending_moves_the_closing_date_later_only(world):
    round_ = make_round(world)
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("round_extend", args=[round_.pk]), {"closes_on": "2020-01-01"})
    assert response.status_code == 400
    assert "Choose a date after the current closing date." in response.content.decode()
    later = round_.closes_on + datetime.timedelta(days=7)
    client.post(reverse("round_extend", args=[round_.pk]), {"closes_on": later.isoformat()})
    round_.refresh_from_db()
    assert round_.closes_on == later


def test_a_partnership_round_page_never_goes_to_an_outsider(world):
    round_ = make_round(world)
    org = make_org("Someone Else")
    person = make_user("person@else.example.org")
    add_member(org, person, "admin")
    assert (
        world.client_for(person).get(reverse("round_detail", args=[round_.pk])).status_code == 404
    )


def test_changing_the_settings_on_the_page_asks_the_other_side_again(world):
    round_ = make_round(world, open_it=False)
    client = world.client_for(world.local_editor)
    data = _form(title="Renamed by the local side", privacy="organisation")
    response = client.post(reverse("round_edit", args=[round_.pk]), data)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.title == "Renamed by the local side"
    assert round_.accepted_by("local") and not round_.accepted_by("international")
    page = world.client_for(world.intl_editor).get(reverse("round_detail", args=[round_.pk]))
    assert "Accept these settings for our side" in page.content.decode()
