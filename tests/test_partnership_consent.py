"""No organisation is put into a partnership, found, or given a third party without its say:
partnerships are proposed and accepted, either organisation can leave, and there is no list of
organisations to browse. Each attack is played as the stronger side would play it."""

from django.core import mail
from django.urls import reverse

from counterpart.assessments.selectors import partner_organisations
from counterpart.audit.models import AuditEvent
from counterpart.frameworks.selectors import frameworks_for_user
from counterpart.notifications.models import Notification
from counterpart.partnerships.models import Partnership, Party, PartyProposal, ProposalStatus

from .conftest import add_member, make_framework, make_org, make_user


def _propose(client, partner, title="Imposed partnership", **extra):
    data = {
        "title": title,
        "stage": "implementation",
        "side": "international",
        "role": "funding",
        "partner": partner,
        "partner_role": "implementing",
        **extra,
    }
    return client.post(reverse("partnership_create"), data)


def _propose_new_partner(client, world, contact):
    """The international editor proposes a partnership to an organisation not yet on
    Counterpart, registering it and inviting `contact` to be its first admin."""
    return _propose(
        client,
        "",
        organisation=world.intl.pk,
        title="Water points in Kakuma",
        new_partner_name="Kakuma Water Circle",
        new_partner_country="KE",
        new_partner_kind="rlo",
        new_partner_contact=contact,
        new_partner_language="en",
    )


def _stranger(world):
    """Someone who has just registered an organisation of their own."""
    stranger = make_user("stranger@example.org", "Stranger")
    organisation = make_org("Newcomer Aid", country="US")
    add_member(organisation, stranger, "admin")
    client = world.client_for(stranger)
    return stranger, organisation, client


def test_a_proposal_opens_nothing_until_the_partners_admins_accept(world):
    stranger, organisation, client = _stranger(world)
    # The local organisation keeps a private framework of its own.
    make_framework(world.local, world.local_editor)
    response = _propose(client, "Camp Youth Network", organisation=organisation.pk)
    assert response.status_code == 302
    partnership = Partnership.objects.get(title="Imposed partnership")
    proposal = partnership.proposals.get()
    assert proposal.status == ProposalStatus.WAITING
    assert not Party.objects.filter(partnership=partnership, organisation=world.local).exists()

    # The partner's members do not find it among their partnerships, nor can they open it.
    for person in (world.local_admin, world.local_viewer):
        page = world.client_for(person).get(reverse("partnership_list")).content.decode()
        assert "Imposed partnership</a>" not in page
        detail = world.client_for(person).get(reverse("partnership_detail", args=[partnership.pk]))
        assert detail.status_code == 404
    # Only the partner's admins are asked, on their list and by notification.
    admin_list = world.client_for(world.local_admin).get(reverse("partnership_list"))
    assert "Proposals waiting for your answer" in admin_list.content.decode()
    asked = Notification.objects.filter(kind="partnership_proposed").values_list("user", flat=True)
    assert set(asked) == {world.local_admin.pk}
    assert (
        world.client_for(world.local_viewer)
        .get(reverse("proposal_detail", args=[proposal.pk]))
        .status_code
        == 404
    )

    # The proposer reads nothing of the partner: not its private framework, and it cannot
    # choose the partner for a partner feedback round.
    visible = {f.organisation_id for f in frameworks_for_user(stranger)}
    assert world.local.pk not in visible
    assert world.local not in partner_organisations(organisation)
    # Nor prepare a round with a partner who has not accepted.
    round_page = client.post(
        reverse("round_create", args=[partnership.pk]),
        {"organisation": organisation.pk, "title": "Too early", "stage": "implementation"},
    )
    assert round_page.status_code in (400, 403)
    assert not partnership.rounds.exists()


