"""Creating a partnership, both sides seeing the same page, stages and agreement terms."""

from datetime import date

from django.core import mail
from django.urls import reverse

from counterpart.organisations.models import Invitation, Organisation
from counterpart.partnerships.models import Partnership, Party, Stage, StageChange

from .conftest import add_member, make_org, make_user


def create_data(world, **changes):
    data = {
        "title": "Cash for shelter",
        "description": "",
        "countries": ["KE", "UG"],
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "stage": Stage.AGREEMENT,
        "organisation": world.intl.pk,
        "side": "international",
        "role": "funding",
        "partner": "Camp Youth Network",
        "partner_role": "implementing",
    }
    data.update(changes)
    return data


def test_an_editor_creates_a_partnership_with_an_existing_partner(world):
    client = world.client_for(world.intl_editor)
    response = client.post(reverse("partnership_create"), create_data(world))
    assert response.status_code == 302
    partnership = Partnership.objects.get(title="Cash for shelter")
    # The partner is asked; it becomes a party when one of its admins accepts.
    sides = {p.organisation_id: p.side for p in partnership.parties.all()}
    assert sides == {world.intl.pk: "international"}
    proposal = partnership.proposals.get()
    accept = world.client_for(world.local_admin).post(
        reverse("proposal_accept", args=[proposal.pk])
    )
    assert accept.status_code == 302
    sides = {p.organisation_id: p.side for p in partnership.parties.all()}
    assert sides == {world.intl.pk: "international", world.local.pk: "local"}
    assert partnership.stage == Stage.AGREEMENT
    assert [c.stage for c in partnership.stage_changes.all()] == [Stage.AGREEMENT]
    assert [c.code for c in partnership.countries] == ["KE", "UG"]


def test_a_new_partner_is_registered_and_its_contact_invited(
    world, django_capture_on_commit_callbacks
):
    client = world.client_for(world.intl_editor)
    data = create_data(
        world,
        partner="",
        new_partner_name="Hope Refugee Collective",
        new_partner_country="UG",
        new_partner_kind="rlo",
        new_partner_refugee_led="on",
        new_partner_contact="director@hope.example.org",
        new_partner_language="ar",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partnership_create"), data)
    assert response.status_code == 302
    partner = Organisation.objects.get(name="Hope Refugee Collective")
    assert partner.is_refugee_led and partner.is_local
    # Nobody from the international side manages the new organisation: its contact is invited.
    assert not partner.memberships.exists()
    invitation = Invitation.objects.get(organisation=partner)
    assert invitation.role == "admin" and invitation.language == "ar"
    assert mail.outbox[0].to == ["director@hope.example.org"]


def test_wrong_values_are_explained_and_nothing_is_created(world):
    client = world.client_for(world.intl_editor)
    cases = [
        (create_data(world, end_date="2025-01-01"), "cannot be before the start date"),
        (create_data(world, partner=""), "Choose the partner organisation"),
        (create_data(world, partner="Global Aid Partners"), "No organisation on Counterpart"),
        (create_data(world, partner="Unknown Group"), "No organisation on Counterpart"),
        (create_data(world, new_partner_name="Both"), "not both"),
        (create_data(world, stage="finished"), "Select a valid choice"),
        (create_data(world, organisation=world.other.pk), "Select a valid choice"),
        (create_data(world, start_date="31/31/2026"), "Enter a valid date"),
    ]
    for data, message in cases:
        response = client.post(reverse("partnership_create"), data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    assert not Partnership.objects.filter(title="Cash for shelter").exists()


def test_both_sides_see_the_same_page_and_outsiders_see_nothing(world):
    url = reverse("partnership_detail", args=[world.partnership.pk])
    intl_page = world.client_for(world.intl_viewer).get(url).content.decode()
    local_page = world.client_for(world.local_viewer).get(url).content.decode()
    for text in ("Youth protection in the camp", "Global Aid Partners", "Camp Youth Network"):
        assert text in intl_page and text in local_page
    outsider = world.client_for(world.outsider).get(url)
    assert outsider.status_code == 404
    assert "Youth protection" not in outsider.content.decode()
    listing = world.client_for(world.outsider).get(reverse("partnership_list")).content.decode()
    assert "Youth protection" not in listing


def test_the_local_side_records_a_new_stage_with_its_date(world):
    client = world.client_for(world.local_editor)
    response = client.post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {
            "stage": Stage.AGREEMENT,
            "entered_on": date.today().isoformat(),
            "note": "Signed in Kakuma",
        },
    )
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.stage == Stage.AGREEMENT
    history = list(world.partnership.stage_changes.values_list("stage", "note"))
    assert (Stage.AGREEMENT, "Signed in Kakuma") in history
    page = world.client_for(world.intl_viewer).get(
        reverse("partnership_detail", args=[world.partnership.pk])
    )
    assert "Signed in Kakuma" in page.content.decode()


def test_a_back_dated_stage_does_not_replace_the_current_one(world):
    client = world.client_for(world.intl_editor)
    client.post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {"stage": Stage.EXPLORING, "entered_on": "2020-01-01", "note": ""},
    )
    world.partnership.refresh_from_db()
    assert world.partnership.stage == Stage.CO_DESIGN
    assert world.partnership.stage_changes.count() == 2


