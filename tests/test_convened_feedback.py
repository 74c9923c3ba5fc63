"""Feedback convened by partners: a local organisation asks, anonymously, how its funders work
with their partners. One round per funder; other partners join by invitation, answered by
their own admins; the funder reads its own results once enough organisations answered, changes
nothing, and decides whether its public page shows them."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from counterpart.assessments import convened, services
from counterpart.assessments.models import (
    ConvenedInvitation,
    Respondent,
    Round,
    RoundKind,
    RoundState,
)
from counterpart.audit.models import AuditEvent
from counterpart.notifications.models import Notification
from counterpart.organisations.models import Membership, OrganisationKind, Role
from counterpart.organisations.services import organisation_update
from counterpart.partnerships.models import PartyRole, Side, Stage

from .conftest import (
    add_member,
    answer_everything,
    builtin_version,
    convened_round,
    make_org,
    make_partnership,
    make_pooled_round,
    make_user,
    partner_organisations,
    released_convened_round,
    respondent_client,
    sending,
)


def _second_funder(world):
    """Another funder of the local organisation, with an admin of its own."""
    funder = make_org("Northern Trust Fund", OrganisationKind.FOUNDATION, "NO")
    admin = add_member(funder, make_user("trust-admin@example.org", "Trust Admin"), Role.ADMIN)
    make_partnership(
        accepted_by=world.local_admin,
        actor=admin.user,
        organisation=funder,
        side=Side.INTERNATIONAL,
        role=PartyRole.FUNDING,
        partner=world.local,
        partner_side=Side.LOCAL,
        partner_role=PartyRole.IMPLEMENTING,
        stage=Stage.IMPLEMENTATION,
        title="Trust grant",
    )
    return funder, admin.user


def _convene_form(world, funders, **changes):
    today = timezone.localdate()
    return {
        "title": "What our funders are like",
        "framework_version": builtin_version().pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
        "threshold": "3",
        "funders": [str(f.pk) for f in funders],
        "language": "en",
        **changes,
    }


def _admin_of(organisation):
    return Membership.objects.get(organisation=organisation, role=Role.ADMIN).user


def _page(client, name, *args):
    response = client.get(reverse(name, args=args))
    return response.status_code, response.content.decode()


def test_partners_convene_feedback_and_the_funder_reads_only_its_own_results(world):
    second, second_admin = _second_funder(world)
    partners = partner_organisations(world, 2)
    convener = world.client_for(world.local_editor)

    # On the local organisation's page, the feature reads as asking about its funders; the
    # form offers only its funders, never another organisation or a fellow partner.
    status, page = _page(convener, "organisation_detail", world.local.pk)
    assert "Ask about your funders" in page
    status, form = _page(convener, "round_convene", world.local.pk)
    assert status == 200
    assert world.intl.name in form and second.name in form
    assert world.other.name not in form and partners[0].name not in form

    with sending():
        response = convener.post(
            reverse("round_convene", args=[world.local.pk]),
            _convene_form(world, [world.intl, second]),
        )
    assert response.status_code == 302
    rounds = {r.organisation: r for r in Round.objects.filter(convened_by=world.local)}
    assert set(rounds) == {world.intl, second}
    ours, theirs = rounds[world.intl], rounds[second]
    for round_ in (ours, theirs):
        assert round_.kind == RoundKind.POOLED and round_.privacy == "anonymous"
        assert round_.threshold == 3 and round_.state == RoundState.DRAFT
        # The convener's own members are asked, for the convener.
        assert {(r.email, r.organisation_id) for r in round_.respondents.all()} == {
            (m.user.email, world.local.pk) for m in world.local.memberships.all()
        }
    assert ours.title == f"What our funders are like – {world.intl.name}"

    # The funders' admins are told, in Counterpart and by email, without naming the convener.
    told = Notification.objects.filter(kind="convened_feedback_started")
    assert {n.user for n in told} == {world.intl_admin, second_admin}
    emails = [m for m in mail.outbox if world.intl_admin.email in m.to]
    assert emails and "cannot add or remove anyone" in emails[0].body
    assert world.local.name not in emails[0].body
    # Both logs: the convener's names who acted; the funder's does not.
    assert (
        AuditEvent.objects.get(
            organisation=world.local, action="round_convene", object_id=str(ours.pk)
        ).actor
        == world.local_editor
    )
    assert (
        AuditEvent.objects.get(
            organisation=world.intl, action="round_convene", object_id=str(ours.pk)
        ).actor
        is None
    )

    # The convener invites two other partners of the funder by name; their admins join.
    for partner in partners:
        response = convener.post(
            reverse("convened_invite", args=[ours.pk]), {"organisation": partner.name}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert (
        Notification.objects.filter(
            kind="convened_feedback_invited", user__in=[_admin_of(p) for p in partners]
        ).count()
        == 2
    )
    for partner in partners:
        invitation = ConvenedInvitation.objects.get(round=ours, organisation=partner)
        admin = world.client_for(_admin_of(partner))
        status, page = _page(admin, "convened_invitation", invitation.pk)
        assert "Take part: ask our members" in page
        admin.post(
            reverse("convened_invitation_answer", args=[invitation.pk]),
            {"join": "1", "language": "fr"},
        )
        invitation.refresh_from_db()
        assert invitation.answer == "joined"
        joined = Respondent.objects.get(round=ours, organisation=partner)
        assert joined.email == _admin_of(partner).email and joined.language == "fr"
        # Their admin may add colleagues on the existing page.
        response = admin.post(
            reverse("round_partner_staff", args=[ours.pk]),
            {
                "organisation": partner.pk,
                "name": "Colleague",
                "email": f"colleague@{partner.pk}.example.org",
                "language": "en",
            },
        )
        assert response.status_code == 302
    # The convener sees that both answered, not how; and counts, never people.
    status, page = _page(convener, "convened_invite", ours.pk)
    assert page.count("Answered") == 2 and "joined" not in page.lower()

    with sending():
        assert convener.post(reverse("round_open", args=[ours.pk])).status_code == 302
    ours.refresh_from_db()
    assert ours.state == RoundState.OPEN
    # The links say who asks, and about whom.
    link_email = next(m for m in mail.outbox if _admin_of(partners[0]).email in m.to)
    assert world.local.name in link_email.body

    # The funder cannot add or remove anyone, nor open, close or extend: nothing changes.
    funder = world.client_for(world.intl_admin)
    asked = ours.respondents.count()
    someone = ours.respondents.filter(organisation=world.local).first()
    refused = [
        funder.post(reverse("round_close", args=[ours.pk])),
        funder.post(
            reverse("round_extend", args=[ours.pk]),
            {"closes_on": (timezone.localdate() + datetime.timedelta(days=40)).isoformat()},
        ),
        funder.post(
            reverse("respondent_add", args=[ours.pk]),
            {"name": "Planted", "email": "planted@example.org", "language": "en"},
        ),
        funder.post(reverse("respondent_remove", args=[ours.pk, someone.pk])),
        funder.get(reverse("round_partners", args=[ours.pk])),
        funder.get(reverse("convened_invite", args=[ours.pk])),
        funder.get(reverse("round_edit", args=[ours.pk])),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    ours.refresh_from_db()
    assert ours.state == RoundState.OPEN and ours.respondents.count() == asked
    assert ours.respondents.filter(removed_at__isnull=True).count() == asked

    # One person from each of three organisations answers; the convener closes the round.
    for organisation in (world.local, *partners):
        person = ours.respondents.filter(organisation=organisation).order_by("email").first()
        answer_everything(respondent_client(person), "4")
    status, sealed = _page(funder, "round_results", ours.pk)
    assert status == 403
    with sending():
        convener.post(reverse("round_close", args=[ours.pk]))
    ours.refresh_from_db()
    assert ours.state == RoundState.RELEASED
    assert Notification.objects.filter(
        kind="convened_feedback_released", user=world.intl_admin
    ).exists()

    # The funder reads its results, everywhere they are offered.
    viewer = world.client_for(world.intl_viewer)
    status, results = _page(viewer, "round_results", ours.pk)
    assert status == 200 and "3 partner responses." in results
    assert viewer.get(reverse("dialogue_guide", args=[ours.pk])).status_code == 200
    assert viewer.get(reverse("round_report_pdf", args=[ours.pk])).status_code == 200
    assert (
        viewer.get(
            reverse("export_round_results", kwargs={"round_id": ours.pk, "fmt": "csv"})
        ).status_code
        == 200
    )
    # Its round page reads as feedback convened by its partners, and names none of them.
    status, page = _page(viewer, "round_detail", ours.pk)
    assert "Feedback convened by your partners" in page
    for name in (world.local.name, *(p.name for p in partners)):
        assert name not in page
    status, page = _page(viewer, "organisation_detail", world.intl.pk)
    assert "Feedback convened by your partners" in page and ours.title in page
    assert theirs.title not in page
    # The other funder's round is separate: the first funder cannot even find it.
    assert viewer.get(reverse("round_detail", args=[theirs.pk])).status_code == 404
    assert viewer.get(reverse("round_results", args=[theirs.pk])).status_code == 404

    # The convener sees counts, never the results.
    status, page = _page(convener, "round_detail", ours.pk)
    assert status == 200 and "The results can be read by" in page
    assert "Read the results" not in page
    assert convener.get(reverse("round_results", args=[ours.pk])).status_code == 404

    # Nothing in the funder's log names a person of its partners.
    logged = AuditEvent.objects.filter(
        organisation=world.intl, object_type="assessments.round", object_id=str(ours.pk)
    )
    assert not logged.filter(actor__isnull=False).exists()
    assert "@" not in " ".join(str(e.before) + str(e.after) for e in logged)


def test_the_funder_publishes_convened_results_beside_its_own(world, client):
    organisation_update(
        actor=world.intl_admin, organisation=world.intl, publish_accountability=True
    )
    round_ = released_convened_round(world, {"respect_advice_local": "5"})
    url = reverse("accountability_page", args=[world.intl.pk])
    page = client.get(url).content.decode()
    assert round_.title not in page
    assert "No partner feedback round has results to show yet." in page

    # Only an admin decides; an editor is refused and nothing changes.
    editor = world.client_for(world.intl_editor)
    assert (
        editor.post(reverse("round_publish", args=[round_.pk]), {"publish": "on"}).status_code
        == 403
    )
    round_.refresh_from_db()
    assert not round_.funder_publishes

    admin = world.client_for(world.intl_admin)
    admin.post(reverse("round_publish", args=[round_.pk]), {"publish": "on"})
    round_.refresh_from_db()
    assert round_.funder_publishes
    assert AuditEvent.objects.filter(
        organisation=world.intl, action="round_publish", actor=world.intl_admin
    ).exists()
    page = client.get(url).content.decode()
    assert round_.title in page
    assert "Feedback convened by partners of this organisation" in page
    assert "<td>100</td>" in page
    assert world.local.name not in page

    admin.post(reverse("round_publish", args=[round_.pk]), {})
    round_.refresh_from_db()
    assert not round_.funder_publishes
    assert round_.title not in client.get(url).content.decode()


def test_a_stranger_to_the_funder_cannot_join_and_the_convener_cannot_tell_why(world):
    round_ = convened_round(world)
    partner = partner_organisations(world, 1)[0]
    convener = world.client_for(world.local_editor)
    for organisation in (world.other, partner):
        convener.post(
            reverse("convened_invite", args=[round_.pk]), {"organisation": organisation.name}
        )
    stranger = ConvenedInvitation.objects.get(round=round_, organisation=world.other)
    declining = ConvenedInvitation.objects.get(round=round_, organisation=partner)

    # The unrelated organisation's admin finds the invitation on its organisation's page,
    # reads that it cannot take part, and cannot join.
    outsider = world.client_for(world.outsider)
    status, page = _page(outsider, "organisation_detail", world.other.pk)
    assert "Invitations to give feedback about a funder" in page
    assert reverse("convened_invitation", args=[stranger.pk]) in page
    status, page = _page(outsider, "convened_invitation", stranger.pk)
    assert "Your organisation cannot take part" in page
    assert "Take part: ask our members" not in page
    outsider.post(reverse("convened_invitation_answer", args=[stranger.pk]), {"join": "1"})
    stranger.refresh_from_db()
    assert stranger.answer == ""
    assert not round_.respondents.filter(organisation=world.other).exists()
    outsider.post(reverse("convened_invitation_answer", args=[stranger.pk]), {"decline": "1"})
    status, page = _page(outsider, "organisation_detail", world.other.pk)
    assert "Invitations to give feedback about a funder" not in page
    # A real partner declines.
    world.client_for(_admin_of(partner)).post(
        reverse("convened_invitation_answer", args=[declining.pk]), {"decline": "1"}
    )
    assert not round_.respondents.filter(organisation=partner).exists()

    # The convener sees two answered invitations, told apart by nothing.
    status, page = _page(convener, "convened_invite", round_.pk)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    assert [row.replace(world.other.name, "X").replace(partner.name, "X") for row in rows][0] == [
        row.replace(world.other.name, "X").replace(partner.name, "X") for row in rows
    ][1]
    assert "cannot" not in page and "declined" not in page.lower()
    logged = AuditEvent.objects.filter(
        organisation=world.local, action="convened_invitation_answer"
    ).order_by("pk")
    assert [(e.actor, sorted(e.after)) for e in logged] == [(None, ["organisation"])] * 2
    assert not Notification.objects.filter(user=world.local_editor).exists()


def test_a_funder_with_a_round_of_its_own_open_cannot_be_asked_about_at_the_same_time(world):
    second, _second_admin = _second_funder(world)
    own = make_pooled_round(world, people=3, threshold=3)
    convener = world.client_for(world.local_editor)
    response = convener.post(
        reverse("round_convene", args=[world.local.pk]),
        _convene_form(world, [second, world.intl]),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        f"{world.intl.name} already has a partner feedback round being prepared or answered" in page
    )
    # Atomic: the other funder's round is not prepared either.
    assert not Round.objects.filter(convened_by=world.local).exists()

    # Once the funder's own round has closed, its partners may ask; the funder then cannot
    # start another of its own while theirs is prepared or open.
    services.round_close(actor=world.intl_editor, round_=own)
    convened_round(world)
    with pytest.raises(ValidationError, match="Your partners are running feedback about your"):
        services.round_create_pooled(
            actor=world.intl_editor,
            organisation=world.intl,
            title="Our own",
            framework_version=builtin_version(),
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + datetime.timedelta(days=7),
            threshold=3,
            conversation_mode=False,
        )


def test_only_funders_can_be_asked_about_and_never_below_three_organisations(world):
    convener = world.client_for(world.local_editor)
    url = reverse("round_convene", args=[world.local.pk])
    assert convener.post(url, _convene_form(world, [world.other])).status_code == 400
    assert convener.post(url, _convene_form(world, [world.intl], threshold="2")).status_code == 400
    assert not Round.objects.filter(convened_by=world.local).exists()
    # The service refuses the same, whatever the path.
    with pytest.raises(ValidationError):
        convened.rounds_convene(
            actor=world.local_editor,
            convener=world.local,
            funders=[world.other],
            title="x",
            framework_version=builtin_version(),
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + datetime.timedelta(days=7),
            threshold=3,
        )
    # An international organisation has no funders to ask about here.
    intl = world.client_for(world.intl_editor)
    assert "Ask about your funders" not in _page(intl, "organisation_detail", world.intl.pk)[1]
    assert intl.get(reverse("round_convene", args=[world.intl.pk])).status_code == 404