def test_the_partners_admin_declines_and_nothing_is_shared(world):
    _stranger_user, organisation, client = _stranger(world)
    _propose(client, "Camp Youth Network", organisation=organisation.pk)
    proposal = PartyProposal.objects.get(partnership__title="Imposed partnership")
    page = world.client_for(world.local_admin).get(reverse("proposal_detail", args=[proposal.pk]))
    text = page.content.decode()
    # Who proposes, from where, and who signed it.
    assert "Newcomer Aid" in text and "United States" in text and "stranger@example.org" in text
    response = world.client_for(world.local_admin).post(
        reverse("proposal_decline", args=[proposal.pk])
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    assert not Party.objects.filter(organisation=world.local, partnership=proposal.partnership)
    # A declined proposal cannot be accepted afterwards.
    world.client_for(world.local_admin).post(reverse("proposal_accept", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    # Both organisations' logs hold the step.
    logged = AuditEvent.objects.filter(action="party_proposal_decline")
    assert {e.organisation_id for e in logged} == {world.local.pk, organisation.pk}


def test_accepting_makes_the_partner_a_party_on_both_pages(world):
    _stranger_user, organisation, client = _stranger(world)
    _propose(client, "Camp Youth Network", organisation=organisation.pk)
    proposal = PartyProposal.objects.get(partnership__title="Imposed partnership")
    response = world.client_for(world.local_admin).post(
        reverse("proposal_accept", args=[proposal.pk])
    )
    assert response["Location"] == reverse("partnership_detail", args=[proposal.partnership_id])
    page = world.client_for(world.local_viewer).get(response["Location"]).content.decode()
    assert "Newcomer Aid" in page
    joined = AuditEvent.objects.filter(
        action="party_join", context=f"partnership:{proposal.partnership_id}"
    )
    assert {e.organisation_id for e in joined} == {world.local.pk, organisation.pk}


def test_there_is_no_list_of_organisations_to_browse(world):
    nobody = make_org("Nobody Joined Yet", country="KE")
    page = world.client_for(world.intl_editor).get(reverse("partnership_create"))
    text = page.content.decode()
    for name in ("Unrelated Relief", "Camp Youth Network", "Nobody Joined Yet"):
        assert name not in text
    client = world.client_for(world.intl_editor)
    # Organisations nobody has joined cannot be found, and one's own is never a partner.
    for query in ("Nobody Joined Yet", "Global Aid Partners"):
        response = _propose(client, query, organisation=world.intl.pk, title="Lookup")
        assert response.status_code == 400
        assert "No organisation on Counterpart matches" in response.content.decode()
    assert not nobody.party_proposals.exists()
    # An exact name (case and accents aside), the IATI identifier or a member's email finds it.
    world.other.iati_identifier = "FR-RNA-W123"
    world.other.save()
    for number, query in enumerate(("unrelated  RELIEF", "fr-rna-w123", "outsider@example.org")):
        local = world.client_for(world.local_editor)
        response = _propose(
            local,
            query,
            organisation=world.local.pk,
            side="local",
            role="implementing",
            partner_role="funding",
            title=f"Found {number}",
        )
        assert response.status_code == 302, query
        assert Partnership.objects.get(title=f"Found {number}").proposals.get().organisation == (
            world.other
        )


def test_a_third_organisation_needs_the_other_sides_agreement(world):
    third = make_org("Third Camp Group", country="KE", kind="cbo")
    third_admin = make_user("third@example.org", "Third Admin")
    add_member(third, third_admin, "admin")
    response = world.client_for(world.local_editor).post(
        reverse("party_add", args=[world.partnership.pk]),
        {"organisation": "Third Camp Group", "side": "local", "role": "co_implementing"},
    )
    assert response.status_code == 302
    proposal = PartyProposal.objects.get(organisation=third)
    assert proposal.needs_other_side
    # The international side is told and must agree.
    told = Notification.objects.filter(kind="party_proposed_to_side").values_list("user", flat=True)
    assert world.intl_admin.pk in set(told)
    world.client_for(third_admin).post(reverse("proposal_accept", args=[proposal.pk]))
    assert not Party.objects.filter(organisation=third).exists()
    # The third organisation reads nothing of the partnership yet.
    detail = world.client_for(third_admin).get(
        reverse("partnership_detail", args=[world.partnership.pk])
    )
    assert detail.status_code == 404
    # An international editor (not admin) cannot agree for the side.
    world.client_for(world.intl_editor).post(reverse("proposal_accept", args=[proposal.pk]))
    assert not Party.objects.filter(organisation=third).exists()
    world.client_for(world.intl_admin).post(reverse("proposal_accept", args=[proposal.pk]))
    assert Party.objects.filter(organisation=third, side="local").exists()
    logged = {e.organisation_id for e in AuditEvent.objects.filter(action="party_join")}
    assert {world.intl.pk, world.local.pk, third.pk} <= logged


def test_an_editor_cannot_add_to_the_other_side(world):
    third = make_org("Third Funder", country="GB")
    add_member(third, make_user("funder@example.org"), "admin")
    response = world.client_for(world.local_editor).post(
        reverse("party_add", args=[world.partnership.pk]),
        {"organisation": "Third Funder", "side": "international", "role": "funding"},
    )
    assert response.status_code == 400
    assert not PartyProposal.objects.filter(organisation=third).exists()


def test_the_local_organisation_leaves_and_the_other_side_is_told(world):
    party = world.partnership.parties.get(organisation=world.local)
    # Only its own admins may take it out.
    world.client_for(world.intl_admin).post(
        reverse("party_leave", args=[world.partnership.pk, party.pk])
    )
    assert Party.objects.filter(pk=party.pk).exists()
    response = world.client_for(world.local_admin).post(
        reverse("party_leave", args=[world.partnership.pk, party.pk])
    )
    assert response.status_code == 302
    assert not Party.objects.filter(pk=party.pk).exists()
    gone = world.client_for(world.local_viewer).get(
        reverse("partnership_detail", args=[world.partnership.pk])
    )
    assert gone.status_code == 404
    told = Notification.objects.filter(kind="partnership_left").values_list("user", flat=True)
    assert world.intl_admin.pk in set(told)
    logged = {e.organisation_id for e in AuditEvent.objects.filter(action="party_leave")}
    assert logged == {world.intl.pk, world.local.pk}
    # The international side may now propose another partner for the empty side.
    page = world.client_for(world.intl_editor).get(
        reverse("partnership_detail", args=[world.partnership.pk])
    )
    assert "A round can be prepared once an organisation on each side" in page.content.decode()


def test_a_new_partners_invitation_names_who_invites_and_the_partnership(
    world, django_capture_on_commit_callbacks
):
    client = world.client_for(world.intl_editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _propose_new_partner(client, world, "chair@water.example.org")
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == ["chair@water.example.org"]
    assert "Intl Editor" in body and "Global Aid Partners" in body
    assert "Water points in Kakuma" in body
    assert "Nothing is shared with Global Aid Partners unless you accept" in body
    proposal = PartyProposal.objects.get(partnership__title="Water points in Kakuma")
    assert proposal.is_waiting and proposal.organisation.name == "Kakuma Water Circle"


def test_the_registering_side_sends_the_first_admins_invitation_again(
    world, django_capture_on_commit_callbacks
):
    client = world.client_for(world.intl_editor)
    _propose_new_partner(client, world, "wrong@water.example.org")
    proposal = PartyProposal.objects.get(partnership__title="Water points in Kakuma")
    page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "Invite a contact person" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposal_invite", args=[proposal.pk]),
            {"email": "chair@water.example.org", "language": "fr"},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["chair@water.example.org"]
    # The local side cannot hand the new organisation to a person of its choice.
    world.client_for(world.local_admin).post(
        reverse("proposal_invite", args=[proposal.pk]),
        {"email": "someone@example.org", "language": "en"},
    )
    assert mail.outbox[-1].to == ["chair@water.example.org"]


def test_looking_up_many_organisations_is_slowed_down(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "partner_lookup": "3/hour"}
    client = world.client_for(world.intl_editor)
    for number in range(3):
        response = _propose(client, f"guess{number}@example.org", organisation=world.intl.pk)
        assert response.status_code == 400
    response = _propose(client, "outsider@example.org", organisation=world.intl.pk)
    assert response.status_code == 429
    assert not PartyProposal.objects.filter(organisation=world.other).exists()
