"""A local partner's member raises a concern from the partnership, under their name, and
follows it under "My concerns"."""

from django.core import mail
from django.urls import reverse

from counterpart.audit.models import AuditEvent
from counterpart.concerns.models import Concern, ConcernEvent
from counterpart.notifications.models import Notification
from counterpart.partnerships.models import Party, PartyRole, Side

from .conftest import make_org, raise_concern, sending


def _raise_url(world):
    return reverse("concern_raise", args=[world.partnership.pk])


def test_the_partnership_page_offers_the_channel_to_the_local_side_only(world):
    for user in (world.local_viewer, world.local_editor, world.local_admin):
        page = world.client_for(user).get(
            reverse("partnership_detail", args=[world.partnership.pk])
        )
        assert _raise_url(world) in page.content.decode()
    for user in (world.intl_viewer, world.intl_admin):
        page = world.client_for(user).get(
            reverse("partnership_detail", args=[world.partnership.pk])
        )
        assert _raise_url(world) not in page.content.decode()


def test_a_local_member_raises_a_concern_and_the_focal_points_hear_of_it(world):
    client = world.client_for(world.local_viewer)
    form = client.get(_raise_url(world)).content.decode()
    assert "What is it about?" in form
    assert 'name="organisation"' not in form  # one organisation on the other side: no choice
    with sending():
        response = client.post(
            _raise_url(world),
            {
                "category": "funding",
                "description": "Our overhead was removed from the budget.",
                "reply_by": "app",
                "contact": "",
            },
        )
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concern_mine_detail", args=[concern.pk])
    assert concern.raised_by == world.local_viewer
    assert concern.organisation == world.intl
    assert concern.partnership == world.partnership
    assert concern.status == "received"
    assert concern.reference.startswith("C-") and len(concern.reference) == 8
    # No focal point is named: the international admins act as focal points.
    note = Notification.objects.get(kind="concern_received")
    assert note.user == world.intl_admin
    assert note.link == reverse("concern_detail", args=[concern.pk])
    assert "Funding" in str(note) and "Global Aid Partners" in str(note)
    assert [m.to for m in mail.outbox] == [[world.intl_admin.email]]
    event = AuditEvent.objects.get(action="concern_raise")
    assert event.actor == world.local_viewer
    assert event.organisation == world.intl
    assert event.after == {
        "reference": concern.reference,
        "category": "funding",
        "status": "received",
    }

    page = client.get(response["Location"]).content.decode()
    assert concern.reference in page
    assert "Our overhead was removed from the budget." in page
    assert "Received" in page
    mine = client.get(reverse("concern_mine")).content.decode()
    assert concern.reference in mine


def test_several_international_organisations_give_a_choice(world):
    cofunder = make_org("Second Funder", country="DE")
    Party.objects.create(
        partnership=world.partnership,
        organisation=cofunder,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
    )
    client = world.client_for(world.local_editor)
    form = client.get(_raise_url(world)).content.decode()
    assert 'name="organisation"' in form and "Second Funder" in form
    response = client.post(
        _raise_url(world),
        {
            "organisation": cofunder.pk,
            "category": "decisions",
            "description": "Decisions are taken without us.",
            "reply_by": "none",
        },
    )
    assert response.status_code == 302
    assert Concern.objects.get().organisation == cofunder
    # An organisation outside the partnership cannot be chosen.
    response = client.post(
        _raise_url(world),
        {
            "organisation": world.other.pk,
            "category": "decisions",
            "description": "Elsewhere.",
            "reply_by": "none",
        },
    )
    assert response.status_code == 400
    assert Concern.objects.count() == 1


def test_only_local_side_members_raise_concerns_in_the_app(world):
    for user in (world.intl_viewer, world.intl_editor, world.intl_admin):
        response = world.client_for(user).post(
            _raise_url(world),
            {"category": "funding", "description": "Not ours to raise.", "reply_by": "none"},
        )
        assert response.status_code == 403
        assert "local organisations" in response.content.decode()
    response = world.client_for(world.outsider).get(_raise_url(world))
    assert response.status_code == 404
    assert not Concern.objects.exists()


def test_the_raiser_adds_information_and_the_focal_points_are_told(world):
    concern = raise_concern(world)
    client = world.client_for(world.local_editor)
    url = reverse("concern_mine_detail", args=[concern.pk])
    with sending():
        response = client.post(url, {"message": "It happened again in March."})
    assert response.status_code == 302
    event = ConcernEvent.objects.get(concern=concern, kind="information")
    assert event.by_raiser and event.author == world.local_editor
    assert Notification.objects.filter(user=world.intl_admin, kind="concern_information").exists()
    assert "It happened again in March." in client.get(url).content.decode()
    # Nobody else adds to it, or reads it there.
    other = world.client_for(world.local_admin)
    assert other.get(url).status_code == 404
    assert other.post(url, {"message": "Me too."}).status_code == 404
    assert ConcernEvent.objects.filter(kind="information").count() == 1


def test_a_restricted_concern_leaves_its_raiser_out_of_the_log(world):
    concern = raise_concern(
        world, category="safeguarding", description="A staff member threatened a volunteer."
    )
    event = AuditEvent.objects.get(action="concern_raise")
    assert event.actor is None and event.actor_label == ""
    assert event.after == {
        "reference": concern.reference,
        "category": "safeguarding",
        "status": "received",
    }
    log = world.client_for(world.intl_admin).get(reverse("audit_log", args=[world.intl.pk]))
    page = log.content.decode()
    assert concern.reference in page
    assert "threatened" not in page and world.local_editor.email not in page


def test_the_raise_page_reads_every_organisation_at_once(world):
    """The number of queries does not grow with the international organisations, their
    settings or their focal points."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from counterpart.concerns.models import ConcernSettings
    from counterpart.concerns.selectors import raising_in
    from counterpart.organisations.models import Membership
    from counterpart.partnerships.models import Partnership

    from .conftest import open_intake

    def counted(call):
        with CaptureQueriesContext(connection) as queries:
            result = call()
        return len(queries), result

    open_intake(world, focal_points=[Membership.objects.get(user=world.intl_admin)])
    client = world.client_for(world.local_editor)
    alone, page = counted(lambda: client.get(_raise_url(world)))
    assert page.status_code == 200 and "Global Aid Partners" in page.content.decode()
    for n, intake_open in ((1, True), (2, False), (3, True)):
        funder = make_org(f"Funder {n}", country="DE")
        Party.objects.create(
            partnership=world.partnership,
            organisation=funder,
            side=Side.INTERNATIONAL,
            role=PartyRole.FUNDING,
        )
        chosen = ConcernSettings.objects.create(organisation=funder, intake_open=intake_open)
        chosen.focal_points.set([Membership.objects.get(user=world.intl_admin)])
    many, page = counted(lambda: client.get(_raise_url(world)))
    html = page.content.decode()
    assert "Funder 3" in html and html.count('href="/concerns/to/') == 3  # the open ones
    assert many == alone, (alone, many)
    # Without the partnership's parties read beforehand: one query for all of them.
    partnership = Partnership.objects.get(pk=world.partnership.pk)
    queries, organisations = counted(lambda: raising_in(world.local_editor, partnership))
    assert {o.name for o in organisations} == {
        "Global Aid Partners",
        "Funder 1",
        "Funder 2",
        "Funder 3",
    }
    assert queries == 2, queries  # the parties with their organisations, the membership