def test_a_viewer_cannot_change_the_stage(world):
    client = world.client_for(world.local_viewer)
    response = client.post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {"stage": Stage.REVIEW, "entered_on": "2026-10-01"},
    )
    assert response.status_code == 403
    assert StageChange.objects.filter(partnership=world.partnership).count() == 1


def agreement_data(**changes):
    data = {
        "amount": "120000",
        "currency": "usd",
        "funding_type": "flexible",
        "multi_year": "true",
        "overhead_rate": "12.5",
        "reporting_frequency": "half_yearly",
        "reporting_language": "ar",
        "funding_route": "direct",
    }
    data.update(changes)
    return data


def _intermediary(world):
    """An organisation the international side registered, so it is known to the partnership."""
    middle = make_org("National Partner Trust", "national_ngo", "KE")
    middle.registered_by = world.intl
    middle.save()
    return middle


def test_agreement_terms_are_recorded_with_the_route_of_the_money(world):
    middle = _intermediary(world)
    client = world.client_for(world.intl_editor)
    response = client.post(
        reverse("agreement_edit", args=[world.partnership.pk]),
        agreement_data(funding_route="intermediaries", intermediary_1=middle.pk),
    )
    assert response.status_code == 302
    agreement = Partnership.objects.get(pk=world.partnership.pk).agreement
    assert agreement.currency == "USD"
    assert agreement.multi_year is True
    assert agreement.overhead_covered is True
    assert [i.organisation for i in agreement.intermediaries.all()] == [middle]
    page = world.client_for(world.local_viewer).get(
        reverse("partnership_detail", args=[world.partnership.pk])
    )
    text = page.content.decode()
    assert "National Partner Trust" in text
    assert "12.5" in text


