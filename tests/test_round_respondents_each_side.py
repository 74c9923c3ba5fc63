"""Each side names its own people: only an editor or admin on a side asks or removes that
side's respondents, on the round page and through the API. Once the round is open, a change
of one side's people is told to the other side and logged for both, naming the person only in
a named round."""

import pytest
from django.core import mail
from django.urls import reverse

from counterpart.assessments import services
from counterpart.assessments.models import Respondent
from counterpart.audit.models import AuditEvent
from counterpart.notifications.models import Notification
from counterpart.partnerships.models import Side

from .conftest import add_member, api_client, make_round, sending

REFUSAL = (
    "Each side names its own people: only an editor or admin on that side can add or remove them."
)
GRACE = "grace@local.example.org"


def _nothing_happened(round_):
    assert not Respondent.objects.filter(round=round_, email=GRACE).exists()
    assert not AuditEvent.objects.filter(after__email=GRACE).exists()
    assert not Notification.objects.filter(kind__startswith="respondent_").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("open_it", [False, True], ids=["being-prepared", "open"])
def test_the_international_side_cannot_add_the_local_sides_people_on_the_page(world, open_it):
    round_ = make_round(world, open_it=open_it)
    mail.outbox.clear()
    client = world.client_for(world.intl_editor)
    with sending():
        response = client.post(
            reverse("respondent_add", args=[round_.pk]),
            {"side": "local", "name": "Grace", "email": GRACE, "language": "en"},
        )
    assert response.status_code == 400
    assert REFUSAL in response.content.decode().replace("&#x27;", "'")
    _nothing_happened(round_)


@pytest.mark.parametrize("open_it", [False, True], ids=["being-prepared", "open"])
def test_the_international_side_cannot_add_the_local_sides_people_through_the_api(world, open_it):
    round_ = make_round(world, open_it=open_it)
    client = api_client(world.intl_admin)
    mail.outbox.clear()
    with sending():
        response = client.post(
            f"/api/rounds/{round_.pk}/respondents/",
            {"side": "local", "email": GRACE, "name": "Grace"},
            content_type="application/json",
        )
    assert response.status_code == 403
    assert response.json() == {
        "error": {"status": 403, "code": "permission_denied", "message": REFUSAL}
    }
    _nothing_happened(round_)


def test_the_international_side_cannot_remove_the_local_sides_people_either(world):
    round_ = make_round(world)
    joseph = round_.respondents.get(side=Side.LOCAL)
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("respondent_remove", args=[round_.pk, joseph.pk]))
    assert response.status_code == 403
    joseph.refresh_from_db()
    assert joseph.removed_at is None
    assert not Notification.objects.filter(kind__startswith="respondent_").exists()


def test_the_form_offers_only_the_sides_the_person_edits_for(world):
    round_ = make_round(world, open_it=False)
    url = reverse("round_detail", args=[round_.pk])
    intl = world.client_for(world.intl_editor).get(url).content.decode()
    assert '<option value="international"' in intl and '<option value="local"' not in intl
    local = world.client_for(world.local_editor).get(url).content.decode()
    assert '<option value="local"' in local and '<option value="international"' not in local
    # Someone who edits for an organisation on each side may ask people on both.
    add_member(world.local, world.intl_editor, "editor")
    both = world.client_for(world.intl_editor).get(url).content.decode()
    assert '<option value="international"' in both and '<option value="local"' in both