def test_agreement_mistakes_are_explained_and_nothing_changes(world):
    middle = _intermediary(world)
    client = world.client_for(world.intl_editor)
    url = reverse("agreement_edit", args=[world.partnership.pk])
    cases = [
        (agreement_data(currency="US$"), "three-letter"),
        (agreement_data(overhead_rate="140"), "less than or equal to 100"),
        (agreement_data(amount="-5"), "greater than or equal to 0"),
        (agreement_data(funding_route="intermediaries"), "at least one intermediary"),
        (agreement_data(intermediary_1=middle.pk), "no intermediaries"),
        (
            agreement_data(
                funding_route="intermediaries", intermediary_1=middle.pk, intermediary_2=middle.pk
            ),
            "only once",
        ),
        (agreement_data(amount="100", currency=""), "Give the currency"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    agreement = Partnership.objects.get(pk=world.partnership.pk).agreement
    assert agreement.amount is None
    assert not agreement.intermediaries.exists()


def test_parties_are_added_and_removed_from_ones_own_side_only(world):
    extra = make_org("Second Camp Group", "cbo", "KE")
    extra_admin = make_user("admin@second.example.org", "Second Admin")
    add_member(extra, extra_admin, "admin")
    local = world.client_for(world.local_editor)
    response = local.post(
        reverse("party_add", args=[world.partnership.pk]),
        {"organisation": "Second Camp Group", "side": "local", "role": "co_implementing"},
    )
    assert response.status_code == 302
    proposal = world.partnership.proposals.get(organisation=extra)
    # The organisation and the other side both agree before it joins.
    world.client_for(extra_admin).post(reverse("proposal_accept", args=[proposal.pk]))
    assert not Party.objects.filter(organisation=extra).exists()
    world.client_for(world.intl_admin).post(reverse("proposal_accept", args=[proposal.pk]))
    party = Party.objects.get(organisation=extra)
    intl_party = Party.objects.get(organisation=world.intl, partnership=world.partnership)
    # Neither side can push out the other side's organisations.
    response = local.post(reverse("party_remove", args=[world.partnership.pk, intl_party.pk]))
    assert response.status_code == 403
    response = world.client_for(world.intl_editor).post(
        reverse("party_remove", args=[world.partnership.pk, party.pk])
    )
    assert response.status_code == 403
    assert Party.objects.filter(pk__in=[intl_party.pk, party.pk]).count() == 2
    # Each side keeps at least one organisation.
    response = world.client_for(world.intl_editor).post(
        reverse("party_remove", args=[world.partnership.pk, intl_party.pk]), follow=True
    )
    assert "Each side needs at least one organisation" in response.content.decode()
    assert Party.objects.filter(pk=intl_party.pk).exists()
    local.post(reverse("party_remove", args=[world.partnership.pk, party.pk]))
    assert not Party.objects.filter(pk=party.pk).exists()


def test_a_party_of_another_partnership_cannot_be_removed_through_this_one(world):
    other_partnership = Partnership.objects.create(title="Elsewhere")
    foreign = Party.objects.create(
        partnership=other_partnership, organisation=world.other, side="international", role="lead"
    )
    client = world.client_for(world.intl_admin)
    response = client.post(reverse("party_remove", args=[world.partnership.pk, foreign.pk]))
    assert response.status_code == 404
    assert Party.objects.filter(pk=foreign.pk).exists()


def test_the_list_filters_by_stage(world):
    client = world.client_for(world.intl_viewer)
    page = client.get(reverse("partnership_list"), {"stage": Stage.CO_DESIGN}).content.decode()
    assert "Youth protection in the camp" in page
    page = client.get(reverse("partnership_list"), {"stage": Stage.REVIEW}).content.decode()
    assert "Youth protection in the camp" not in page
    page = client.get(reverse("partnership_list"), {"stage": "nonsense"}).content.decode()
    assert "Youth protection in the camp" in page


def test_a_back_dated_stage_is_explained(world):
    response = world.client_for(world.intl_editor).post(
        reverse("partnership_stage", args=[world.partnership.pk]),
        {"stage": Stage.EXPLORING, "entered_on": "2020-01-01", "note": ""},
        follow=True,
    )
    assert "The current stage stays Co-design" in response.content.decode()


def test_both_sides_see_the_same_history(world):
    world.client_for(world.local_editor).post(
        reverse("agreement_edit", args=[world.partnership.pk]), agreement_data()
    )
    url = reverse("partnership_detail", args=[world.partnership.pk])
    for user in (world.intl_viewer, world.local_viewer):
        page = world.client_for(user).get(url).content.decode()
        assert "Changed the agreement terms" in page
        assert "Local Editor, Camp Youth Network" in page
        assert "Created the partnership" in page


def test_the_list_filters_by_organisation(world):
    second = make_org("Second Funder", "foundation", "NL")
    from counterpart.organisations.models import Membership

    Membership.objects.create(organisation=second, user=world.local_viewer, role="viewer")
    client = world.client_for(world.local_viewer)
    url = reverse("partnership_list")
    assert "Youth protection" in client.get(url, {"organisation": world.local.pk}).content.decode()
    assert "Youth protection" not in client.get(url, {"organisation": second.pk}).content.decode()
    # Another organisation's id is ignored: the list shows the person's own partnerships.
    assert "Youth protection" in client.get(url, {"organisation": world.other.pk}).content.decode()