def test_each_side_still_adds_its_own_people_on_the_page_and_through_the_api(world):
    round_ = make_round(world, open_it=False)
    page = world.client_for(world.local_editor).post(
        reverse("respondent_add", args=[round_.pk]),
        {"side": "local", "name": "Grace", "email": GRACE, "language": "en"},
    )
    assert page.status_code == 302
    added = api_client(world.intl_editor).post(
        f"/api/rounds/{round_.pk}/respondents/",
        {"side": "international", "email": "omar@intl.example.org"},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert set(round_.respondents.values_list("side", "email")) >= {
        (Side.LOCAL, GRACE),
        (Side.INTERNATIONAL, "omar@intl.example.org"),
    }


def test_before_the_round_opens_the_other_side_is_not_told(world):
    round_ = make_round(world, open_it=False)
    services.respondent_add(actor=world.local_editor, round_=round_, side=Side.LOCAL, email=GRACE)
    assert not Notification.objects.filter(kind__startswith="respondent_").exists()
    assert not AuditEvent.objects.filter(
        action="respondent_add", organisation=world.intl, actor=world.local_editor
    ).exists()
    event = AuditEvent.objects.get(
        action="respondent_add", organisation=world.local, after__email=GRACE
    )
    assert event.actor == world.local_editor


def test_a_person_added_to_an_open_organisation_round_is_told_without_the_email(world):
    round_ = make_round(world, privacy="organisation")
    mail.outbox.clear()
    with sending():
        world.client_for(world.local_editor).post(
            reverse("respondent_add", args=[round_.pk]),
            {"side": "local", "name": "Grace Akello", "email": GRACE, "language": "en"},
        )
    assert Respondent.objects.filter(round=round_, email=GRACE, side=Side.LOCAL).exists()

    # The international side's editors and admins are told that the local side asked someone.
    told = Notification.objects.filter(kind="respondent_added_unnamed")
    assert {n.user for n in told} == {world.intl_admin, world.intl_editor}
    expected = "Local side asked one more of its people to answer the round “Check-in 2026”."
    for user in (world.intl_admin, world.intl_editor):
        page = world.client_for(user).get(reverse("notification_list")).content.decode()
        assert expected in page
        assert GRACE not in page and "Grace Akello" not in page
    assert not Notification.objects.filter(user__in=[world.local_admin, world.local_editor])

    # Both organisations' logs have it; only the local side's names the person.
    local = AuditEvent.objects.get(
        action="respondent_add", organisation=world.local, after__email=GRACE
    )
    assert local.actor == world.local_editor
    intl = AuditEvent.objects.get(
        action="respondent_add", organisation=world.intl, actor=world.local_editor
    )
    assert intl.after == {"side": "local"} and intl.actor == world.local_editor
    log = world.client_for(world.intl_admin).get(reverse("audit_log", args=[world.intl.pk]))
    html = log.content.decode()
    assert "Asked someone to answer a round" in html and GRACE not in html

    # The person gets their link; the international side's emails do not name them.
    assert [m.to for m in mail.outbox if GRACE in m.to] == [[GRACE]]
    to_intl = [
        m for m in mail.outbox if m.to[0] in {world.intl_admin.email, world.intl_editor.email}
    ]
    assert len(to_intl) == 2
    for message in to_intl:
        assert GRACE not in message.body + message.subject
        assert "Grace Akello" not in message.body + message.subject


def test_in_a_named_round_the_other_side_reads_who_was_added(world):
    round_ = make_round(world, privacy="named")
    with sending():
        response = api_client(world.local_editor).post(
            f"/api/rounds/{round_.pk}/respondents/",
            {"side": "local", "email": GRACE, "name": "Grace Akello"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    note = Notification.objects.get(user=world.intl_admin)
    assert note.kind == "respondent_added"
    assert str(note) == "Local side asked Grace Akello to answer the round “Check-in 2026”."
    intl = AuditEvent.objects.get(
        action="respondent_add", organisation=world.intl, actor=world.local_editor
    )
    assert intl.after == {"side": "local", "email": GRACE}


@pytest.mark.parametrize(
    ("privacy", "kind", "words"),
    [
        ("organisation", "respondent_removed_unnamed", "no longer asks one of its people"),
        ("named", "respondent_removed", "no longer asks Joseph Deng"),
    ],
)
def test_a_person_removed_from_an_open_round_is_told_to_the_other_side(world, privacy, kind, words):
    round_ = make_round(world, privacy=privacy)
    joseph = round_.respondents.get(side=Side.LOCAL)
    services.respondent_remove(actor=world.local_admin, respondent=joseph)
    note = Notification.objects.get(user=world.intl_editor)
    assert note.kind == kind and words in str(note)
    assert AuditEvent.objects.filter(action="respondent_remove", organisation=world.local).exists()
    intl = AuditEvent.objects.get(action="respondent_remove", organisation=world.intl)
    assert ("joseph@local.example.org" in str(intl.before)) is (privacy == "named")
